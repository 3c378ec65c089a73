# The docker.io mirror of the wordpress-mysql stack's stand-in images, for
# tests/integration/wordpress.bats and bench/wordpress.sh: a loopback
# docker-registry (registry_common.bash's `reg_start plain M`) holding
# library/mariadb:10.6.4-focal and library/wordpress:latest.  They are pushed
# there with `berth push` once (tests/images/make-wordpress-images.sh builds
# them into BERTH_ROOT first); the registry's storage is then cached beside
# the image archive under the recipe's hash, so later runs only copy it.
# BERTH_ROOT is left with no image of the stack: a client pulls them.
#
#   wp_mirror_setup STATE   (after reg_setup_file; BERTH, BERTH_SRC and
#                           BERTH_ROOT set) starts registry M (M_URL, M_HOST,
#                           M_DIR, M_PID) and writes STATE/berth-config.json,
#                           a BERTH_CONFIG naming it in registry-mirrors;
#                           the image build's output goes to STATE/images.log
wp_mirror_setup() {
        local state=$1 images=$BERTH_SRC/tests/images/make-wordpress-images.sh hash cache i
        hash=$("$images" --hash)
        cache=${BERTH_IMAGE_CACHE:-/var/cache/berth-images}/wordpress-registry-$hash
        if [ -d "$cache/docker" ]; then
                mkdir -p "$REG_BASE/M"
                cp -a "$cache" "$REG_BASE/M/storage"
                reg_start plain M || return 1
        else
                reg_start plain M || return 1
                BERTH=$BERTH "$images" >"$state/images.log" 2>&1 || {
                        cat "$state/images.log"
                        return 1
                }
                for i in mariadb:10.6.4-focal wordpress:latest; do
                        "$BERTH" tag "$i" "$M_HOST/library/$i" || return 1
                        "$BERTH" push -q "$M_HOST/library/$i" >/dev/null || return 1
                done
                "$BERTH" rmi -f mariadb:10.6.4-focal mysql:5.7 wordpress:latest \
                        "$M_HOST/library/mariadb:10.6.4-focal" "$M_HOST/library/wordpress:latest" >/dev/null
                # the cache: whole or not at all; older recipes' storage goes
                rm -rf "$cache.tmp.$$"
                if cp -a "$M_DIR/storage" "$cache.tmp.$$" && mv -T "$cache.tmp.$$" "$cache" 2>/dev/null; then
                        find "$(dirname "$cache")" -maxdepth 1 -name 'wordpress-registry-*' \
                                ! -name "$(basename "$cache")" -exec rm -rf {} +
                fi
                rm -rf "$cache.tmp.$$"
        fi
        printf '{"registry-mirrors": ["%s"]}\n' "$M_URL" >"$state/berth-config.json"
}
