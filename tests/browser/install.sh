#!/usr/bin/env bash
# Install the browser driver (puppeteer-core, pinned by package-lock.json)
# into a cache directory, never into the repository, and print that
# directory; NODE_PATH=<it>/node_modules lets node find it.
#
#   tests/browser/install.sh          (BERTH_BROWSER_CACHE, default
#                                      /var/cache/berth-images/browser)
# Exits 1 with the reason when node/npm are missing or npm fails.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../tools/npm-install.sh" "$here" puppeteer-core \
        "${BERTH_BROWSER_CACHE:-${BERTH_IMAGE_CACHE:-/var/cache/berth-images}/browser}"
