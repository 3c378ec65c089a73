#!/bin/bash
# Entrypoint of berth's mariadb / mysql stand-in image.  It keeps the contract
# of the official image (written for berth, from that contract):
#
# - an argument list that starts with "-" is options for the server;
# - MARIADB_* or MYSQL_* (MARIADB_ wins), each also as NAME_FILE:
#   ROOT_PASSWORD, ALLOW_EMPTY_ROOT_PASSWORD (MYSQL_ALLOW_EMPTY_PASSWORD),
#   RANDOM_ROOT_PASSWORD, ROOT_HOST (default %), DATABASE, USER, PASSWORD,
#   INITDB_SKIP_TZINFO;
# - an empty data directory is initialised: system tables, time zones, root's
#   password, the database and the user, then /docker-entrypoint-initdb.d/
#   (*.sh run or sourced, *.sql, *.sql.gz, *.sql.xz fed to the client) against
#   a server listening on its socket only; a data directory that holds a
#   database is used as it is;
# - the server runs as PID 1 as user mysql and shuts down cleanly on SIGTERM.
set -eo pipefail
shopt -s nullglob

note() { printf '%s [Note] [Entrypoint]: %s\n' "$(date '+%F %T%:z')" "$*"; }
warn() { printf '%s [Warn] [Entrypoint]: %s\n' "$(date '+%F %T%:z')" "$*" >&2; }
die() {
        printf '%s [ERROR] [Entrypoint]: %s\n' "$(date '+%F %T%:z')" "$*" >&2
        exit 1
}

# env_or_file NAME: NAME, or the contents of the file NAME_FILE names.
env_or_file() {
        local name=$1 fname="$1_FILE" val=""
        if [ -n "${!name:-}" ] && [ -n "${!fname:-}" ]; then
                die "both $name and $fname are set (but are exclusive)"
        fi
        if [ -n "${!name:-}" ]; then
                val=${!name}
        elif [ -n "${!fname:-}" ]; then
                val=$(<"${!fname}")
        fi
        export "$name=$val"
        unset "$fname"
}

# setting SUFFIX [MYSQL_NAME]: MARIADB_SUFFIX, else MYSQL_NAME (default
# MYSQL_SUFFIX), exported as MARIADB_SUFFIX.
setting() {
        local m="MARIADB_$1" y="${2:-MYSQL_$1}"
        env_or_file "$m"
        env_or_file "$y"
        [ -n "${!m}" ] || export "$m=${!y}"
}

is_server() { # is "$1" the server, and not asked only for help or a version?
        case "$1" in mysqld | mariadbd | */mysqld | */mariadbd) ;; *) return 1 ;; esac
        local a
        for a in "$@"; do
                case "$a" in -'?' | --help | --print-defaults | -V | --version) return 1 ;; esac
        done
}

server_setting() { # the value the server would use for option $1 with our arguments
        "$@" --verbose --help 2>/dev/null | awk -v k="$1" '$1 == k { print $2; exit }'
}

sql_str() { # a SQL string literal of $1
        local s=${1//\\/\\\\}
        printf "'%s'" "${s//\'/\\\'}"
}

if [ "${1:0:1}" = '-' ]; then
        set -- mysqld "$@"
fi

if ! is_server "$@"; then
        exec "$@"
fi

# The server refuses options it does not know: say so before touching anything.
if ! out=$("$@" --verbose --help 2>&1 >/dev/null); then
        die "the server's options are wrong: $*"$'\n'"$out"
fi
datadir=$("$@" --verbose --help 2>/dev/null | awk '$1 == "datadir" { print $2; exit }')
socket=$("$@" --verbose --help 2>/dev/null | awk '$1 == "socket" { print $2; exit }')
datadir=${datadir%/}
: "${datadir:=/var/lib/mysql}" "${socket:=/run/mysqld/mysqld.sock}"

if [ "$(id -u)" = 0 ]; then
        mkdir -p "$datadir" "$(dirname "$socket")"
        find "$datadir" "$(dirname "$socket")" \! -user mysql -exec chown mysql:mysql '{}' +
        exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
fi

if [ ! -d "$datadir/mysql" ]; then
        setting ROOT_PASSWORD
        setting ALLOW_EMPTY_ROOT_PASSWORD MYSQL_ALLOW_EMPTY_PASSWORD
        setting RANDOM_ROOT_PASSWORD
        setting ROOT_HOST
        setting DATABASE
        setting USER
        setting PASSWORD
        setting INITDB_SKIP_TZINFO
        : "${MARIADB_ROOT_HOST:=%}"
        if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] &&
                [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
                die "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
        fi
        if [ "$MARIADB_USER" = root ]; then
                die "MARIADB_USER=root: root is made by MARIADB_ROOT_PASSWORD; choose another user name"
        fi
        if [ -n "$MARIADB_USER" ] && [ -z "$MARIADB_PASSWORD" ]; then
                warn "MARIADB_USER is set without MARIADB_PASSWORD: the user gets an empty password"
        fi

        note "Initializing database files"
        mariadb-install-db --datadir="$datadir" --rpm --auth-root-authentication-method=normal \
                --skip-test-db --default-time-zone=SYSTEM --skip-log-bin "${@:2}" >/dev/null
        note "Database files initialized"

        note "Starting temporary server"
        "$@" --skip-networking --default-time-zone=SYSTEM --socket="$socket" --skip-log-bin \
                --wsrep-on=OFF --loose-innodb-buffer-pool-load-at-startup=0 &
        tmp_pid=$!
        client=(mariadb --protocol=socket --socket="$socket" -uroot --batch --skip-column-names)
        for i in $(seq 1 300); do
                "${client[@]}" -e 'SELECT 1' >/dev/null 2>&1 && break
                kill -0 "$tmp_pid" 2>/dev/null || die "the temporary server exited during start-up"
                sleep 0.1
        done
        [ "$i" -lt 300 ] || die "the temporary server did not start within 30 seconds"
        note "Temporary server started."

        if [ -z "$MARIADB_INITDB_SKIP_TZINFO" ]; then
                mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo 2>/dev/null |
                        "${client[@]}" mysql
        fi
        if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
                MARIADB_ROOT_PASSWORD=$(tr -dc 'A-Za-z0-9_#%+=.,' </dev/urandom | head -c 32)
                note "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
        fi
        pw=$(sql_str "$MARIADB_ROOT_PASSWORD")
        {
                echo "SET @@SESSION.SQL_LOG_BIN=0;"
                echo "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');"
                echo "DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '%');"
                echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $pw;"
                if [ "$MARIADB_ROOT_HOST" != localhost ]; then
                        echo "CREATE USER 'root'@$(sql_str "$MARIADB_ROOT_HOST") IDENTIFIED BY $pw;"
                        echo "GRANT ALL ON *.* TO 'root'@$(sql_str "$MARIADB_ROOT_HOST") WITH GRANT OPTION;"
                        echo "GRANT PROXY ON ''@'%' TO 'root'@$(sql_str "$MARIADB_ROOT_HOST") WITH GRANT OPTION;"
                fi
                echo "DROP DATABASE IF EXISTS test;"
                if [ -n "$MARIADB_DATABASE" ]; then
                        note "Creating database ${MARIADB_DATABASE}" >&2
                        echo "CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE//\`/\`\`}\`;"
                fi
                if [ -n "$MARIADB_USER" ]; then
                        note "Creating user ${MARIADB_USER}" >&2
                        echo "CREATE USER $(sql_str "$MARIADB_USER")@'%' IDENTIFIED BY $(sql_str "$MARIADB_PASSWORD");"
                        if [ -n "$MARIADB_DATABASE" ]; then
                                note "Giving user ${MARIADB_USER} access to schema ${MARIADB_DATABASE}" >&2
                                echo "GRANT ALL ON \`${MARIADB_DATABASE//\`/\`\`}\`.* TO $(sql_str "$MARIADB_USER")@'%';"
                        fi
                fi
                echo "FLUSH PRIVILEGES;"
        } | "${client[@]}"

        # From here on the client needs root's password: give it in a file.
        cnf=$(mktemp /run/mysqld/.entrypoint.XXXXXX.cnf)
        printf '[client]\npassword="%s"\n' "$(printf '%s' "$MARIADB_ROOT_PASSWORD" | sed 's/\\/\\\\/g; s/"/\\"/g')" >"$cnf"
        client=(mariadb --defaults-extra-file="$cnf" --protocol=socket --socket="$socket" -uroot --batch)
        [ -z "$MARIADB_DATABASE" ] || client+=(--database="$MARIADB_DATABASE")
        for f in /docker-entrypoint-initdb.d/*; do
                case "$f" in
                *.sh)
                        if [ -x "$f" ]; then
                                note "$0: running $f"
                                "$f"
                        else
                                note "$0: sourcing $f"
                                # shellcheck disable=SC1090
                                . "$f"
                        fi
                        ;;
                *.sql) note "$0: running $f" && "${client[@]}" <"$f" ;;
                *.sql.gz) note "$0: running $f" && gunzip -c "$f" | "${client[@]}" ;;
                *.sql.xz) note "$0: running $f" && xz -dc "$f" | "${client[@]}" ;;
                *) note "$0: ignoring $f" ;;
                esac
        done
        rm -f "$cnf"

        note "Stopping temporary server"
        kill -TERM "$tmp_pid"
        wait "$tmp_pid" || die "the temporary server did not stop cleanly"
        note "Temporary server stopped"
        note "MariaDB init process done. Ready for start up."
fi

exec "$@"
