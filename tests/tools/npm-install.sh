#!/usr/bin/env bash
# Install the npm packages of a test tool directory (its package.json, pinned
# by its package-lock.json) into a cache directory, never into the
# repository, and print that directory.  Idempotent: the cache entry is named
# by a hash of package.json and package-lock.json.  npm reaches only its
# registry, from the host.
#
#   tests/tools/npm-install.sh SRC_DIR MODULE CACHE_BASE
#     SRC_DIR     the directory holding package.json and package-lock.json
#     MODULE      a module whose package.json shows the install is complete
#     CACHE_BASE  where the entries go (one per hash)
# Exits 1 with the reason when node/npm are missing or npm fails.
set -euo pipefail
src=$1 module=$2 base=$3
command -v node >/dev/null || { echo "node not installed (make deps)"; exit 1; }
h=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
dir=$base/$h
if [ ! -f "$dir/node_modules/$module/package.json" ]; then
        command -v npm >/dev/null || { echo "npm not installed"; exit 1; }
        mkdir -p "$base"
        tmp=$(mktemp -d "$base/.tmp.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        cp "$src/package.json" "$src/package-lock.json" "$tmp/"
        (cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2) ||
                { echo "npm ci of $src failed"; exit 1; }
        rm -rf "$dir"
        mv "$tmp" "$dir"
fi
echo "$dir"
