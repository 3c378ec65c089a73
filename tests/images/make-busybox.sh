#!/usr/bin/env bash
# Build the busybox test image (the default image of examples and tests) from
# Debian's busybox-static and import it as busybox:latest.
#
#   tests/images/make-busybox.sh                 import into $BERTH_ROOT (idempotent)
#   tests/images/make-busybox.sh --tar-only OUT  only write the rootfs tarball to OUT
#
# Environment: BERTH (the berth binary, default: berth in PATH), BERTH_ROOT,
# BUSYBOX (default /bin/busybox), IMAGE (default busybox:latest).
set -euo pipefail

BUSYBOX=${BUSYBOX:-/bin/busybox}
IMAGE=${IMAGE:-busybox:latest}
BERTH=${BERTH:-berth}
tar_only=""
if [ "${1:-}" = "--tar-only" ]; then
        [ -n "${2:-}" ] || { echo "usage: $0 [--tar-only OUT]" >&2; exit 2; }
        tar_only=$2
fi

if [ -z "$tar_only" ] && "$BERTH" image inspect "$IMAGE" >/dev/null 2>&1; then
        exit 0 # already there
fi
[ -x "$BUSYBOX" ] || { echo "$0: $BUSYBOX not found (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-busybox.XXXXXX)
trap 'rm -rf "$work"' EXIT
r=$work/rootfs
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,root,home/app,var/www,dev,proc,sys,run}
install -m 0755 "$BUSYBOX" "$r/bin/busybox"
"$BUSYBOX" --list-full | while read -r applet; do
        case $applet in bin/busybox | linuxrc | "") continue ;; esac
        mkdir -p "$r/$(dirname "$applet")"
        [ -e "$r/$applet" ] || ln -s /bin/busybox "$r/$applet"
done
cat >"$r/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$r/etc/group" <<'G'
root:x:0:
app:x:1000:
nogroup:x:65534:
G
: >"$r/etc/hosts"
: >"$r/etc/hostname"
: >"$r/etc/resolv.conf"
install -d -m 1777 "$r/tmp"
install -d -m 0700 "$r/root"

# Reproducible tarball: fixed owners, times and member order, so the layer
# (and its diff ID) is the same on every build.
out=${tar_only:-$work/rootfs.tar}
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 \
        -C "$r" -cf "$out" .
[ -n "$tar_only" ] && exit 0

"$BERTH" image import --change 'CMD ["sh"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$IMAGE" <"$out" >/dev/null
