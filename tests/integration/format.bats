#!/usr/bin/env bats
# --format with Go templates on real commands: the same templates as
# Docker's documentation (tests/data/format/docker-docs.json holds Docker's
# printed output for them; test_base_gotemplate checks the engine against
# it), here run through berth's own commands and fields.
# Containers cf-*, networks cf-*, volumes cf-*, subnets from 10.216.0.0/16.
bats_require_minimum_version 1.5.0
load rt_common

setup_file() {
        rt_setup_file
        export BERTH_ADDRESS_POOLS=10.216.0.0/21:24
        "$BERTH" run -d --name cf-web -l com.example.tier=front -l app=shop busybox sleep 600 >/dev/null
        "$BERTH" create --name cf-idle busybox true >/dev/null
}
teardown_file() {
        [ -z "${CF_PROJ:-}" ] || "$BERTH" compose -p cfproj -f "$CF_PROJ/compose.yaml" down >/dev/null 2>&1 || true
        "$BERTH" volume rm cf-vol >/dev/null 2>&1 || true
        "$BERTH" network rm cf-net >/dev/null 2>&1 || true
        rt_teardown_file
}

@test "ps --format: fields, .Label, table headers, json lines" {
        run --separate-stderr "$BERTH" ps -a --format '{{.Names}}: {{.State}} {{.Image}} {{.Command}}'
        [ "$status" -eq 0 ]
        [[ "$output" == *"cf-web: running busybox \"sleep 600\""* ]]
        [[ "$output" == *"cf-idle: created busybox \"true\""* ]]
        run --separate-stderr "$BERTH" ps --format '{{.Names}} {{.Label "com.example.tier"}} {{.Label "nope"}}|'
        [ "$output" = "cf-web front |" ]
        run --separate-stderr "$BERTH" ps --format '{{.Labels}}'
        [ "$output" = "app=shop,com.example.tier=front" ] || [ "$output" = "com.example.tier=front,app=shop" ]
        # table: docker's headers, columns as docker's tabwriter aligns them
        run --separate-stderr "$BERTH" ps -a --format 'table {{.Names}}\t{{.State}}'
        [ "${lines[0]}" = "NAMES     STATE" ]
        [[ "$output" == *$'\n'"cf-web    running"* ]]
        [[ "$output" == *$'\n'"cf-idle   created"* ]]
        # the default table is the same engine
        run --separate-stderr "$BERTH" ps
        [[ "${lines[0]}" == "CONTAINER ID   IMAGE     COMMAND       CREATED"*"STATUS"*"PORTS"*"NAMES" ]]
        # json: one object per line, keys sorted, as docker's
        run --separate-stderr "$BERTH" ps --format json
        [ "$(echo "$output" | jq -r '.Names')" = cf-web ]
        [ "$(echo "$output" | jq -r 'keys | join(",")')" = \
                "Command,CreatedAt,ID,Image,Labels,LocalVolumes,Mounts,Names,Networks,Ports,RunningFor,Size,State,Status" ]
        [ "$(echo "$output" | jq -r '.RunningFor')" != "" ]
        [[ "$(echo "$output" | jq -r '.RunningFor')" == *" ago" ]]
        run --separate-stderr "$BERTH" ps --format '{{json .}}'
        [ "$(echo "$output" | jq -r '.State')" = running ]
        run --separate-stderr "$BERTH" ps --format '{{range $i, $n := split .Names "-"}}{{if $i}}+{{end}}{{upper $n}}{{end}} {{printf "%.3s|%5s" .ID "x"}}'
        [[ "$output" == "CF+WEB "???"|    x" ]]
}

@test "ps --format: a bad template fails with Go's message and prints nothing" {
        run --separate-stderr "$BERTH" ps --format '{{.Names'
        [ "$status" -eq 125 ]
        [ -z "$output" ]
        [[ "$stderr" == *"template parsing error: template: :1: unclosed action"* ]]
        run --separate-stderr "$BERTH" ps -a --format '{{.Names}} {{.Nope}}'
        [ "$status" -eq 125 ]
        [ -z "$output" ]
        [[ "$stderr" == *'template: :1:13: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.ContainerContext'* ]]
        run --separate-stderr "$BERTH" ps --format '{{nosuch .}}'
        [ "$status" -eq 125 ]
        [[ "$stderr" == *'function "nosuch" not defined'* ]]
}

@test "images --format: fields, table, json" {
        run --separate-stderr "$BERTH" images --format '{{.Repository}}:{{.Tag}} {{len .ID}}'
        [ "$status" -eq 0 ]
        [ "$output" = "busybox:latest 12" ]
        run --separate-stderr "$BERTH" images --format 'table {{.Repository}}\t{{.Tag}}'
        [ "${lines[0]}" = "REPOSITORY   TAG" ]
        [ "${lines[1]}" = "busybox      latest" ]
        run --separate-stderr "$BERTH" images --format json
        [ "$(echo "$output" | jq -r '.Repository + ":" + .Tag')" = busybox:latest ]
        [[ "$output" == *'"Digest":"\u003cnone\u003e"'* ]]
        run --separate-stderr "$BERTH" images --no-trunc --format '{{slice .ID 0 7}}'
        [ "$output" = "sha256:" ]
}

@test "history --format: docker's historyContext fields, table, json (cf-)" {
        run --separate-stderr "$BERTH" history --format '{{.ID}}|{{.CreatedBy}}|{{.Comment}}|{{.CreatedAt}}' busybox
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^[0-9a-f]{12}\|berth\ import\|\|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
        run --separate-stderr "$BERTH" image history --format 'table {{.ID}}\t{{.CreatedSince}}' busybox
        [[ "${lines[0]}" =~ ^IMAGE\ +CREATED$ ]]
        run --separate-stderr "$BERTH" history --format json busybox
        [ "$(echo "$output" | jq -r 'keys | join(",")')" = "Comment,CreatedAt,CreatedBy,CreatedSince,ID,Size" ]
        run --separate-stderr "$BERTH" history --format '{{.Nope}}' busybox
        [ "$status" -eq 125 ]
        [[ "$stderr" == *"can't evaluate field Nope in type *formatter.historyContext"* ]]
}

@test "inspect --format: Docker's documented templates on a real container" {
        run --separate-stderr "$BERTH" inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' cf-web
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^10\.216\.[0-9]+\.[0-9]+$ ]]
        run --separate-stderr "$BERTH" inspect --format '{{.Config.Image}} {{lower .Name}} {{upper .Name}} {{split .Config.Image ":"}}' cf-web
        [ "$output" = "busybox /cf-web /CF-WEB [busybox]" ]
        run --separate-stderr "$BERTH" inspect --format '{{join .Args " , "}}|{{json .Config.Labels}}|{{index .Config.Labels "app"}}|{{index .Config.Labels "none"}}|' cf-web
        [ "$output" = '600|{"app":"shop","com.example.tier":"front"}|shop||' ] ||
                [ "$output" = '600|{"com.example.tier":"front","app":"shop"}|shop||' ]
        run --separate-stderr "$BERTH" inspect --format '{{if .State.Running}}up{{else}}down{{end}} {{.State.Pid | printf "%d" | len | lt 0}}' cf-web cf-idle
        [ "${lines[0]}" = "up true" ]
        [ "${lines[1]}" = "down true" ]
        run --separate-stderr "$BERTH" inspect --format '{{.State.Missing}} {{.Name.Foo}}' cf-web
        [ "$status" -eq 125 ]
        [[ "$stderr" == *"can't evaluate field Foo in type string"* ]]
        # json is the default document; image inspect takes templates too
        run --separate-stderr "$BERTH" inspect --format json cf-web
        [ "$(echo "$output" | jq -r '.[0].Name')" = /cf-web ]
        run --separate-stderr "$BERTH" image inspect --format '{{.Os}}/{{.Architecture}} {{len .RepoTags}}' busybox
        [ "$status" -eq 0 ]
        [[ "$output" == linux/*" 1" ]]
}

@test "network and volume ls/inspect --format" {
        "$BERTH" network create --subnet 10.216.40.0/24 --label team=blue cf-net >/dev/null
        "$BERTH" volume create --label size=big cf-vol >/dev/null
        run --separate-stderr "$BERTH" network ls --format '{{.Name}} {{.Driver}} {{.Label "team"}}'
        [ "$status" -eq 0 ]
        [[ "$output" == *"cf-net bridge blue"* ]]
        run --separate-stderr "$BERTH" network ls --format 'table {{.Name}}\t{{.Scope}}'
        [ "${lines[0]}" = "NAME      SCOPE" ]
        [[ "$output" == *$'\n'"cf-net    local"* ]]
        run --separate-stderr "$BERTH" network ls --format json
        [ "$(echo "$output" | jq -r 'select(.Name == "cf-net") | .Labels + " " + (.ID | length | tostring)')" = "team=blue 12" ]
        run --separate-stderr "$BERTH" network inspect --format '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Name}}' cf-net
        [ "$output" = "10.216.40.0/24 cf-net" ]
        run --separate-stderr "$BERTH" volume ls --format '{{.Name}}: {{.Driver}} {{.Label "size"}}'
        [ "$output" = "cf-vol: local big" ]
        run --separate-stderr "$BERTH" volume ls --format 'table {{.Name}}\t{{.Driver}}'
        [ "${lines[0]}" = "VOLUME NAME   DRIVER" ]
        [ "${lines[1]}" = "cf-vol        local" ]
        run --separate-stderr "$BERTH" volume inspect --format '{{ .Mountpoint }}' cf-vol
        [ "$output" = "$BERTH_ROOT/lib/volumes/cf-vol/_data" ]
        run --separate-stderr "$BERTH" volume ls --format json
        [ "$(echo "$output" | jq -r .Mountpoint)" = "$BERTH_ROOT/lib/volumes/cf-vol/_data" ]
}

@test "system df, info and version --format" {
        run --separate-stderr "$BERTH" system df --format '{{.Type}}: {{.TotalCount}}'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Images: 1" ]
        [ "${lines[1]}" = "Containers: 2" ]
        run --separate-stderr "$BERTH" system df --format json
        [ "$(echo "$output" | jq -r 'select(.Type == "Containers") | .Active')" = 1 ]
        run --separate-stderr "$BERTH" system df
        [[ "${lines[0]}" == "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE" ]]
        run --separate-stderr "$BERTH" info --format '{{.Containers}} {{.ContainersRunning}} {{.Images}} {{.OSType}}'
        [ "$output" = "2 1 1 linux" ]
        run --separate-stderr "$BERTH" info --format json
        [ "$(echo "$output" | jq -r .NCPU)" -ge 1 ]
        run --separate-stderr "$BERTH" version --format '{{.Server.Version}}'
        [ -n "$output" ]
        [ "$output" = "$("$BERTH" version --format json | jq -r .Client.Version)" ]
}

@test "compose ps, ls and images --format" {
        export CF_PROJ=$BATS_FILE_TMPDIR/proj
        mkdir -p "$CF_PROJ"
        printf 'services:\n  app:\n    image: busybox\n    command: sleep 600\n    labels:\n      tier: back\n' >"$CF_PROJ/compose.yaml"
        cd "$CF_PROJ"
        "$BERTH" compose -p cfproj up -d >/dev/null 2>&1
        run --separate-stderr "$BERTH" compose -p cfproj ps --format '{{.Service}} {{.State}} {{.Label "tier"}}'
        [ "$output" = "app running back" ]
        run --separate-stderr "$BERTH" compose -p cfproj ps --format 'table {{.Name}}\t{{.Service}}'
        [ "${lines[0]}" = "NAME           SERVICE" ]
        [ "${lines[1]}" = "cfproj-app-1   app" ]
        run --separate-stderr "$BERTH" compose -p cfproj ps --format json
        [ "$(echo "$output" | jq -r .Service)" = app ]
        run --separate-stderr "$BERTH" compose ls --format '{{.Name}} {{.Status}}'
        [ "$output" = "cfproj running(1)" ]
        run --separate-stderr "$BERTH" compose -p cfproj images --format '{{.ContainerName}} {{.Repository}}:{{.Tag}}'
        [ "$output" = "cfproj-app-1 busybox:latest" ]
        run --separate-stderr "$BERTH" compose -p cfproj images --format json
        [ "$(echo "$output" | jq -r '.[0].Repository')" = busybox ]
        "$BERTH" compose -p cfproj down >/dev/null 2>&1
}
