#!/usr/bin/env bats
# --sysctl (run/create) and compose's sysctls: docker's allowed list, values
# written inside the container's own namespaces (the host's never change),
# errors naming the key.  Projects nm*, subnets from 10.231.176.0/20.

load compose_common

setup_file() {
        compose_setup_file sy 10.231.176.0/20:24
}

teardown_file() {
        compose_teardown_file
}

host_values() { # the host's values of the sysctls the tests set
        cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/core/somaxconn /proc/sys/kernel/shmmax \
                /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max /proc/sys/net/ipv4/tcp_syncookies
}

@test "run --sysctl: net.* in the container's network namespace, kernel.shm* in its IPC namespace" {
        before=$(host_values)
        # the opposite of what a container gets by default
        def=$("$BERTH" run --rm busybox cat /proc/sys/net/ipv4/ip_forward)
        want=$((1 - def))
        som=$(($(cat /proc/sys/net/core/somaxconn) + 7))
        run "$BERTH" run --rm --sysctl net.ipv4.ip_forward=$want --sysctl net.core.somaxconn=$som \
                --sysctl kernel.shmmax=123456789 --sysctl net.ipv4.conf.eth0.rp_filter=2 busybox \
                cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/core/somaxconn \
                /proc/sys/kernel/shmmax /proc/sys/net/ipv4/conf/eth0/rp_filter
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$want" ]
        [ "${lines[1]}" = "$som" ]
        [ "${lines[2]}" = 123456789 ]
        [ "${lines[3]}" = 2 ]
        [ "$(host_values)" = "$before" ]
}

@test "the values are recorded in HostConfig.Sysctls; /proc/sys stays read-only" {
        "$BERTH" create --name nmsy --sysctl kernel.shmmni=1234 --sysctl fs.mqueue.msg_max=20 \
                busybox sh -c 'cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max; echo 5 >/proc/sys/kernel/shmmni'
        run "$BERTH" inspect nmsy
        [ "$(echo "$output" | jq -c '.[0].HostConfig.Sysctls')" = '{"fs.mqueue.msg_max":"20","kernel.shmmni":"1234"}' ]
        run "$BERTH" start -a nmsy
        echo "$output"
        [ "$status" -ne 0 ]
        [ "${lines[0]}" = 1234 ]
        [ "${lines[1]}" = 20 ]
        [[ "$output" == *"Read-only file system"* ]]
        "$BERTH" rm nmsy
}

@test "keys docker does not allow are refused before anything is created" {
        before=$(host_values)
        run "$BERTH" run -d --sysctl vm.swappiness=10 busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"sysctl 'vm.swappiness' is not allowed"* ]]
        run "$BERTH" create --sysctl kernel.domainname=example.org busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"sysctl 'kernel.domainname' is not allowed"* ]]
        run "$BERTH" run --rm --network host --sysctl net.ipv4.ip_forward=0 busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"sysctl 'net.ipv4.ip_forward' not allowed in host network namespace"* ]]
        run "$BERTH" run --rm --sysctl net.ipv4.ip_forward busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"expected KEY=VALUE"* ]]
        [ -z "$("$BERTH" ps -aq)" ]
        [ "$(host_values)" = "$before" ]
}

@test "a value the kernel refuses fails the start with the key and errno" {
        run "$BERTH" run --rm --sysctl kernel.shmmax=notanumber busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"sysctl kernel.shmmax=notanumber: Invalid argument"* ]]
        run "$BERTH" run -d --name nmsybad --sysctl net.ipv4.nosuch=1 busybox sleep 30
        [ "$status" -eq 125 ]
        [[ "$output" == *"sysctl net.ipv4.nosuch=1: No such file or directory"* ]]
        run "$BERTH" inspect nmsybad
        [ "$(echo "$output" | jq -r '.[0].State.Running')" = false ]
        [[ "$(echo "$output" | jq -r '.[0].State.Error')" == *"net.ipv4.nosuch"* ]]
        "$BERTH" rm nmsybad
        [ -z "$("$BERTH" ps -aq)" ]
}

@test "compose sysctls, map and list forms; a refused key names the service" {
        before=$(host_values)
        mkdir -p "$BERTH_ROOT/p/nmsys"
        cat >"$BERTH_ROOT/p/nmsys/compose.yaml" <<'EOF'
services:
  m:
    image: busybox
    command: ["sleep", "300"]
    sysctls:
      net.ipv4.tcp_syncookies: 0
      kernel.shmmni: "1234"
  l:
    image: busybox
    command: ["sleep", "300"]
    sysctls:
      - net.core.somaxconn=1001
      - fs.mqueue.msg_max=20
EOF
        C=(compose -f "$BERTH_ROOT/p/nmsys/compose.yaml")
        run "$BERTH" "${C[@]}" up -d
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *"sysctls"* ]] # no "not supported" warning
        [ "$("$BERTH" "${C[@]}" exec m cat /proc/sys/net/ipv4/tcp_syncookies /proc/sys/kernel/shmmni | tr '\n' ' ')" = "0 1234 " ]
        [ "$("$BERTH" "${C[@]}" exec l cat /proc/sys/net/core/somaxconn /proc/sys/fs/mqueue/msg_max | tr '\n' ' ')" = "1001 20 " ]
        [ "$("$BERTH" inspect nmsys-l-1 | jq -c '.[0].HostConfig.Sysctls')" = '{"fs.mqueue.msg_max":"20","net.core.somaxconn":"1001"}' ]
        [ "$(host_values)" = "$before" ]
        "$BERTH" "${C[@]}" down -t 0
        cat >"$BERTH_ROOT/p/nmsys/compose.yaml" <<'EOF'
services:
  bad:
    image: busybox
    sysctls: {vm.swappiness: 10}
EOF
        run "$BERTH" "${C[@]}" up -d
        [ "$status" -ne 0 ]
        [[ "$output" == *"service bad: sysctl 'vm.swappiness' is not allowed"* ]]
        "$BERTH" "${C[@]}" down -t 0
        [ -z "$("$BERTH" ps -aq)" ]
}
