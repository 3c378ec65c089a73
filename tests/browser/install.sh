#!/usr/bin/env bash
# Install the browser driver (puppeteer-core, pinned by package-lock.json)
# into a cache directory, never into the repository, and print that
# directory; NODE_PATH=<it>/node_modules lets node find it.  Idempotent: the
# directory is named by a hash of package.json and package-lock.json.
#
#   tests/browser/install.sh          (BERTH_BROWSER_CACHE, default
#                                      /var/cache/berth-images/browser)
# Exits 1 with the reason when node/npm are missing or npm fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=${BERTH_BROWSER_CACHE:-${BERTH_IMAGE_CACHE:-/var/cache/berth-images}/browser}
command -v node >/dev/null || { echo "node not installed (make deps)"; exit 1; }
h=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-16)
dir=$base/$h
if [ ! -f "$dir/node_modules/puppeteer-core/package.json" ]; then
        command -v npm >/dev/null || { echo "npm not installed"; exit 1; }
        mkdir -p "$base"
        tmp=$(mktemp -d "$base/.tmp.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        cp "$here/package.json" "$here/package-lock.json" "$tmp/"
        (cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2) ||
                { echo "npm ci of tests/browser failed"; exit 1; }
        rm -rf "$dir"
        mv "$tmp" "$dir"
fi
echo "$dir"
