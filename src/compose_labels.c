/* compose_labels.c - commands that work from labels alone, as docker compose
 * v2's down and ps do with -p when no compose file is there. */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "progress.h"
#include "compose_more.h"
#include "net/network.h"
#include "runtime/volume.h"

static bool has_compose_file(const char *start)
{
        static const char *const names[] = {"compose.yaml", "compose.yml", "docker-compose.yml",
                                            "docker-compose.yaml"};
        _cleanup_free_ char *dir = realpath(start, NULL);
        if (!dir)
                return false;
        for (;;) {
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                        _cleanup_free_ char *p = xasprintf("%s/%s", dir, names[i]);
                        if (access(p, F_OK) == 0)
                                return true;
                }
                char *slash = strrchr(dir, '/');
                if (!slash || slash == dir)
                        break;
                *slash = '\0';
        }
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                _cleanup_free_ char *p = xasprintf("/%s", names[i]);
                if (access(p, F_OK) == 0)
                        return true;
        }
        return false;
}

bool compose_labels_only(const struct compose_globals *g)
{
        if (!g->project_name || g->files.n || getenv("COMPOSE_FILE"))
                return false;
        return !has_compose_file(g->project_dir ? g->project_dir : ".");
}

bool compose_name_match(const strv_t *patterns, const char *name)
{
        if (!patterns->n)
                return true;
        for (size_t i = 0; i < patterns->n; i++) {
                regex_t re;
                if (regcomp(&re, patterns->v[i], REG_EXTENDED | REG_NOSUB) != 0) {
                        /* not a valid expression: a literal substring then */
                        if (strstr(name, patterns->v[i]))
                                return true;
                        continue;
                }
                bool m = regexec(&re, name, 0, NULL, 0) == 0;
                regfree(&re);
                if (m)
                        return true;
        }
        return false;
}

int compose_down_labels(struct compose_globals *g, bool volumes, int timeout)
{
        _cleanup_free_ char *name = cproject_name(g);
        struct cctr_list l = {0};
        err_t err;
        int rc = COMPOSE_EXIT_FAIL;
        if (!name)
                return rc;
        int lk = cproject_lock(name, &err);
        if (lk < 0 || cctr_observe(name, true, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        /* no model: every container at once, each with its own grace period */
        if (compose_stop_plan(g, NULL, &l, NULL, timeout, true, volumes, "Running", &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        struct progress *pr = progress_new(stderr, g->progress, "Running");
        bool failed = false;
        failed |= cproject_remove_networks(name, pr);
        if (volumes)
                failed |= cproject_remove_labelled_volumes(name, pr);
        progress_end(pr);
        rc = failed ? COMPOSE_EXIT_FAIL : 0;
out:
        cctr_list_free(&l);
        if (rc == 0)
                cproject_unlock_gone(name, lk);
        else if (lk >= 0)
                close(lk);
        return rc;
}

int compose_stop_labels(struct compose_globals *g, char **svcs, int nsvcs, int timeout)
{
        _cleanup_free_ char *name = cproject_name(g);
        struct cctr_list l = {0};
        _cleanup_free_ bool *which = NULL;
        err_t err;
        int rc = COMPOSE_EXIT_FAIL;
        if (!name)
                return rc;
        if (cctr_observe(name, false, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        which = xcalloc(l.n + 1, sizeof(bool));
        for (size_t i = 0; i < l.n; i++)
                which[i] = compose_selected(l.v[i].service, svcs, nsvcs);
        if (compose_stop_plan(g, NULL, &l, which, timeout, false, false, "Stopping", &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        rc = 0;
out:
        cctr_list_free(&l);
        return rc;
}
