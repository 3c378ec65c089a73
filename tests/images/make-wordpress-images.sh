#!/usr/bin/env bash
# Build the stand-in images of the awesome-compose wordpress-mysql stack from
# Debian's packages, with berth itself:
#
#   mariadb:10.6.4-focal, mysql:5.7   Debian's MariaDB server + tests/images/wordpress/mariadb
#   wordpress:latest                  Apache, mod_php, Debian's WordPress + .../wordpress
#
# 1. mmdebstrap makes a Debian bookworm root filesystem tarball per image with
#    every package it needs (only Debian's mirror is reached, and only here);
# 2. `berth image import` makes base images of them;
# 3. `berth build --network none` adds the entrypoints (no RUN needs a network).
#
# Idempotent: the tarballs are cached in $BERTH_IMAGE_CACHE (default
# /var/cache/berth-images) under a hash of their recipe, and the finished
# images as a `berth save` archive under a hash of the recipe and the
# Dockerfile directories, so a fresh BERTH_ROOT only loads one archive.
#
#   tests/images/make-wordpress-images.sh            build/load into $BERTH_ROOT
#   tests/images/make-wordpress-images.sh --check    exit 0 if the images can be had
#                                                    (cached, or mmdebstrap present), else
#                                                    print the reason and exit 1
#   tests/images/make-wordpress-images.sh --rootfs-only   only make the cached tarballs
#   tests/images/make-wordpress-images.sh --hash     print the hash of the recipe (which
#                                                    names the cached archive; caches made
#                                                    from these images, like a registry's
#                                                    storage, can be named by it too)
#
# Environment: BERTH (default: berth in PATH), BERTH_ROOT, BERTH_IMAGE_CACHE,
# DEBIAN_MIRROR (default http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-berth}
CACHE=${BERTH_IMAGE_CACHE:-/var/cache/berth-images}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=bookworm

# The recipes: packages per image.  Changing one changes its hash.
PKGS_mariadb="mariadb-server mariadb-client gzip tzdata"
PKGS_wordpress="apache2 libapache2-mod-php php-mysql php-gd php-curl php-xml php-mbstring php-zip php-intl
                wordpress wordpress-theme-twentytwentythree ca-certificates"
IMAGES_mariadb="mariadb:10.6.4-focal mysql:5.7"
IMAGES_wordpress="wordpress:latest"

# What mmdebstrap runs besides the packages (part of the hash).
MMDEB_OPTS=(--variant=apt --format=tar
        --dpkgopt='path-exclude=/usr/share/man/*'
        --dpkgopt='path-exclude=/usr/share/locale/*'
        --dpkgopt='path-include=/usr/share/locale/locale.alias'
        --dpkgopt='path-exclude=/usr/share/doc/*'
        --dpkgopt='path-include=/usr/share/doc/*/copyright'
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log "$1"/var/log/apt/*'
        --customize-hook='if [ -d "$1"/var/lib/mysql ]; then find "$1"/var/lib/mysql -mindepth 1 -delete; fi')

recipe() { # the text whose hash names image $1's tarball
        local v="PKGS_$1"
        printf '%s\n' "$SUITE" "${!v}" "${MMDEB_OPTS[@]}" | tr -s ' \n' ' '
}
hash_of() { sha256sum | cut -c1-16; }

rootfs_hash() { recipe "$1" | hash_of; }
final_hash() { # recipe of everything + the Dockerfile directories' contents
        {
                recipe mariadb
                recipe wordpress
                echo "$IMAGES_mariadb $IMAGES_wordpress"
                (cd "$here/wordpress" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
        } | hash_of
}

all_present() {
        local i
        for i in $IMAGES_mariadb $IMAGES_wordpress; do
                "$BERTH" image inspect "$i" >/dev/null 2>&1 || return 1
        done
        local l
        l=$("$BERTH" image inspect wordpress:latest 2>/dev/null |
                jq -r '.[0].Config.Labels["org.berth.recipe"] // empty') || return 1
        [ "$l" = "$(final_hash)" ]
}

saved=$CACHE/wordpress-stack-$(final_hash).tar

if [ "${1:-}" = "--hash" ]; then
        final_hash
        exit 0
fi

if [ "${1:-}" = "--check" ]; then
        [ -s "$saved" ] && exit 0
        for n in mariadb wordpress; do
                [ -s "$CACHE/debian-$SUITE-$n-$(rootfs_hash $n).tar" ] || {
                        command -v mmdebstrap >/dev/null || {
                                echo "mmdebstrap not installed and no cached image archive in $CACHE (make deps)"
                                exit 1
                        }
                        break
                }
        done
        exit 0
fi

all_present && exit 0

if [ -s "$saved" ]; then
        "$BERTH" load -i "$saved" >/dev/null
        all_present && exit 0
fi

mkdir -p "$CACHE"
lock=$CACHE/.lock
exec 9>"$lock"
flock 9 # one builder at a time per cache

rootfs() { # build (or reuse) the tarball of image $1, print its path
        local n=$1 h out v
        h=$(rootfs_hash "$n")
        out=$CACHE/debian-$SUITE-$n-$h.tar
        if [ ! -s "$out" ]; then
                command -v mmdebstrap >/dev/null || {
                        echo "$0: mmdebstrap not found (apt-get install mmdebstrap, or make deps)" >&2
                        exit 1
                }
                v="PKGS_$n"
                echo "make-wordpress-images: mmdebstrap $SUITE for $n (packages: $(echo ${!v}))" >&2
                mmdebstrap --quiet "${MMDEB_OPTS[@]}" --include="$(echo ${!v} | tr ' ' ',')" \
                        "$SUITE" "$out.tmp" \
                        "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
                        "deb $SECMIRROR $SUITE-security main" >&2
                mv "$out.tmp" "$out"
        fi
        echo "$out"
}

if [ "${1:-}" = "--rootfs-only" ]; then
        rootfs mariadb
        rootfs wordpress
        exit 0
fi

fh=$(final_hash)
for n in mariadb wordpress; do
        tarball=$(rootfs "$n")
        base=berth-debian/$n:$(rootfs_hash "$n")
        "$BERTH" image inspect "$base" >/dev/null 2>&1 ||
                "$BERTH" image import \
                        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
                        --change 'CMD ["bash"]' "$tarball" "$base" >/dev/null
        v="IMAGES_$n"
        tags=()
        for t in ${!v}; do tags+=(-t "$t"); done
        "$BERTH" build -q --network none --build-arg "BASE=$base" --label "org.berth.recipe=$fh" \
                "${tags[@]}" "$here/wordpress/$n" >/dev/null
done
"$BERTH" save -o "$saved.tmp" $IMAGES_mariadb $IMAGES_wordpress
mv "$saved.tmp" "$saved"
# older archives of this stack are stale now
find "$CACHE" -maxdepth 1 -name 'wordpress-stack-*.tar' ! -name "$(basename "$saved")" -delete
