#!/usr/bin/env bats
# Bearer token lifetimes against a real registry (Debian's docker-registry)
# and tests/tools/token_server.py: a token that is due is refreshed before the
# next request (expires_in counted from issued_at), and a 401 on a request
# made with a cached token gets one fresh token and one retry, never more.
# tests/tools/auth_proxy.py sits in front of the registry to pause a pull or
# a push half way (--hold) and to refuse tokens as a registry that expired
# them early would.  Name prefix rr, subnets 10.211.0.0/16.
load registry_common
bats_require_minimum_version 1.5.0

setup_file() {
        reg_setup_root rr 10.211.0.0/20:24
        # the registry of the 401 tests (tokens of 300 s), each behind its own proxy
        reg_start token KE
        reg_push_busybox KE rr/early:v1
        reg_push_busybox KE rr/never:v1
}

teardown_file() {
        reg_cleanup_roots "$BERTH_ROOT"/pull-* "$BERTH_ROOT"
        reg_teardown_file
        rm -rf "$BERTH_ROOT"
}

# pulls go to an image store of their own, where nothing is present yet
rr_fresh_root() { # NAME
        export BERTH_ROOT=$BERTH_ROOT/$1
        mkdir -p "$BERTH_ROOT"
}

# docker config.json with the account of token registry REG for HOST
rr_login() { # HOST REG
        reg_docker_config "$DOCKER_CONFIG" "$1" "$2"
}

# the token requests the token server answered with a token
rr_tokens() { # REG
        grep -c '"status": 200' "$(reg_var "$1" TOKEN_LOG)" || true
}

# run "$@" in the background until proxy PROXY holds a request, wait SECONDS
# (the token ages), let it go; the command's status and output in
# $rr_status / $rr_out
rr_run_held() { # PROXY SECONDS CMD...
        local px=$1 secs=$2 i pid
        shift 2
        "$@" >"$BERTH_ROOT/held.out" 2>&1 &
        pid=$!
        for i in $(seq 1 300); do
                grep -q '^HOLD ' "$(reg_var "$px" LOG)" && break
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        local held=0
        grep -q '^HOLD ' "$(reg_var "$px" LOG)" || held=1
        sleep "$secs"
        touch "$(reg_var "$px" RELEASE)"
        rr_status=0
        wait "$pid" || rr_status=$?
        if [ "$held" -ne 0 ]; then
                echo "nothing was held" >>"$BERTH_ROOT/held.out"
                rr_status=99
        fi
        rr_out=$(cat "$BERTH_ROOT/held.out")
}

@test "token expiry: a pull that outlives its token (expires_in 3 s) gets a second token and succeeds" {
        reg_start token K --expires 3
        reg_push_busybox K rr/exp:v1
        reg_proxy KX K --hold '^GET /v2/rr/exp/blobs/'
        rr_login "$KX_HOST" K
        : >"$K_TOKEN_LOG"
        rr_fresh_root pull-exp
        # paused at its first blob with a token that has 3 s to live
        rr_run_held KX 4 "$BERTH" pull "$KX_HOST/rr/exp:v1"
        echo "$rr_out"
        [ "$rr_status" -eq 0 ]
        [[ "$rr_out" == *"Status: Downloaded newer image for $KX_HOST/rr/exp:v1"* ]]
        # the token server saw a second token request, for the same scope and user
        [ "$(rr_tokens K)" -ge 2 ]
        [ "$(grep -c '"scope": \["repository:rr/exp:pull"\]' "$K_TOKEN_LOG")" -ge 2 ]
        ! grep -v '"user": "berthuser"' "$K_TOKEN_LOG" || false
        # the requests after the pause carried the new token
        sed -n '/^HOLD /,$p' "$KX_LOG" | tail -n +3 | grep -q ' 200 2$'
        run "$BERTH" run --rm "$KX_HOST/rr/exp:v1" echo pulled-after-refresh
        [ "$output" = pulled-after-refresh ]
        reg_stop KX
        reg_stop K
}

@test "token expiry: a push that outlives its token (issued_at 53 s ago, expires_in 60) gets a second token and succeeds" {
        reg_start token KI --expires 60 --issued-ago 53
        reg_proxy KIX KI --hold '^HEAD /v2/rr/pushexp/blobs/'
        rr_login "$KIX_HOST" KI
        "$BERTH" tag busybox:latest "$KIX_HOST/rr/pushexp:v1"
        # the token is due 2 s after it came (60 s from issued_at, less 5 s)
        rr_run_held KIX 3 "$BERTH" push "$KIX_HOST/rr/pushexp:v1"
        echo "$rr_out"
        [ "$rr_status" -eq 0 ]
        [ "$(rr_tokens KI)" -ge 2 ]
        grep '"status": 200' "$KI_TOKEN_LOG" | sed -n 2p | grep -q '"repository:rr/pushexp:pull,push"'
        sed -n '/^HOLD /,$p' "$KIX_LOG" | grep -q '^PUT /v2/rr/pushexp/manifests/v1 201 [2-9]'
        # an independent client reads what was pushed
        d=$(skopeo inspect --tls-verify=false --creds "$KI_USER:$KI_PASS" --raw "docker://$KI_HOST/rr/pushexp:v1" | sha256sum | cut -d' ' -f1)
        [[ "$rr_out" == *"v1: digest: sha256:$d size: "* ]]
        reg_stop KIX
        reg_stop KI
}

@test "token refused early: a 401 on a cached token gets one fresh token and one retry (pull and push)" {
        # each token is good for two requests at the registry
        reg_proxy KEX KE --token-uses 2
        rr_login "$KEX_HOST" KE
        : >"$KE_TOKEN_LOG"
        local root=$BERTH_ROOT
        rr_fresh_root pull-early
        run "$BERTH" pull "$KEX_HOST/rr/early:v1"
        echo "$output"
        [ "$status" -eq 0 ]
        # manifest and config with token 1, the layer refused with it, then fetched with token 2
        grep -q '^GET /v2/rr/early/blobs/sha256:[0-9a-f]* 401 1$' "$KEX_LOG"
        grep -q '^GET /v2/rr/early/blobs/sha256:[0-9a-f]* 200 2$' "$KEX_LOG"
        [ "$(rr_tokens KE)" -eq 2 ]
        # a push (requests with bodies are sent again after the 401)
        export BERTH_ROOT=$root
        : >"$KEX_LOG"
        "$BERTH" tag busybox:latest "$KEX_HOST/rr/early-push:v1"
        run "$BERTH" push "$KEX_HOST/rr/early-push:v1"
        echo "$output"
        [ "$status" -eq 0 ]
        grep -q ' 401 [0-9]*$' "$KEX_LOG"
        grep -q '^PUT /v2/rr/early-push/manifests/v1 201 ' "$KEX_LOG"
        # no request was refused twice in a row: each 401 was followed by a success
        ! awk '$3 == 401 { if (prev == $1" "$2) bad = 1; prev = $1" "$2; next } { prev = "" } END { exit !bad }' "$KEX_LOG" || false
        reg_stop KEX
}

@test "token refused always: one fresh token, one retry, then unauthorized (never a loop)" {
        reg_proxy KNX KE --refuse '^GET /v2/rr/never/blobs/'
        rr_login "$KNX_HOST" KE
        : >"$KE_TOKEN_LOG"
        rr_fresh_root pull-never
        run "$BERTH" pull "$KNX_HOST/rr/never:v1"
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        # the config blob: refused with token 1, refused with token 2, no third try
        [ "$(grep -c '^GET /v2/rr/never/blobs/' "$KNX_LOG")" -eq 2 ]
        grep -q '^GET /v2/rr/never/blobs/sha256:[0-9a-f]* 401 1$' "$KNX_LOG"
        grep -q '^GET /v2/rr/never/blobs/sha256:[0-9a-f]* 401 2$' "$KNX_LOG"
        [ "$(rr_tokens KE)" -eq 2 ]
        # no partial image
        run "$BERTH" image inspect "$KNX_HOST/rr/never:v1"
        [ "$status" -ne 0 ]
        reg_stop KNX
}
