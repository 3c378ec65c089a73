#!/usr/bin/env bats
# A reboot without a daemon (issue 13): `berth system boot` restores networks
# and starts the containers whose restart policy asks for it.  The reboot is
# simulated: every berth process and container process of this root is
# killed with SIGKILL, the run directory emptied, the bridges and the nftables
# table deleted.  Containers lbt-*, project lbt, subnets 10.246.128.0/20,
# host port 18681 on 127.0.0.1.
bats_require_minimum_version 1.5.0
load common

setup_file() {
        berth_setup_file boot 10.246.136.0/21:24
        export PROJ=$BATS_FILE_TMPDIR/lbt
        mkdir -p "$PROJ"
        cat >"$PROJ/compose.yaml" <<'EOF'
name: lbt
services:
  db:
    image: busybox
    command: ["sleep", "300"]
    restart: always
  web:
    image: busybox
    command: ["sleep", "300"]
    restart: always
    depends_on: [db]
EOF
        "$BERTH" network create --subnet 10.246.128.0/24 lbtnet >/dev/null
        "$BERTH" run -d --name lbt-always --restart always --network lbtnet \
                -p 127.0.0.1:18681:8080 busybox httpd -f -p 8080 -h / >/dev/null
        "$BERTH" run -d --name lbt-always-stopped --restart always --network lbtnet busybox sleep 300 >/dev/null
        "$BERTH" run -d --name lbt-static --restart always --network lbtnet --ip 10.246.128.250 busybox sleep 300 >/dev/null
        "$BERTH" run -d --name lbt-unless --restart unless-stopped --network lbtnet busybox sleep 300 >/dev/null
        "$BERTH" run -d --name lbt-unless-stopped --restart unless-stopped --network lbtnet busybox sleep 300 >/dev/null
        "$BERTH" run -d --name lbt-onfail --restart on-failure --network lbtnet busybox sh -c 'exit 0' >/dev/null
        "$BERTH" run -d --name lbt-no --network lbtnet busybox sleep 300 >/dev/null
        "$BERTH" stop -t 1 lbt-unless-stopped lbt-always-stopped >/dev/null
        "$BERTH" compose -f "$PROJ/compose.yaml" up -d >/dev/null 2>&1
        # db is now newer than web: creation order alone would start web first
        "$BERTH" compose -f "$PROJ/compose.yaml" up -d --force-recreate --no-deps db >/dev/null 2>&1
        "$BERTH" wait lbt-onfail >/dev/null
}

teardown_file() {
        "$BERTH" compose -f "$PROJ/compose.yaml" down -t 1 >/dev/null 2>&1 || true
        for c in $("$BERTH" ps -aq 2>/dev/null); do "$BERTH" rm -f "$c" >/dev/null 2>&1; done
        "$BERTH" network rm lbtnet >/dev/null 2>&1 || true
        for _ in $(seq 50); do [ -z "$(ours)" ] && break; sleep 0.1; done
        rm -rf "$BERTH_ROOT"
}


status() { "$BERTH" inspect "$1" | jq -r '.[0].State.Status'; }

simulate_reboot() {
        local bridges pids inits
        bridges=$(for n in $("$BERTH" network ls -q); do
                "$BERTH" network inspect "$n" | jq -r '.[0].Options["com.docker.network.bridge.name"] // empty'
        done)
        inits=$("$BERTH" inspect $("$BERTH" ps -q) | jq -r '.[].State.Pid')
        pids=$(ours)
        kill -9 $pids $inits 2>/dev/null || true
        for p in $pids $inits; do
                for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.02; done
        done
        [ -z "$(ours)" ]
        rm -rf "$BERTH_ROOT/run"
        for b in $bridges; do ip link del "$b" 2>/dev/null || true; done
        nft delete table ip "$(table)" 2>/dev/null || true
        for b in $bridges; do ! ip link show "$b" >/dev/null 2>&1; done
}

@test "system boot after a simulated reboot starts always and unless-stopped containers" {
        simulate_reboot
        run "$BERTH" system boot
        [ "$status" -eq 0 ]
        [ "$(status lbt-always)" = running ]
        [ "$(status lbt-always-stopped)" = running ] # always: even if the user stopped it, as Docker
        [ "$(status lbt-static)" = running ]
        [ "$(status lbt-unless)" = running ]
        [ "$(status lbt-unless-stopped)" = exited ]  # the user stopped it
        [ "$(status lbt-onfail)" = exited ]
        [ "$("$BERTH" inspect lbt-onfail | jq -r '.[0].State.ExitCode')" = 0 ]
        [ "$(status lbt-no)" = exited ]
        [ "$(status lbt-db-1)" = running ]
        [ "$(status lbt-web-1)" = running ]
}

@test "networks, published ports and names are back" {
        for _ in $(seq 50); do
                timeout 2 busybox wget -qO- http://127.0.0.1:18681/ >/dev/null 2>&1 && break
                sleep 0.1
        done
        timeout 2 busybox wget -qO /dev/null http://127.0.0.1:18681/bin/busybox
        "$BERTH" exec lbt-unless nslookup lbt-always >/dev/null
        "$BERTH" exec lbt-web-1 nslookup db >/dev/null
        # a static address (--ip) is the one it had, and its name says so
        [ "$("$BERTH" inspect lbt-static | jq -r '.[0].NetworkSettings.Networks.lbtnet.IPAddress')" = 10.246.128.250 ]
        "$BERTH" exec lbt-static ip -o -4 addr show eth0 | grep -q ' 10.246.128.250/24 '
        "$BERTH" exec lbt-unless nslookup lbt-static | grep -q '^Address: 10.246.128.250$'
}

@test "compose containers start in dependency order" {
        db=$("$BERTH" inspect lbt-db-1 | jq -r '.[0].State.StartedAt')
        web=$("$BERTH" inspect lbt-web-1 | jq -r '.[0].State.StartedAt')
        [[ "$db" < "$web" ]]
}

@test "a second boot starts nothing twice" {
        run "$BERTH" system boot
        [ "$status" -eq 0 ]
        pid=$("$BERTH" inspect lbt-always | jq -r '.[0].State.Pid')
        kill -0 "$pid"
        run "$BERTH" system boot
        [ "$("$BERTH" inspect lbt-always | jq -r '.[0].State.Pid')" = "$pid" ]
}

@test "start clears the user's stop: unless-stopped comes back at the next boot" {
        "$BERTH" start lbt-unless-stopped >/dev/null
        simulate_reboot
        "$BERTH" system boot >/dev/null
        [ "$(status lbt-unless-stopped)" = running ]
}

@test "make install puts the binaries side by side and a boot unit that runs system boot" {
        d=$BATS_FILE_TMPDIR/dest
        make -C "$BERTH_SRC" --no-print-directory B="${BERTH_BUILD#$BERTH_SRC/}" install DESTDIR="$d" PREFIX=/usr >/dev/null
        for b in berth berth-monitor berth-dns; do [ -x "$d/usr/bin/$b" ]; done
        unit=$d/usr/lib/systemd/system/berth-boot.service
        grep -qx 'ExecStart=/usr/bin/berth system boot' "$unit"
        grep -qx 'Type=oneshot' "$unit"
        grep -qx 'WantedBy=multi-user.target' "$unit"
}
