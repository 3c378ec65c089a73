#!/bin/sh
# gen-docs.sh BERTH OUTDIR - man pages and shell completions, generated from
# the berth binary itself so that they cannot drift from it:
#   - the command tree and its summaries from `berth __commands` (the command
#     tables of src/main.c, the compose table, the group tables);
#   - each page's synopsis, description and options from `berth CMD --help`.
# Writes OUTDIR/man/man1/berth*.1, OUTDIR/man/man5/berth-compose.5 and
# OUTDIR/completion/{berth.bash,_berth,berth.fish}.
set -eu

BERTH=${1:?usage: gen-docs.sh BERTH OUTDIR}
OUT=${2:?usage: gen-docs.sh BERTH OUTDIR}
VERSION=$("$BERTH" version --format '{{.Client.Version}}' 2>/dev/null || echo dev)
# --help of every command runs against an empty state directory of its own
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
export BERTH_ROOT="$ROOT"

rm -rf "$OUT/man" "$OUT/completion" # no page of a command that is gone
mkdir -p "$OUT/man/man1" "$OUT/man/man5" "$OUT/completion"
TREE="$OUT/commands.txt"
"$BERTH" __commands >"$TREE.tmp"
mv "$TREE.tmp" "$TREE"

# troff-safe text: backslashes, and lines starting with . or '
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

help_of() { # PATH: its --help text ("" when the command has none), run once
        f="$ROOT/help-$(echo "$1" | tr ' ' '-')"
        if [ ! -e "$f" ]; then
                # shellcheck disable=SC2086
                timeout 10 "$BERTH" $1 --help </dev/null 2>/dev/null | sed 's/\t/        /g' >"$f" || true
        fi
        cat "$f"
}

# the --help text of a command, split into SYNOPSIS / DESCRIPTION / OPTIONS
man_body() { # PATH SUMMARY
        help_of "$1" | awk -v path="$1" -v summary="$2" '
        /^Usage:/ { sub(/^Usage:[ \t]*/, ""); usage = usage (usage ? "\n" : "") $0; next }
        # a second synopsis line, indented under the first
        sect == "" && usage != "" && desc == "" && /^[ \t]+berth / { sub(/^[ \t]+/, ""); usage = usage "\n" $0; next }
        /^[A-Za-z][A-Za-z ()/,.-]*:[ \t]*$/ { sect = $0; sub(/:[ \t]*$/, "", sect); next }
        sect == "" && usage != "" && !desc_done {
                if ($0 ~ /^[ \t]*$/) { if (desc != "") desc_done = 1; next }
                desc = desc (desc ? "\n" : "") $0; next
        }
        sect == "Options" {
                if ($0 ~ /^[ \t]*-/) {
                        line = $0; sub(/^[ \t]*/, "", line)
                        n = match(line, /   +/)
                        if (n) { flag = substr(line, 1, n - 1); text = substr(line, n); sub(/^ +/, "", text) }
                        else { flag = line; text = "" }
                        nopt++; optflag[nopt] = flag; opttext[nopt] = text
                } else if (nopt && $0 !~ /^[ \t]*$/) {
                        line = $0; sub(/^[ \t]*/, "", line)
                        opttext[nopt] = opttext[nopt] (opttext[nopt] ? " " : "") line
                }
                next
        }
        sect == "Commands" { next } # the COMMANDS section comes from the tree
        sect != "" && $0 !~ /^[ \t]*$/ {
                line = $0; sub(/^[ \t]*/, "", line)
                other[sect] = other[sect] (other[sect] ? "\n" : "") line
                if (!(sect in seen)) { seen[sect] = 1; order[++nsect] = sect }
        }
        END {
                print ".SH SYNOPSIS"
                if (usage == "") usage = "berth " path " [OPTIONS]"
                n = split(usage, u, "\n")
                for (i = 1; i <= n; i++) {
                        # a group verb sharing the --help of a top-level command
                        # ("container ls" prints "berth ps ..."): its own name
                        if (index(path, " ") && index(u[i], "berth " path) != 1 && u[i] ~ /^berth [a-z]/)
                                sub(/^berth [a-z][a-z-]*/, "berth " path, u[i])
                        print (i > 1 ? ".br\n" : "") "\\fB" u[i] "\\fR"
                }
                print ".SH DESCRIPTION"
                print summary "."
                if (desc != "" && desc != summary) { print ".PP"; print desc }
                if (nopt) {
                        print ".SH OPTIONS"
                        for (i = 1; i <= nopt; i++) {
                                f = optflag[i]; gsub(/-/, "\\-", f)
                                print ".TP"; print "\\fB" f "\\fR"; print (opttext[i] != "" ? opttext[i] : "(no description)")
                        }
                }
                for (i = 1; i <= nsect; i++) {
                        s = order[i]
                        print ".SH " toupper(s); print ".nf"; print other[s]; print ".fi"
                }
        }' | sed -e 's/\\\([^efBRI-]\)/\\e\1/g' -e "s/^\\([.']\\)\\([^A-Za-z]\\)/\\\\\\&\\1\\2/"
}

page_name() { echo "berth-$1" | tr ' ' '-'; }

# berth-PATH(1) for every command and verb
while IFS='	' read -r path summary; do
        name=$(page_name "$path")
        {
                printf '.TH %s 1 "" "berth %s" "berth manual"\n' \
                        "$(echo "$name" | tr 'a-z' 'A-Z')" "$VERSION"
                printf '.SH NAME\n%s \\- %s\n' "$name" "$(echo "$summary" | esc)"
                man_body "$path" "$(echo "$summary" | esc)"
                subs=$(awk -F'\t' -v p="$path" 'index($1, p " ") == 1 && split($1, a, " ") == split(p, b, " ") + 1 { print }' "$TREE")
                if [ -n "$subs" ]; then
                        echo ".SH COMMANDS"
                        echo "$subs" | while IFS='	' read -r sp ss; do
                                printf '.TP\n\\fB%s\\fR(1)\n%s\n' "$(page_name "$sp")" "$(echo "$ss" | esc)"
                        done
                fi
                printf '.SH SEE ALSO\n\\fBberth\\fR(1)'
                [ "$path" = compose ] && printf ', \\fBberth-compose\\fR(5)'
                printf '\n'
        } >"$OUT/man/man1/$name.1"
done <"$TREE"

# berth(1)
{
        printf '.TH BERTH 1 "" "berth %s" "berth manual"\n' "$VERSION"
        printf '.SH NAME\nberth \\- daemonless container engine and Compose orchestrator\n'
        printf '.SH SYNOPSIS\n\\fBberth\\fR [\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR] \\fICOMMAND\\fR [\\fIARG\\fR...]\n'
        printf '.SH DESCRIPTION\n'
        printf 'berth runs OCI containers and Compose projects without a daemon: every\n'
        printf 'command does its work in the calling process and exits.  Its command line\n'
        printf 'follows the Docker CLI.  State lives under \\fI/var/lib/berth\\fR, or under\n'
        printf '\\fB$BERTH_ROOT\\fR when that is set.\n'
        printf '.SH COMMANDS\n'
        awk -F'\t' '$1 !~ / / { print }' "$TREE" | while IFS='	' read -r p s; do
                printf '.TP\n\\fB%s\\fR(1)\n%s\n' "$(page_name "$p")" "$(echo "$s" | esc)"
        done
        printf '.SH ENVIRONMENT\n.TP\n\\fBBERTH_ROOT\\fR\nThe state directory (default \\fI/var/lib/berth\\fR).\n'
        printf '.SH SEE ALSO\n\\fBberth\\-compose\\fR(5)\n'
} >"$OUT/man/man1/berth.1"

# berth-compose(5)
cat >"$OUT/man/man5/berth-compose.5" <<EOF
.TH BERTH-COMPOSE 5 "" "berth $VERSION" "berth manual"
.SH NAME
berth-compose \\- the Compose file format, as berth reads it
.SH SYNOPSIS
\\fBcompose.yaml\\fR, \\fBcompose.yml\\fR, \\fBdocker\\-compose.yaml\\fR, \\fBdocker\\-compose.yml\\fR
.SH DESCRIPTION
\\fBberth compose\\fR reads Compose files as defined by the Compose Specification
(https://compose\\-spec.io, https://github.com/compose\\-spec/compose\\-spec):
top\\-level \\fBservices\\fR, \\fBnetworks\\fR, \\fBvolumes\\fR, \\fBconfigs\\fR and \\fBsecrets\\fR,
with variable interpolation from the environment and \\fB.env\\fR, \\fBextends\\fR,
\\fBinclude\\fR, profiles and merging of several \\fB\\-f\\fR files.
.PP
\\fBberth compose config\\fR prints the file as berth resolved it;
\\fBberth compose config \\-\\-services\\fR lists the services.
.SH SEE ALSO
\\fBberth\\-compose\\fR(1), \\fBberth\\-compose\\-config\\fR(1)
EOF

# --- completions -------------------------------------------------------
# per command: its verbs, its options (from --help) and what its arguments
# name (CONTAINER, IMAGE, NETWORK, VOLUME, SERVICE in its usage line)
DATA="$OUT/completion/data.tmp"
: >"$DATA"
{
        printf '\t%s\n' "$(awk -F'\t' '$1 !~ / / { printf "%s ", $1 }' "$TREE")"
} >"$DATA.subs"
while IFS='	' read -r path summary; do
        h=$(help_of "$path")
        subs=$(awk -F'\t' -v p="$path" 'index($1, p " ") == 1 && split($1, a, " ") == split(p, b, " ") + 1 { sub(/.* /, "", $1); printf "%s ", $1 }' "$TREE")
        # the flag column of the Options lines (not the descriptions)
        opts=$(echo "$h" | awk '/^Options:/ { o = 1; next } /^[A-Za-z].*:[ \t]*$/ { o = 0 }
                o && /^[ \t]*-/ { sub(/^[ \t]*/, ""); n = match($0, /   /); print (n ? substr($0, 1, n) : $0) }' |
                grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,]*//' | sort -u | tr '\n' ' ')
        use=$(echo "$h" | sed -n 's/^Usage:[ \t]*//p' | sed 's/\[OPTIONS\]//')
        kinds=""
        case "$use" in *CONTAINER* | *NAME\|ID*) kinds="$kinds containers" ;; esac
        case "$use" in *IMAGE* | *NAME\[:TAG* | *NAME\|ID*) kinds="$kinds images" ;; esac
        case "$use" in *NETWORK*) kinds="$kinds networks" ;; esac
        case "$use" in *VOLUME*) kinds="$kinds volumes" ;; esac
        case "$use" in *SERVICE*) kinds="$kinds services" ;; esac
        printf '%s\t%s\t%s\t%s\n' "$path" "$subs" "$opts" "$kinds" >>"$DATA"
done <"$TREE"

# compose's own options that take a value ("-f, --file FILE"): the completion
# skips their values on the way to the verb
CARGS=$(help_of compose | awk '/^Options:/ { o = 1; next } /^[A-Za-z].*:[ \t]*$/ { o = 0 }
        o && /^[ \t]*-/ { sub(/^[ \t]*/, ""); n = match($0, /   /); f = (n ? substr($0, 1, n) : $0)
                if (f ~ /-[A-Za-z0-9-]+ [A-Za-z]/) print f }' |
        grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,]*//' | sort -u | tr '\n' ' ')

# bash
{
        cat <<'EOF'
# bash completion for berth - generated by tools/gen-docs.sh from the berth
# binary; do not edit.
EOF
        printf "_berth_compose_argopts='%s'\n" "$CARGS"
        echo '_berth_subs() {'
        echo '        case "$1" in'
        printf '        "") echo "%s" ;;\n' "$(cut -f2 "$DATA.subs")"
        awk -F'\t' '$2 != "" { printf "        \"%s\") echo \"%s\" ;;\n", $1, $2 }' "$DATA"
        echo '        esac'
        echo '}'
        echo '_berth_opts() {'
        echo '        case "$1" in'
        printf '        "") echo "--help --version" ;;\n'
        awk -F'\t' '$3 != "" { printf "        \"%s\") echo \"%s\" ;;\n", $1, $3 }' "$DATA"
        echo '        esac'
        echo '}'
        echo '_berth_kinds() {'
        echo '        case "$1" in'
        awk -F'\t' '$4 != "" { printf "        \"%s\") echo \"%s\" ;;\n", $1, $4 }' "$DATA"
        echo '        esac'
        echo '}'
        cat <<'EOF'
# the names of one kind, asked of berth itself
_berth_names() { # BERTH KIND [COMPOSE-GLOBALS...]
        local b=$1 kind=$2
        shift 2
        case "$kind" in
        containers) "$b" ps -a --format '{{.Names}}' ;;
        images) "$b" images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' ;;
        networks) "$b" network ls --format '{{.Name}}' ;;
        volumes) "$b" volume ls --format '{{.Name}}' ;;
        services) "$b" compose "$@" config --services ;;
        esac 2>/dev/null
}
_berth() {
        local cur=${COMP_WORDS[COMP_CWORD]} b=${COMP_WORDS[0]} path="" w i k
        local -a globals=()
        for ((i = 1; i < COMP_CWORD; i++)); do
                w=${COMP_WORDS[i]}
                if [[ $path == compose && $w == -* ]]; then
                        globals+=("$w")
                        if [[ " $_berth_compose_argopts " == *" $w "* ]]; then
                                ((i + 1 < COMP_CWORD)) && globals+=("${COMP_WORDS[i + 1]}")
                                ((i++))
                        fi
                        continue
                fi
                [[ $w == -* ]] && continue
                if [[ " $(_berth_subs "$path") " == *" $w "* ]]; then
                        path=${path:+$path }$w
                fi
        done
        if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$(_berth_opts "$path")" -- "$cur"))
                return
        fi
        local subs=$(_berth_subs "$path")
        if [[ -n $subs ]]; then
                COMPREPLY=($(compgen -W "$subs" -- "$cur"))
                return
        fi
        local names=""
        for k in $(_berth_kinds "$path"); do
                names+=" $(_berth_names "$b" "$k" "${globals[@]}")"
        done
        COMPREPLY=($(compgen -W "$names" -- "$cur"))
        [[ ${#COMPREPLY[@]} -gt 0 || -n $names ]] || COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _berth berth
EOF
} >"$OUT/completion/berth.bash"

# zsh: the same tables, with the summaries shown next to the verbs
{
        cat <<'EOF'
#compdef berth
# zsh completion for berth - generated by tools/gen-docs.sh from the berth
# binary; do not edit.
EOF
        echo 'typeset -gA _berth_verbs _berth_optv _berth_kindv'
        printf "typeset -g _berth_compose_argopts='%s'\n" "$CARGS"
        # verbs with their summaries (name:summary lines), per parent path
        awk -F'\t' '{
                p = $1; n = split(p, a, " "); parent = ""
                for (i = 1; i < n; i++) parent = parent (i > 1 ? " " : "") a[i]
                s = $2; gsub(/\x27/, "", s); gsub(/:/, "\\:", s)
                v[parent] = v[parent] a[n] ":" s "\n"
        } END { for (k in v) { printf "_berth_verbs+=(\x27%s\x27 \x27%s\x27)\n", (k == "" ? "_" : k), v[k] } }' "$TREE"
        awk -F'\t' '$3 != "" { printf "_berth_optv+=(\x27%s\x27 \x27%s\x27)\n", $1, $3 }' "$DATA"
        awk -F'\t' '$4 != "" { printf "_berth_kindv+=(\x27%s\x27 \x27%s\x27)\n", $1, $4 }' "$DATA"
        cat <<'EOF'
_berth() {
        local b=${words[1]} path="" w i k key
        local -a verbs names globals
        for ((i = 2; i < CURRENT; i++)); do
                w=${words[i]}
                if [[ $path == compose && $w == -* ]]; then
                        globals+=($w)
                        if [[ " $_berth_compose_argopts " == *" $w "* ]]; then
                                globals+=(${words[i + 1]}); ((i++))
                        fi
                        continue
                fi
                [[ $w == -* ]] && continue
                key=${path:-_}
                verbs=(${(f)_berth_verbs[$key]})
                if (( ${verbs[(I)$w:*]} )); then
                        path=${path:+$path }$w
                fi
        done
        if [[ ${words[CURRENT]} == -* ]]; then
                compadd -- ${=_berth_optv[$path]}
                return
        fi
        key=${path:-_}
        if [[ -n ${_berth_verbs[$key]} ]]; then
                verbs=(${(f)_berth_verbs[$key]})
                _describe -t commands 'berth command' verbs
                return
        fi
        for k in ${=_berth_kindv[$path]}; do
                case $k in
                containers) names+=(${(f)"$($b ps -a --format '{{.Names}}' 2>/dev/null)"}) ;;
                images) names+=(${(f)"$($b images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null)"}) ;;
                networks) names+=(${(f)"$($b network ls --format '{{.Name}}' 2>/dev/null)"}) ;;
                volumes) names+=(${(f)"$($b volume ls --format '{{.Name}}' 2>/dev/null)"}) ;;
                services) names+=(${(f)"$($b compose $globals config --services 2>/dev/null)"}) ;;
                esac
        done
        if (( ${#names} )); then
                compadd -- $names
        else
                _files
        fi
}
compdef _berth berth
EOF
} >"$OUT/completion/_berth"

# fish: one `complete` line per verb and per option
{
        cat <<'EOF'
# fish completion for berth - generated by tools/gen-docs.sh from the berth
# binary; do not edit.
function __berth_path
    set -l words (commandline -opc)
    set -l path
    for w in $words[2..-1]
        string match -q -- '-*' $w; and continue
        if contains -- "$w" (__berth_verbs (string join ' ' $path))
            set path $path $w
        end
    end
    string join ' ' $path
end
function __berth_at
    set -l p (__berth_path)
    test "$p" = "$argv[1]"
end
function __berth_names
    set -l b (commandline -opc)[1]
    for k in $argv
        switch $k
            case containers
                $b ps -a --format '{{.Names}}' 2>/dev/null
            case images
                $b images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null
            case networks
                $b network ls --format '{{.Name}}' 2>/dev/null
            case volumes
                $b volume ls --format '{{.Name}}' 2>/dev/null
            case services
                $b compose config --services 2>/dev/null
        end
    end
end
complete -c berth -f
EOF
        echo 'function __berth_verbs'
        echo '    switch "$argv[1]"'
        printf "        case ''\n            string split ' ' -- %s\n" "$(cut -f2 "$DATA.subs" | sed 's/ *$//')"
        awk -F'\t' '$2 != "" { s = $2; sub(/ +$/, "", s); printf "        case \x27%s\x27\n            string split \x27 \x27 -- %s\n", $1, s }' "$DATA"
        echo '    end'
        echo 'end'
        awk -F'\t' '{
                p = $1; n = split(p, a, " "); parent = ""
                for (i = 1; i < n; i++) parent = parent (i > 1 ? " " : "") a[i]
                s = $2; gsub(/\x27/, "", s)
                printf "complete -c berth -n \"__berth_at \x27%s\x27\" -a %s -d \x27%s\x27\n", parent, a[n], s
        }' "$TREE"
        awk -F'\t' '$4 != "" { k = $4; sub(/^ +/, "", k); printf "complete -c berth -n \"__berth_at \x27%s\x27\" -a \"(__berth_names %s)\"\n", $1, k }' "$DATA"
        awk -F'\t' '$3 != "" { n = split($3, o, " "); for (i = 1; i <= n; i++) {
                if (o[i] ~ /^--/) printf "complete -c berth -n \"__berth_at \x27%s\x27\" -l %s\n", $1, substr(o[i], 3)
                else printf "complete -c berth -n \"__berth_at \x27%s\x27\" -s %s\n", $1, substr(o[i], 2) } }' "$DATA"
} >"$OUT/completion/berth.fish"
rm -f "$DATA" "$DATA.subs"
