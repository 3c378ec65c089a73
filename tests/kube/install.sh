#!/usr/bin/env bash
# Install the Kubernetes schema validator (kubernetes-models and yaml, pinned
# by package-lock.json) into a cache directory and print that directory, for
# BERTH_KUBE_MODELS=<it> node tests/kube/validate.mjs FILE...
#
#   tests/kube/install.sh             (BERTH_KUBE_CACHE, default
#                                      /var/cache/berth-images/kube)
# Exits 1 with the reason when node/npm are missing or npm fails.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../tools/npm-install.sh" "$here" kubernetes-models \
        "${BERTH_KUBE_CACHE:-${BERTH_IMAGE_CACHE:-/var/cache/berth-images}/kube}"
