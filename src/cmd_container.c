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
#include "prune_cli.h"

int cmd_container_prune(int argc, char **argv)
{
        bool force = false;
        struct prune_cli pc = {0};
        const struct cli_opt opts[] = {
            PRUNE_OPTS(
                pc, &force,
                "\"until=<timestamp>\",\n\"label=<key>[=<value>]\", \"label!=<key>[=<value>]\""),
            {0}};
        PRUNE_PARSE_OR_RETURN(first, argc, argv, &pc, NULL, "container prune", "[OPTIONS]",
                              "Remove all stopped containers", opts, CLI_NO_ARGS);
        if (!force && !cli_confirm("This will remove all stopped containers.")) {
                prune_cli_free(&pc);
                return 0;
        }
        strv_t removed = STRV_INIT;
        unsigned long long reclaimed = 0;
        err_t err = {0};
        int r = container_prune(&removed, &reclaimed, &pc.f, &err);
        prune_cli_free(&pc);
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
    {"ps", cmd_ps, NULL},
    {"pause", cmd_pause, "Pause all processes within one or more containers"},
    {"port", cmd_port, "List port mappings or a specific mapping for the container"},
    {"prune", cmd_container_prune, "Remove all stopped containers"},
    {"rename", cmd_rename, "Rename a container"},
    {"restart", cmd_restart, "Restart one or more containers"},
    {"rm", cmd_rm, "Remove one or more containers"},
    {"run", cmd_run, "Create and run a new container from an image"},
    {"start", cmd_start, "Start one or more stopped containers"},
    {"stats", cmd_stats, "Display a live stream of container(s) resource usage statistics"},
    {"stop", cmd_stop, "Stop one or more running containers"},
    {"top", cmd_top, "Display the running processes of a container"},
    {"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
    {"update", cmd_update, "Update configuration of one or more containers"},
    {"wait", cmd_wait, "Block until one or more containers stop, then print their exit codes"},
};

const struct cmd_group cmd_container_group = {"container",
                                              "Manage containers",
                                              container_commands,
                                              ARRAY_SIZE(container_commands),
                                              NULL,
                                              0,
                                              0};
