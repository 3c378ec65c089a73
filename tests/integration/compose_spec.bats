#!/usr/bin/env bats
# A compose service becomes a typed container spec: its mounts are checked
# with Docker's rules (base/mountspec), its further networks are recorded by
# the network glue with the same checks as the first.  Projects es*, subnets
# from 10.212.0.0/16.

load compose_common

setup_file() {
        compose_setup_file es 10.212.0.0/16:24
}

teardown_file() {
        compose_teardown_file
}

@test "a static address on a further network is checked against its subnet at create" {
        proj esnets <<'EOF2'
name: esnets
services:
  a:
    image: busybox
    command: ["true"]
    networks:
      one: {}
      two: { ipv4_address: 10.212.99.5 }
networks:
  one: { ipam: { config: [ { subnet: 10.212.70.0/24 } ] } }
  two: { ipam: { config: [ { subnet: 10.212.71.0/24 } ] } }
EOF2
        run bc esnets create
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid --ip for network esnets_two"* ]]
        [ -z "$("$BERTH" ps -aq --filter label=com.docker.compose.project=esnets)" ]
        sed -i 's/10.212.99.5/10.212.71.5/' "$BERTH_ROOT/p/esnets/compose.yaml"
        run bc esnets create
        [ "$status" -eq 0 ]
        run "$BERTH" inspect -f '{{(index .NetworkSettings.Networks "esnets_two").IPAMConfig.IPv4Address}}' esnets-a-1
        [ "$output" = "10.212.71.5" ]
        bc esnets down
}

@test "service mounts follow Docker's rules: a read-only anonymous volume, a target of /" {
        proj esmnt <<'EOF2'
name: esmnt
services:
  a:
    image: busybox
    command: ["true"]
    network_mode: none
    volumes: [ { type: volume, target: /data, read_only: true } ]
EOF2
        run bc esmnt create
        [ "$status" -ne 0 ]
        [[ "$output" == *"service a: invalid mount config for type \"volume\": must not set ReadOnly mode when using anonymous volumes"* ]]
        sed -i 's|target: /data, read_only: true|target: /|' "$BERTH_ROOT/p/esmnt/compose.yaml"
        run bc esmnt create
        [ "$status" -ne 0 ]
        [[ "$output" == *"destination can't be '/'"* ]]
        [ -z "$("$BERTH" ps -aq --filter label=com.docker.compose.project=esmnt)" ]
        [ -z "$(ls "$BERTH_ROOT/lib/volumes" 2>/dev/null)" ]
}
