# Registry fixtures for the registry tests (pull, push, login): a real
# registry (Debian's docker-registry, the distribution project's registry
# 2.8) on 127.0.0.1 with a free port, its own storage and a config.yml
# written here, in three set-ups, plus helpers to put test images into it
# with skopeo (an independent client) and a `registry:2` image for berth.
#
# Usage in a .bats file:
#
#   load registry_common
#   setup_file() {
#           reg_setup_file                  # REG_BASE=mktemp dir; BERTH_ROOT must be set by you
#           reg_start plain  P              # (a) plain HTTP
#           reg_start tls    T              # (b) TLS (CA made here) + htpasswd Basic auth
#           reg_start token  K              # (c) Bearer tokens from tests/tools/token_server.py
#           reg_start token-tls KT          # (c) with the registry and the token server on TLS
#   }
#   teardown_file() { reg_teardown_file; }  # stops every registry/token server by pid
#
# reg_start MODE NAME [--anonymous-pull] [--expires SECONDS] [--issued-ago SECONDS]
#           [--allow-urls REGEX]
#                              (token: the token server's token lifetime, and
#                              how far back it dates them; the URLs manifests
#                              may name for foreign layers) sets (exported):
#   NAME_HOST   127.0.0.1:PORT (the registry, for image references)
#   NAME_PORT   its port;  NAME_URL  http(s)://127.0.0.1:PORT
#   NAME_DIR    its directory: config.yml, storage/, registry.log, pid
#   NAME_PID, NAME_TOKEN_PID   the processes (also in NAME_DIR/pid, token.pid)
#   NAME_USER, NAME_PASS   the account (tls, token, token-tls); the registry
#               also knows no other account
#   NAME_CA     the CA certificate (tls, token-tls) that signed the server
#               certificate (CN/SAN 127.0.0.1 and localhost)
#   NAME_CERTS  a directory holding ca.crt, usable as skopeo's --*-cert-dir
#               and as /etc/docker/certs.d/HOST:PORT/ content
#   NAME_TOKEN_URL, NAME_TOKEN_LOG (token*): the realm and the token
#               server's request log (JSON lines: user, scope, status, access)
# reg_proxy NAME UPSTREAM [--hold REGEX] [--token-uses N] [--refuse REGEX]
#                              tests/tools/auth_proxy.py in front of token
#                              registry UPSTREAM (NAME_HOST, NAME_LOG,
#                              NAME_RELEASE: touch it to let a held request go)
#   NAME_SERVICE  the token service name (token*)
# The registry is started with the realm/service/issuer/rootcertbundle of
# Docker Hub's flow; an anonymous request to the token server gets a token
# with no access (so the registry keeps answering 401) unless
# --anonymous-pull is given, in which case anonymous pull is allowed.
#
# reg_stop NAME                stop one registry (and its token server)
# reg_skopeo_auth NAME DIR     print skopeo options for the registry NAME
#                              (--dest-*): creds and TLS set-up for DIR=dest|src
# reg_push_busybox NAME REPO:TAG [oci|v2s2]
#                              push the busybox test image ($BERTH_ROOT's
#                              busybox:latest, through `berth save` and
#                              skopeo's docker-archive: transport) with an OCI
#                              or a Docker v2 schema 2 manifest (default v2s2)
# reg_push_index NAME REPO:TAG [oci|v2s2]
#                              push a multi-arch index: linux/amd64 (the
#                              busybox image) and linux/arm64/v8 (same layers,
#                              config saying arm64), an OCI image index, or a
#                              Docker manifest list with v2s2
# reg_digest NAME REPO:TAG     print the manifest digest skopeo sees
# reg_make_registry_image [IMAGE]
#                              import `registry:2` (or IMAGE) into $BERTH_ROOT:
#                              /bin/registry from the docker-registry package
#                              with its libraries, config at
#                              /etc/docker/registry/config.yml (listen :5000,
#                              storage /var/lib/registry), ENTRYPOINT
#                              registry serve, CMD the config, EXPOSE 5000/tcp,
#                              VOLUME /var/lib/registry
#
# Needs the Debian packages docker-registry, skopeo, apache2-utils (htpasswd),
# openssl and python3-cryptography (`make deps`). Only loopback traffic.

REG_TOOLS=${BERTH_SRC:-.}/tests/tools
REG_NAMES=""

reg_setup_file() {
        REG_BASE=$(mktemp -d /tmp/berth-reg.XXXXXX)
        export REG_BASE
        command -v docker-registry >/dev/null || {
                echo "docker-registry not installed (make deps)" >&2
                return 1
        }
}

# reg_setup_root TAG POOLS: a private BERTH_ROOT (/tmp/berth-TAG.XXXXXX) with
# BERTH_ADDRESS_POOLS=POOLS, no berth config file, an empty DOCKER_CONFIG and
# the busybox image; then reg_setup_file.
reg_setup_root() {
        export BERTH_ROOT=$(mktemp -d "/tmp/berth-$1.XXXXXX")
        export BERTH_ADDRESS_POOLS=$2
        export BERTH_CONFIG=$BERTH_ROOT/no-config.json
        export DOCKER_CONFIG=$BERTH_ROOT/docker-config
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh"
        reg_setup_file
}

# Cleanup (teardown_file): the berth objects of the BERTH_ROOTs given (each a
# root the tests used: containers removed, the default bridge network
# removed), then every registry, token server and proxy this file started.
reg_cleanup_roots() {
        local r ids
        for r in "$@"; do
                [ -d "$r" ] || continue
                ids=$(BERTH_ROOT=$r "$BERTH" ps -aq --no-trunc 2>/dev/null) || true
                [ -z "$ids" ] || BERTH_ROOT=$r "$BERTH" rm -f -v $ids >/dev/null 2>&1 || true
                BERTH_ROOT=$r "$BERTH" network rm bridge >/dev/null 2>&1 || true
        done
}

reg_teardown_file() {
        local n d
        for n in $REG_NAMES; do reg_stop "$n"; done
        # and those a test started and could not stop (it failed half way;
        # its REG_NAMES died with it): every pid file left in REG_BASE
        for d in "${REG_BASE:-/nonexistent}"/*/; do
                reg_kill_pidfile "${d}pid"
                reg_kill_pidfile "${d}token.pid"
                reg_kill_pidfile "${d}proxy.pid"
        done
        # the servers of this file's own
        for d in "${REG_BASE:-/nonexistent}"/*.pid; do
                [ ! -f "$d" ] || reg_kill_pidfile "$d"
        done
        [ -z "${REG_BASE:-}" ] || rm -rf "$REG_BASE"
}

# A TCP port on 127.0.0.1 that nothing listens on now.
reg_free_port() {
        python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# reg_make_ca DIR: DIR/ca.crt, DIR/ca.key, and a server cert DIR/server.{crt,key}
# for 127.0.0.1 and localhost signed by it (made once per DIR).
reg_make_ca() {
        local d=$1
        [ -f "$d/server.crt" ] && return 0
        mkdir -p "$d"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=berth-test-ca \
                -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null || return 1
        openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
                -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
        openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
                -days 2 -extfile "$d/ext.cnf" -out "$d/server.crt" 2>/dev/null || return 1
        mkdir -p "$d/certs"
        cp "$d/ca.crt" "$d/certs/ca.crt"
}

# Wait until URL answers HTTP at all (any status), at most ~15 s.
reg_wait_http() {
        local url=$1 pid=$2 i
        for i in $(seq 1 150); do
                if curl -s -k -o /dev/null --max-time 1 "$url"; then return 0; fi
                kill -0 "$pid" 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}

# reg_wait_200 URL: wait (up to ~10 s) until URL answers 200; 1 if it never does
reg_wait_200() {
        local i c
        for i in $(seq 1 100); do
                c=$(curl -s -o /dev/null -w '%{http_code}' "$1") || true
                [ "$c" = 200 ] && return 0
                sleep 0.1
        done
        return 1
}

reg_set() { # NAME SUFFIX VALUE
        printf -v "$1_$2" '%s' "$3"
        export "${1:?}_$2"
}

reg_start() {
        local mode=$1 name=$2
        shift 2
        local anon="" expires=300 ago=0 valid=""
        while [ $# -gt 0 ]; do
                case $1 in
                --allow-urls) valid="validation:
  manifests:
    urls:
      allow:
        - '$2'"; shift ;;
                --anonymous-pull) anon=--anonymous-pull ;;
                --expires) expires=$2; shift ;;
                --issued-ago) ago=$2; shift ;;
                *) echo "reg_start: unknown option $1" >&2; return 2 ;;
                esac
                shift
        done
        local d=$REG_BASE/$name port scheme=http tls="" auth=""
        mkdir -p "$d/storage"
        port=$(reg_free_port)
        case $mode in
        plain) ;;
        tls | token-tls)
                reg_make_ca "$REG_BASE/ca" || return 1
                scheme=https
                tls="  tls:
    certificate: $REG_BASE/ca/server.crt
    key: $REG_BASE/ca/server.key"
                reg_set "$name" CA "$REG_BASE/ca/ca.crt"
                reg_set "$name" CERTS "$REG_BASE/ca/certs"
                ;;
        token) ;;
        *) echo "reg_start: mode must be plain, tls, token or token-tls" >&2; return 2 ;;
        esac
        case $mode in
        tls | token | token-tls)
                reg_set "$name" USER "berthuser"
                reg_set "$name" PASS "s3cret-$RANDOM$RANDOM"
                ;;
        esac
        local user_var=${name}_USER pass_var=${name}_PASS
        if [ "$mode" = tls ]; then
                printf '%s\n' "${!pass_var}" | htpasswd -niB "${!user_var}" >"$d/htpasswd" 2>/dev/null || return 1
                auth="auth:
  htpasswd:
    realm: berth-test-realm
    path: $d/htpasswd"
        fi
        if [ "$mode" = token ] || [ "$mode" = token-tls ]; then
                local tport tscheme=http ttls=()
                tport=$(reg_free_port)
                openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=berth-test-token-signer \
                        -keyout "$d/token.key" -out "$d/token.crt" 2>/dev/null || return 1
                printf '%s:%s\n' "${!user_var}" "${!pass_var}" >"$d/token-users"
                if [ "$mode" = token-tls ]; then
                        tscheme=https
                        ttls=(--tls-cert "$REG_BASE/ca/server.crt" --tls-key "$REG_BASE/ca/server.key")
                fi
                reg_set "$name" SERVICE "berth-test-registry"
                reg_set "$name" TOKEN_URL "$tscheme://127.0.0.1:$tport/token"
                reg_set "$name" TOKEN_LOG "$d/token.log"
                : >"$d/token.log"
                python3 "$REG_TOOLS/token_server.py" --port "$tport" --key "$d/token.key" \
                        --users "$d/token-users" --service berth-test-registry \
                        --issuer berth-test-issuer --expires "$expires" --issued-ago "$ago" $anon \
                        --log "$d/token.log" "${ttls[@]}" >"$d/token-server.out" 2>&1 3>&- &
                echo $! >"$d/token.pid"
                reg_set "$name" TOKEN_PID "$(cat "$d/token.pid")"
                reg_wait_http "$tscheme://127.0.0.1:$tport/" "$(cat "$d/token.pid")" || {
                        cat "$d/token-server.out" >&2
                        return 1
                }
                auth="auth:
  token:
    realm: $tscheme://127.0.0.1:$tport/token
    service: berth-test-registry
    issuer: berth-test-issuer
    rootcertbundle: $d/token.crt"
        fi
        cat >"$d/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $d/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: berth-test-$RANDOM$RANDOM
$tls
$auth
$valid
EOF
        docker-registry serve "$d/config.yml" >"$d/registry.log" 2>&1 3>&- &
        echo $! >"$d/pid"
        reg_set "$name" PID "$(cat "$d/pid")"
        REG_NAMES="$REG_NAMES $name"
        reg_set "$name" PORT "$port"
        reg_set "$name" HOST "127.0.0.1:$port"
        reg_set "$name" URL "$scheme://127.0.0.1:$port"
        reg_set "$name" DIR "$d"
        reg_set "$name" MODE "$mode"
        reg_wait_http "$scheme://127.0.0.1:$port/v2/" "$(cat "$d/pid")" || {
                echo "registry $name did not start:" >&2
                tail -20 "$d/registry.log" >&2
                return 1
        }
}

reg_kill_pidfile() { # FILE [PID if the file is gone]
        local f=$1 pid=${2:-} i
        [ -f "$f" ] && pid=$(cat "$f")
        [ -n "$pid" ] || return 0
        rm -f "$f"
        kill "$pid" 2>/dev/null || return 0
        for i in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || return 0
                sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
}

reg_stop() {
        local d=$REG_BASE/$1
        reg_kill_pidfile "$d/pid" "$(reg_var "$1" PID)"
        reg_kill_pidfile "$d/token.pid" "$(reg_var "$1" TOKEN_PID)"
        reg_kill_pidfile "$d/proxy.pid" "$(reg_var "$1" PROXY_PID)"
}

# reg_proxy NAME UPSTREAM [auth_proxy.py options]: tests/tools/auth_proxy.py
# in front of the token registry UPSTREAM, as registry NAME (NAME_HOST,
# NAME_LOG; NAME_RELEASE is the file that lets a --hold go; reg_stop NAME
# stops it).
reg_proxy() {
        local name=$1 up=$2 d port
        shift 2
        d=$REG_BASE/$name
        mkdir -p "$d"
        rm -f "$d/release"
        port=$(reg_free_port)
        : >"$d/proxy.log"
        python3 "$REG_TOOLS/auth_proxy.py" --port "$port" --upstream "$(reg_var "$up" HOST)" \
                --realm "$(reg_var "$up" TOKEN_URL)" --service "$(reg_var "$up" SERVICE)" \
                --log "$d/proxy.log" --release "$d/release" "$@" >"$d/proxy.out" 2>&1 3>&- &
        echo $! >"$d/proxy.pid"
        REG_NAMES="$REG_NAMES $name"
        reg_set "$name" PROXY_PID "$(cat "$d/proxy.pid")"
        reg_set "$name" HOST "127.0.0.1:$port"
        reg_set "$name" LOG "$d/proxy.log"
        reg_set "$name" RELEASE "$d/release"
        reg_wait_http "http://127.0.0.1:$port/v2/" "$(cat "$d/proxy.pid")" || {
                cat "$d/proxy.out" >&2
                return 1
        }
}

# reg_docker_config DIR HOST REG: DIR/config.json (0600) holding the account
# of registry REG for HOST (a registry, or a proxy in front of one)
reg_docker_config() {
        mkdir -p "$1"
        printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$2" \
                "$(printf '%s:%s' "$(reg_var "$3" USER)" "$(reg_var "$3" PASS)" | base64 -w0)" \
                >"$1/config.json"
        chmod 600 "$1/config.json"
}

reg_var() { # NAME SUFFIX: print NAME_SUFFIX
        local v=$1_$2
        printf '%s' "${!v:-}"
}

# Options for skopeo against registry NAME, as --src-* (DIR=src) or --dest-* (DIR=dest).
reg_skopeo_auth() {
        local name=$1 dir=$2 mode user certs
        mode=$(reg_var "$name" MODE)
        user=$(reg_var "$name" USER)
        certs=$(reg_var "$name" CERTS)
        if [ -n "$certs" ]; then
                echo "--$dir-cert-dir=$certs"
        else
                echo "--$dir-tls-verify=false"
        fi
        [ -z "$user" ] || echo "--$dir-creds=$user:$(reg_var "$name" PASS)"
        [ "$mode" != plain ] || true
}

# The busybox image as a docker-archive tarball (cached per file).
reg_busybox_archive() {
        local out=$REG_BASE/busybox-archive.tar
        if [ ! -s "$out" ]; then
                BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >&2 || return 1
                "$BERTH" save -o "$out" busybox:latest || return 1
        fi
        echo "$out"
}

reg_push_busybox() {
        local name=$1 ref=$2 fmt=${3:-v2s2} tar opts
        tar=$(reg_busybox_archive) || return 1
        mapfile -t opts < <(reg_skopeo_auth "$name" dest)
        skopeo copy -q --format "$fmt" "${opts[@]}" "docker-archive:$tar" \
                "docker://$(reg_var "$name" HOST)/$ref"
}

reg_digest() {
        local name=$1 ref=$2 opts
        mapfile -t opts < <(reg_skopeo_auth "$name" src | sed 's/^--src-/--/')
        skopeo inspect "${opts[@]}" --raw "docker://$(reg_var "$name" HOST)/$ref" |
                sha256sum | sed 's/^\([0-9a-f]*\).*/sha256:\1/'
}

# An OCI layout holding an index of two platforms, then pushed with --all.
reg_push_index() {
        local name=$1 ref=$2 fmt=${3:-oci} tar lay opts
        tar=$(reg_busybox_archive) || return 1
        lay=$REG_BASE/index-layout-$fmt
        rm -rf "$lay" "$lay.dir"
        skopeo copy -q --format oci "docker-archive:$tar" "oci:$lay:single" || return 1
        python3 - "$lay" "$fmt" <<'PY' || return 1
import hashlib, json, os, sys
lay, fmt = sys.argv[1], sys.argv[2]
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(lay, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d
def read(digest):
    with open(os.path.join(lay, "blobs", "sha256", digest.split(":", 1)[1]), "rb") as f:
        return f.read()
idx = json.load(open(os.path.join(lay, "index.json")))
single = idx["manifests"][0]
man = json.loads(read(single["digest"]))
cfg = json.loads(read(man["config"]["digest"]))
entries = []
for arch, variant in (("amd64", None), ("arm64", "v8")):
    c = dict(cfg)
    c["architecture"] = arch
    if variant:
        c["variant"] = variant
    cb = json.dumps(c, separators=(",", ":")).encode()
    m = dict(man)
    m["config"] = dict(man["config"], digest=blob(cb), size=len(cb))
    if fmt == "v2s2":
        m["mediaType"] = "application/vnd.docker.distribution.manifest.v2+json"
        m["config"]["mediaType"] = "application/vnd.docker.container.image.v1+json"
        m["layers"] = [dict(l, mediaType=l["mediaType"].replace(
            "application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar"))
            for l in man["layers"]]
        m["layers"] = [dict(l, mediaType=l["mediaType"].replace("diff.tar+gzip", "diff.tar.gzip"))
                       for l in m["layers"]]
        mt = m["mediaType"]
    else:
        m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
        mt = m["mediaType"]
    mb = json.dumps(m, separators=(",", ":")).encode()
    plat = {"architecture": arch, "os": "linux"}
    if variant:
        plat["variant"] = variant
    entries.append({"mediaType": mt, "digest": blob(mb), "size": len(mb), "platform": plat})
if fmt == "v2s2":
    index = {"schemaVersion": 2,
             "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
             "manifests": entries}
else:
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": entries}
ib = json.dumps(index, separators=(",", ":")).encode()
top = {"schemaVersion": 2, "manifests": [{
    "mediaType": index["mediaType"], "digest": blob(ib), "size": len(ib),
    "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}
json.dump(top, open(os.path.join(lay, "index.json"), "w"))
if fmt == "v2s2":
    # skopeo's oci: transport reads only OCI indexes: a Docker manifest
    # list goes through its dir: transport (manifest.json, HEX.manifest.json
    # per instance, blobs named by their hex digest)
    import shutil
    d = lay + ".dir"
    os.makedirs(d)
    with open(os.path.join(d, "version"), "w") as f:
        f.write("Directory Transport Version: 1.1\n")
    src = os.path.join(lay, "blobs", "sha256")
    for h in os.listdir(src):
        shutil.copyfile(os.path.join(src, h), os.path.join(d, h))
    with open(os.path.join(d, "manifest.json"), "wb") as f:
        f.write(ib)
    for e in entries:
        shutil.copyfile(os.path.join(src, e["digest"][7:]),
                        os.path.join(d, e["digest"][7:] + ".manifest.json"))
PY
        local src="oci:$lay:multi"
        [ "$fmt" != v2s2 ] || src="dir:$lay.dir"
        mapfile -t opts < <(reg_skopeo_auth "$name" dest)
        skopeo copy -q --all --preserve-digests "${opts[@]}" "$src" \
                "docker://$(reg_var "$name" HOST)/$ref"
}

reg_make_registry_image() {
        local image=${1:-registry:2} r lib
        r=$(mktemp -d /tmp/berth-regimg.XXXXXX)
        mkdir -p "$r/bin" "$r/etc/docker/registry" "$r/var/lib/registry" "$r/tmp" "$r/etc/ssl/certs"
        install -m 0755 /usr/bin/docker-registry "$r/bin/registry"
        for lib in $(ldd /usr/bin/docker-registry | grep -o '/[^ ]*'); do
                mkdir -p "$r$(dirname "$lib")"
                cp -L "$lib" "$r$lib"
        done
        [ ! -f /etc/ssl/certs/ca-certificates.crt ] || cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
        cat >"$r/etc/docker/registry/config.yml" <<'EOF'
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
EOF
        printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
        printf 'root:x:0:\n' >"$r/etc/group"
        tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C "$r" -cf "$r.tar" . &&
                "$BERTH" image import \
                        --change 'ENTRYPOINT ["/bin/registry", "serve"]' \
                        --change 'CMD ["/etc/docker/registry/config.yml"]' \
                        --change 'EXPOSE 5000/tcp' \
                        --change 'VOLUME ["/var/lib/registry"]' \
                        "$r.tar" "$image" >/dev/null
        local rc=$?
        rm -rf "$r" "$r.tar"
        return $rc
}
