/* Fuzz base/mountspec: `-v` (Docker's and compose's short syntax), `--mount`
 * and `--tmpfs`.  Each parsed mount is checked against the contract: an
 * absolute target (not "/" but as compose writes it), a bind's source absolute (except as
 * compose writes it), a tmpfs with no source, and it passes mountspec_check. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mountspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void contract(const struct mountspec *m, bool docker)
{
        err_t err;
        if (!m->target || m->target[0] != '/' || (docker && !strcmp(m->target, "/")))
                abort();
        if (m->type == MOUNT_BIND && (!m->source || (docker && m->source[0] != '/')))
                abort();
        if (m->type == MOUNT_TMPFS && (m->source || !m->tmpfs_opts))
                abort();
        if (docker && mountspec_check(m, &err) < 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        struct mountspec m;
        err_t err;

        memcpy(s, data, size);
        s[size] = '\0';
        if (mountspec_parse_volume(s, MOUNTSPEC_DOCKER, "/cwd", &m, &err) == 0) {
                contract(&m, true);
                mountspec_free(&m);
        }
        if (mountspec_parse_volume(s, MOUNTSPEC_COMPOSE, NULL, &m, &err) == 0) {
                contract(&m, false);
                mountspec_free(&m);
        }
        if (mountspec_parse_mount(s, "/cwd", &m, &err) == 0) {
                contract(&m, true);
                mountspec_free(&m);
        }
        if (mountspec_parse_tmpfs(s, &m, &err) == 0) {
                contract(&m, true);
                mountspec_free(&m);
        }
        free(s);
        return 0;
}
