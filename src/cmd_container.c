/* berth container VERB: Docker's container management group.  Every verb is
 * the top-level command's own function; only prune is new. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

static bool status_stopped(const char *st)
{
        return st && (!strcmp(st, "created") || !strcmp(st, "exited") || !strcmp(st, "dead"));
}

/* Remove every stopped container; report its id, and add its writable
 * layer's size to *reclaimed.  Each is checked again under its lock, so one
 * that starts meanwhile stays. */
int container_get_said(const char *ref, char **id, json_t **j)
{
        err_t err;
        if (ctr_get(ref, id, j, NULL, &err) < 0) {
                error_msg("%s", err.msg);
                return -1;
        }
        return 0;
}

int container_prune(strv_t *removed, unsigned long long *reclaimed, const struct prune_filter *pf,
                    err_t *err)
{
        int64_t until_ns = pf ? pf->until_ns : 0;
        strv_t ids = STRV_INIT;
        if (rt_ctr_list(&ids, err) < 0) {
                strv_free(&ids);
                return -1;
        }
        int rc = 0;
        for (size_t i = 0; i < ids.n; i++) {
                err_t e = {0};
                _cleanup_free_ char *id = NULL;
                _cleanup_json_ json_t *j = NULL;
                int lk = -1;
                if (ctr_get(ids.v[i], &id, &j, &lk, &e) < 0) {
                        if (lk >= 0)
                                close(lk);
                        continue; /* gone meanwhile, or unreadable: rm -f is for that */
                }
                const char *st = rt_doc_status(j);
                if (status_stopped(st) &&
                    (!until_ns || time_parse_rfc3339_ns(rt_doc_created(j)) <= until_ns) &&
                    prune_filter_labels(pf, rt_doc_labels(j))) {
                        unsigned long long sz = path_size(rt_doc_upper_dir(j));
                        if (container_remove_locked(id, j, &e) < 0) {
                                *err = e;
                                rc = -1;
                        } else {
                                strv_push(removed, id);
                                *reclaimed += sz;
                        }
                }
                close(lk);
        }
        strv_free(&ids);
        return rc;
}

int prune_until_parse(const char *filter, const char *cmd, int64_t *until_ns)
{
        if (strncmp(filter, "until=", 6)) {
                error_msg("invalid filter '%.*s' (%s takes until=TIME)", (int)strcspn(filter, "="),
                          filter, cmd);
                return -1;
        }
        if (time_parse_docker(filter + 6, time_now_ns(), until_ns) < 0) {
                error_msg("invalid value for \"until\": %s\n(a duration as 24h, a Unix timestamp, "
                          "or an RFC 3339 time)",
                          filter + 6);
                return -1;
        }
        if (!*until_ns)
                *until_ns = 1; /* before the epoch: nothing is that old */
        return 0;
}

int cmd_container_prune(int argc, char **argv)
{
        bool force = false;
        struct prune_filter pf = {0};
        const struct cli_opt opts[] = {
            PRUNE_OPTS(
                pf, &force,
                "\"until=<timestamp>\",\n\"label=<key>[=<value>]\", \"label!=<key>[=<value>]\""),
            {0}};
        const struct cli_cmd cmd = CLI_CMD("container prune", "[OPTIONS]",
                                           "Remove all stopped containers", opts, CLI_NO_ARGS);
        int first = prune_cli_parse(&cmd, argc, argv, &pf, NULL);
        if (first <= 0)
                return cli_status(first);
        if (!force && !cli_confirm("This will remove all stopped containers.")) {
                prune_filter_free(&pf);
                return 0;
        }
        strv_t removed = STRV_INIT;
        unsigned long long reclaimed = 0;
        err_t err = {0};
        int r = container_prune(&removed, &reclaimed, &pf, &err);
        prune_filter_free(&pf);
        return prune_report("Containers", &removed, reclaimed, r, &err);
}

/* container inspect: inspect --type container (no image of the same name) */
static int container_inspect(int argc, char **argv)
{
        const char *format = NULL;
        const struct cli_opt opts[] = {CLI_OPT("format", 'f', CLI_STRING, &format,
                                               "json or a Go template ({{.State.Status}} ...)"),
                                       {0}};
        CLI_PARSE_OR_RETURN(
            first, argc, argv, "container inspect", "[OPTIONS] CONTAINER [CONTAINER...]",
            "Display detailed information on one or more containers", opts, CLI_AT_LEAST(1));
        /* inspect --type=container [--format=F] -- CONTAINER... */
        char **v = xcalloc((size_t)argc + 4, sizeof(*v));
        _cleanup_free_ char *fmt = format ? xasprintf("--format=%s", format) : NULL;
        int n = 0;
        v[n++] = argv[0];
        v[n++] = "--type=container";
        if (fmt)
                v[n++] = fmt;
        v[n++] = "--";
        for (int i = first; i < argc; i++)
                v[n++] = argv[i];
        int rc = cmd_inspect(n, v);
        free(v);
        return rc;
}

static const struct command container_commands[] = {
    {"attach", cmd_attach,
     "Attach local standard input, output, and error streams to a running container"},
    {"commit", cmd_commit, "Create a new image from a container's changes"},
    {"cp", cmd_cp, "Copy files/folders between a container and the local filesystem"},
    {"create", cmd_create, "Create a new container"},
    {"diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem"},
    {"exec", cmd_exec, "Execute a command in a running container"},
    {"export", cmd_export, "Export a container's filesystem as a tar archive"},
    {"inspect", container_inspect, "Display detailed information on one or more containers"},
    {"kill", cmd_kill, "Kill one or more running containers"},
    {"logs", cmd_logs, "Fetch the logs of a container"},
    {"ls", cmd_ps, "List containers"},
    {"list", cmd_ps, NULL},
    {"ps", cmd_ps, NULL},
    {"pause", cmd_pause, "Pause all processes within one or more containers"},
    {"port", cmd_port, "List port mappings or a specific mapping for the container"},
    {"prune", cmd_container_prune, "Remove all stopped containers"},
    {"rename", cmd_rename, "Rename a container"},
    {"restart", cmd_restart, "Restart one or more containers"},
    {"rm", cmd_rm, "Remove one or more containers"},
    {"remove", cmd_rm, NULL},
    {"run", cmd_run, "Create and run a new container from an image"},
    {"start", cmd_start, "Start one or more stopped containers"},
    {"stats", cmd_stats, "Display a live stream of container(s) resource usage statistics"},
    {"stop", cmd_stop, "Stop one or more running containers"},
    {"top", cmd_top, "Display the running processes of a container"},
    {"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
    {"update", cmd_update, "Update configuration of one or more containers"},
    {"wait", cmd_wait, "Block until one or more containers stop, then print their exit codes"},
};

int cmd_container(int argc, char **argv)
{
        static const struct cmd_group g = {"container",
                                           "Manage containers",
                                           container_commands,
                                           ARRAY_SIZE(container_commands),
                                           NULL,
                                           0,
                                           0};
        return cmd_group_run(&g, argc, argv);
}
