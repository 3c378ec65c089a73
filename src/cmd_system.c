/* berth system boot
 *
 * What dockerd does when it starts, for a daemonless engine: run once at boot
 * (the berth-boot.service unit that `make install` installs, or by hand on a
 * host without systemd).  It puts back the networks (bridges, nftables chains,
 * forwarding) and starts again every container whose restart policy is
 * `always`, and every `unless-stopped` one that the user had not stopped, each
 * with its networks, addresses, DNS names and published ports; compose
 * containers start in their project's dependency order (the
 * com.docker.compose.depends_on label).  `no` and `on-failure` containers stay
 * as they were.  Running it twice starts nothing twice. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "commands.h"
#include "container_cli.h"
#include "net/network.h"
#include "runtime/container.h"

struct boot_ctr {
        char *id, *name, *project, *service;
        strv_t deps; /* services of the same project it depends on */
        bool started;
};

static const char *label(json_t *j, const char *key)
{
        const char *v = json_string_value(
            json_object_get(json_object_get(json_object_get(j, "Config"), "Labels"), key));
        return v ? v : "";
}

static bool wants_boot_start(const char *id, json_t *j)
{
        const char *p = json_string_value(json_object_get(
            json_object_get(json_object_get(j, "HostConfig"), "RestartPolicy"), "Name"));
        if (!p)
                return false;
        if (!strcmp(p, "always"))
                return true;
        return !strcmp(p, "unless-stopped") && !container_stopped_by_user(id);
}

/* "db:service_started:false,cache:service_healthy:true" -> db, cache */
static void parse_deps(const char *s, strv_t *out)
{
        while (*s) {
                size_t n = strcspn(s, ",");
                size_t svc = strcspn(s, ":,");
                if (svc > 0)
                        strv_take(out, xstrndup(s, svc < n ? svc : n));
                s += n;
                if (*s == ',')
                        s++;
        }
}

/* Is every dependency of c that boot starts already started? */
static bool deps_ready(const struct boot_ctr *c, const struct boot_ctr *all, size_t n)
{
        for (size_t d = 0; d < c->deps.n; d++)
                for (size_t k = 0; k < n; k++)
                        if (!all[k].started && *c->project && !strcmp(all[k].project, c->project) &&
                            !strcmp(all[k].service, c->deps.v[d]))
                                return false;
        return true;
}

static int boot_start(struct boot_ctr *c)
{
        err_t err = {0};
        int status;
        c->started = true;
        if (container_start(c->id, 0, &status, &err) < 0) {
                die_msg("%s", err.msg);
                die_msg("failed to start container %s", c->name);
                return -1;
        }
        printf("%s\n", c->name);
        return 0;
}

static int system_boot(void)
{
        err_t err = {0};
        _cleanup_json_ json_t *nets = json_array();
        if (network_restore_all(nets, &err) < 0) {
                die_msg("restoring networks: %s", err.msg);
                return EXIT_BERTH;
        }
        strv_t ids = STRV_INIT;
        if (rt_ctr_list(&ids, &err) < 0) {
                die_msg("%s", err.msg);
                strv_free(&ids);
                return EXIT_BERTH;
        }
        struct boot_ctr *c = xcalloc(ids.n + 1, sizeof(*c));
        size_t n = 0;
        int rc = 0;
        /* oldest first, as they were created */
        for (size_t i = ids.n; i-- > 0;) {
                _cleanup_json_ json_t *j = NULL;
                if (rt_ctr_load(ids.v[i], &j, &err) < 0) {
                        die_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                if (!wants_boot_start(ids.v[i], j))
                        continue;
                const char *name = json_string_value(json_object_get(j, "Name"));
                c[n].id = xstrdup(ids.v[i]);
                c[n].name = xstrdup(name && *name == '/' ? name + 1 : name ? name : ids.v[i]);
                c[n].project = xstrdup(label(j, "com.docker.compose.project"));
                c[n].service = xstrdup(label(j, "com.docker.compose.service"));
                c[n].deps = (strv_t)STRV_INIT;
                parse_deps(label(j, "com.docker.compose.depends_on"), &c[n].deps);
                n++;
        }
        strv_free(&ids);
        /* plain containers first, then each project along its dependencies;
         * what a cycle or a missing dependency holds back starts last */
        for (size_t i = 0; i < n; i++)
                if (!*c[i].project && boot_start(&c[i]) < 0)
                        rc = 1;
        for (bool progress = true; progress;) {
                progress = false;
                for (size_t i = 0; i < n; i++)
                        if (!c[i].started && deps_ready(&c[i], c, n)) {
                                progress = true;
                                if (boot_start(&c[i]) < 0)
                                        rc = 1;
                        }
        }
        for (size_t i = 0; i < n; i++)
                if (!c[i].started && boot_start(&c[i]) < 0)
                        rc = 1;
        for (size_t i = 0; i < n; i++) {
                free(c[i].id);
                free(c[i].name);
                free(c[i].project);
                free(c[i].service);
                strv_free(&c[i].deps);
        }
        free(c);
        return rc;
}

int cmd_system(int argc, char **argv)
{
        if (argc >= 2 && !strcmp(argv[1], "boot") && argc == 2)
                return system_boot();
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage:  berth system COMMAND\n\nManage berth\n\nCommands:\n"
                       "  boot        Restore networks and start the containers whose restart "
                       "policy asks for it (run once at boot)\n");
                return 0;
        }
        die_msg("usage: berth system boot");
        return EXIT_BERTH;
}
