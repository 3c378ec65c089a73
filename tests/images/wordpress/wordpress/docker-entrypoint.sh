#!/bin/bash
# Entrypoint of berth's wordpress stand-in image.  It keeps the contract of
# the official image (written for berth, from that contract): when the
# command is Apache (apache2*) or php-fpm,
#
# - WordPress is copied into the working directory (/var/www/html, a volume)
#   when it holds no WordPress yet (no index.php, no wp-includes/version.php);
#   files already there (a bind-mounted theme) are kept;
# - when there is no wp-config.php and a WORDPRESS_* variable is set,
#   wp-config.php is written from wp-config-docker.php, which reads
#   WORDPRESS_DB_HOST/USER/PASSWORD/NAME, WORDPRESS_TABLE_PREFIX,
#   WORDPRESS_CONFIG_EXTRA ... from the environment, with random keys and
#   salts;
# - then the command runs (Apache in the foreground, as PID 1).
set -euo pipefail

note() { printf 'WordPress: %s\n' "$*" >&2; }

case "${1:-}" in
apache2* | php-fpm) ;;
*) exec "$@" ;;
esac

if [ "$(id -u)" = 0 ]; then
        if [ -r /etc/apache2/envvars ]; then
                set +u # Debian's envvars reads unset variables
                # shellcheck disable=SC1091
                . /etc/apache2/envvars
                set -u
        fi
        user=${APACHE_RUN_USER:-www-data}
        group=${APACHE_RUN_GROUP:-www-data}
        user=${user#'#'} group=${group#'#'}
else
        user=$(id -u) group=$(id -g)
fi

if [ ! -e index.php ] && [ ! -e wp-includes/version.php ]; then
        if [ "$(id -u)" = 0 ] && [ "$(stat -c %u .)" = 0 ]; then
                chown "$user:$group" .
        fi
        note "no WordPress in $PWD: copying it now"
        if [ -n "$(find . -mindepth 1 -maxdepth 1 \! -name wp-content -print -quit)" ]; then
                note "$PWD is not empty: copying anyway, keeping the files there"
        fi
        args=(--create --file - --directory /usr/src/wordpress)
        [ "$(id -u)" != 0 ] || args+=(--owner "$user" --group "$group")
        tar "${args[@]}" . | tar --extract --file - --skip-old-files
        if [ ! -e .htaccess ]; then
                # WordPress's own rewrite rules, so that permalinks work at once
                cat >.htaccess <<'HT'
# BEGIN WordPress
<IfModule mod_rewrite.c>
RewriteEngine On
RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]
RewriteBase /
RewriteRule ^index\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /index.php [L]
</IfModule>
# END WordPress
HT
                [ "$(id -u)" != 0 ] || chown "$user:$group" .htaccess
        fi
        note "WordPress copied to $PWD"
fi

wp_vars=("${!WORDPRESS_@}")
if [ ! -s wp-config.php ] && [ "${#wp_vars[@]}" -gt 0 ]; then
        src=wp-config-docker.php
        [ -s "$src" ] || src=/usr/src/wordpress/wp-config-docker.php
        note "no wp-config.php in $PWD but ${wp_vars[*]} set: writing it from $src"
        # one random value per key and salt
        awk 'BEGIN { srand() }
             { while (index($0, "put your unique phrase here")) {
                   cmd = "head -c 30 /dev/urandom | od -An -tx1 | tr -d \" \\n\""
                   cmd | getline r; close(cmd)
                   sub(/put your unique phrase here/, r)
               }
               print }' "$src" >wp-config.php
        [ "$(id -u)" != 0 ] || chown "$user:$group" wp-config.php
fi

exec "$@"
