#!/usr/bin/env bats
# berth run --link NAME[:ALIAS] on the default bridge, as docker's legacy
# links: /etc/hosts entry, ALIAS_NAME / ALIAS_PORT_* / ALIAS_ENV_*; the
# errors.  Subnets from 10.248.16.0/20, names wplk-*.

load common

setup_file() {
        berth_setup_file wplk 10.248.16.0/20:24
}

teardown_file() {
        berth_clean_root
}

@test "--link NAME:ALIAS: hosts entry, docker's variables, the alias answers" {
        "$BERTH" run -d --name wplk-srv -e FOO=bar -e HOME=/x -p 127.0.0.1::5000 busybox \
                httpd -f -p 5000 -h /etc
        ip=$("$BERTH" inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' wplk-srv)
        [ -n "$ip" ]
        run "$BERTH" run --rm --name wplk-cli --link wplk-srv:db-1 -e DB_1_ENV_FOO=mine busybox \
                sh -c 'grep -w db-1 /etc/hosts; env | grep ^DB_1_ | sort; wget -qO- http://db-1:5000/hostname'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ ${lines[0]} =~ ^$ip[[:space:]]db-1\ [0-9a-f]{12}\ wplk-srv$ ]]
        [[ $output == *"DB_1_NAME=/wplk-cli/db-1"* ]]
        [[ $output == *"DB_1_PORT=tcp://$ip:5000"* ]]
        [[ $output == *"DB_1_PORT_5000_TCP=tcp://$ip:5000"* ]]
        [[ $output == *"DB_1_PORT_5000_TCP_ADDR=$ip"* ]]
        [[ $output == *"DB_1_PORT_5000_TCP_PORT=5000"* ]]
        [[ $output == *"DB_1_PORT_5000_TCP_PROTO=tcp"* ]]
        [[ $output == *"DB_1_ENV_FOO=mine"* ]] # the container's own -e wins
        [[ $output != *"DB_1_ENV_HOME"* ]]
        [[ $output != *"DB_1_ENV_FOO=bar"* ]]
        # the target's hostname, through the link's hosts entry
        [ "${lines[-1]}" = "$("$BERTH" inspect -f '{{.Config.Hostname}}' wplk-srv)" ]
        # NAME alone: the alias is the name
        run "$BERTH" run --rm --link wplk-srv busybox sh -c 'env | grep ^WPLK_SRV_NAME='
        [[ $output == WPLK_SRV_NAME=/*/wplk-srv ]]
}

@test "--link errors: no such container, a stopped one, host network, empty alias" {
        run "$BERTH" run --rm --link wplk-nosuch busybox true
        [ "$status" -ne 0 ]
        [[ $output == *"could not get container for wplk-nosuch"* ]]
        "$BERTH" create --name wplk-stopped busybox true >/dev/null
        run "$BERTH" run --rm --name wplk-x --link wplk-stopped:s busybox true
        [ "$status" -ne 0 ]
        [[ $output == *"Cannot link to a non running container: /wplk-stopped AS /wplk-x/s"* ]]
        run "$BERTH" run --rm --network host --link wplk-srv busybox true
        [ "$status" -ne 0 ]
        [[ $output == *"can't be used with links"* ]]
        run "$BERTH" run --rm --link wplk-srv: busybox true
        [ "$status" -ne 0 ]
        [[ $output == *"expected NAME[:ALIAS]"* ]]
        run "$BERTH" ps -a
        [[ $output != *wplk-x* ]]
}

@test "compose links: and external_links: give hosts entries (no variables, as on a user network)" {
        "$BERTH" run -d --name wplk-ext busybox sleep 300 >/dev/null
        d=$(mktemp -d "$BERTH_ROOT/proj.XXXX")
        cat >"$d/compose.yaml" <<'Y'
services:
  srv:
    image: busybox
    command: httpd -f -p 5000 -h /etc
  cli:
    image: busybox
    command: sleep 300
    links: [srv:backend]
    external_links: [wplk-ext:ext]
Y
        run "$BERTH" compose -f "$d/compose.yaml" -p wplkc up -d
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output != *links* ]] # honoured: no "not supported" warning
        srv=$("$BERTH" inspect -f '{{.NetworkSettings.Networks.wplkc_default.IPAddress}}' wplkc-srv-1)
        ext=$("$BERTH" inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' wplk-ext)
        run "$BERTH" exec wplkc-cli-1 sh -c 'grep -w -e backend -e ext /etc/hosts; env | grep -c ^BACKEND_; wget -qO- http://backend:5000/hostname'
        echo "$output"
        [[ ${lines[0]} =~ ^$srv[[:space:]]backend\ [0-9a-f]{12}\ wplkc-srv-1$ ]]
        [[ ${lines[1]} =~ ^$ext[[:space:]]ext\ [0-9a-f]{12}\ wplk-ext$ ]]
        [ "${lines[2]}" = 0 ]
        [ "${lines[3]}" = "$("$BERTH" inspect -f '{{.Config.Hostname}}' wplkc-srv-1)" ]
        "$BERTH" compose -f "$d/compose.yaml" -p wplkc down -t 0 >/dev/null
        "$BERTH" rm -f wplk-ext >/dev/null
}
