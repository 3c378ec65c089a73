/* berth compose version / cp / scale / attach: compose v2's spellings of
 * engine commands, acting on a service's container (by --index) found by
 * its labels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose_cmds.h"
#include "compose_up.h"

int compose_cmd_version(struct compose_globals *g, int argc, char **argv)
{
        bool shrt = false;
        const char *format = "pretty";
        const struct cli_opt opts[] = {
            CLI_OPT("format", 'f', CLI_STRING, &format,
                    "Format the output. Values: [pretty | json]"),
            CLI_OPT("short", 0, CLI_FLAG, &shrt, "Shows only Compose's version number"),
            {0}};
        (void)g;
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "version", "[OPTIONS]",
                                "Show the Docker Compose version information", opts, CLI_ANY_ARGS);
        bool json = !strcmp(format, "json");
        if (!json && strcmp(format, "pretty")) {
                fprintf(stderr, "invalid --format \"%s\": use pretty or json\n", format);
                return EXIT_BERTH;
        }
        if (shrt)
                printf("%s\n", COMPOSE_VERSION);
        else if (json)
                printf("{\"version\":\"v%s\"}\n", COMPOSE_VERSION);
        else
                printf(
                    "berth compose version v%s (the compose v2 command line, built into berth)\n",
                    COMPOSE_VERSION);
        return 0;
}

/* The id of service's container number index (1 = the first), or NULL after
 * printing why. */
static char *service_ctr(struct compose_globals *g, const char *service, int index, bool running)
{
        _cleanup_free_ char *project = cproject_name(g);
        if (!project)
                return NULL;
        struct cctr_list l = {0};
        err_t err;
        if (cctr_observe(project, false, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return NULL;
        }
        char *id = NULL;
        bool any = false;
        for (size_t i = 0; i < l.n && !id; i++) {
                const struct cctr *x = &l.v[i];
                if (strcmp(x->service, service))
                        continue;
                any = true;
                if (x->number == index && (!running || !strcmp(x->status, "running")))
                        id = xstrdup(x->id);
        }
        cctr_list_free(&l);
        if (!id) {
                if (!any)
                        fprintf(stderr, "no container found for service \"%s\"\n", service);
                else if (running)
                        fprintf(stderr, "service \"%s\" is not running (index %d)\n", service,
                                index);
                else
                        fprintf(stderr, "service \"%s\" has no container with index %d\n", service,
                                index);
        }
        return id;
}

int compose_cmd_cp(struct compose_globals *g, int argc, char **argv)
{
        bool archive = false, follow = false;
        int index = 1;
        const struct cli_opt opts[] = {
            CLI_OPT("all", 0, CLI_FLAG, NULL, NULL), /* deprecated in compose v2: the first one */
            CLI_OPT("archive", 'a', CLI_FLAG, &archive,
                    "Archive mode (copy all uid/gid information)"),
            CLI_OPT("follow-link", 'L', CLI_FLAG, &follow, "Always follow symbol link in SRC_PATH"),
            CLI_OPT("index", 0, CLI_INT, &index,
                    "Index of the container if service has multiple replicas"),
            {0}};
        COMPOSE_PARSE_OR_RETURN(
            first, argc, argv, "cp",
            "[OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n        berth compose cp [OPTIONS] SRC_PATH|- "
            "SERVICE:DEST_PATH",
            "Copy files/folders between a service container and the local filesystem", opts,
            CLI_EXACTLY(2));
        /* SERVICE:PATH on one side ("-" and absolute paths are local) */
        int side = -1;
        for (int k = 0; k < 2; k++) {
                const char *a = argv[first + k];
                const char *colon = strchr(a, ':');
                if (colon && colon != a && *a != '/' && *a != '.')
                        side = side < 0 ? k : 2;
        }
        if (side < 0 || side == 2) {
                fprintf(stderr, "%s\n",
                        side < 0 ? "must specify at least one service source (SERVICE:PATH)"
                                 : "copying between services is not supported");
                return EXIT_BERTH;
        }
        const char *arg = argv[first + side];
        _cleanup_free_ char *svc = xstrndup(arg, (size_t)(strchr(arg, ':') - arg));
        _cleanup_free_ char *id = service_ctr(g, svc, index, false);
        if (!id)
                return COMPOSE_EXIT_FAIL;
        _cleanup_free_ char *spec = xasprintf("%s%s", id, strchr(arg, ':'));
        strv_t av = STRV_INIT;
        strv_push(&av, "cp");
        if (archive)
                strv_push(&av, "-a");
        if (follow)
                strv_push(&av, "-L");
        strv_push(&av, side == 0 ? spec : argv[first]);
        strv_push(&av, side == 1 ? spec : argv[first + 1]);
        int rc = cmd_cp((int)av.n, av.v);
        strv_free(&av);
        return rc;
}

int compose_cmd_scale(struct compose_globals *g, int argc, char **argv)
{
        bool no_deps = false;
        const struct cli_opt opts[] = {
            CLI_OPT("no-deps", 0, CLI_FLAG, &no_deps, "Don't start linked services"), {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "scale", "[OPTIONS] [SERVICE=REPLICAS...]",
                                "Scale services", opts, CLI_AT_LEAST(1));
        strv_t av = STRV_INIT;
        strv_push(&av, "up");
        strv_push(&av, "-d");
        strv_push(&av, "--no-recreate");
        if (no_deps)
                strv_push(&av, "--no-deps");
        for (int i = first; i < argc; i++) {
                const char *eq = strchr(argv[i], '=');
                char *end = NULL;
                long n = eq ? strtol(eq + 1, &end, 10) : -1;
                if (!eq || eq == argv[i] || !*(eq + 1) || *end || n < 0) {
                        fprintf(stderr, "invalid scale specifier \"%s\": use SERVICE=REPLICAS\n",
                                argv[i]);
                        strv_free(&av);
                        return EXIT_BERTH;
                }
                strv_push(&av, "--scale");
                strv_push(&av, argv[i]);
        }
        for (int i = first; i < argc; i++)
                strv_take(&av, xstrndup(argv[i], (size_t)(strchr(argv[i], '=') - argv[i])));
        return compose_run_args(g, compose_cmd_up, &av);
}

int compose_cmd_attach(struct compose_globals *g, int argc, char **argv)
{
        int index = 1;
        bool no_stdin = false, sig_proxy = true;
        const char *keys = NULL;
        const struct cli_opt opts[] = {
            CLI_ATTACH_OPTS(&keys, &no_stdin, &sig_proxy),
            CLI_OPT("index", 0, CLI_INT, &index,
                    "index of the container if service has multiple replicas"),
            {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "attach", "[OPTIONS] SERVICE",
                                "Attach local standard input, output, and error streams to a "
                                "service's running container",
                                opts, CLI_EXACTLY(1));
        strv_t av = STRV_INIT; /* `berth attach`'s arguments */
        strv_push(&av, "attach");
        if (no_stdin)
                strv_push(&av, "--no-stdin");
        if (!sig_proxy)
                strv_push(&av, "--sig-proxy=false");
        if (keys)
                strv_pushf(&av, "--detach-keys=%s", keys);
        _cleanup_free_ char *id = service_ctr(g, argv[first], index, true);
        if (!id) {
                strv_free(&av);
                return COMPOSE_EXIT_FAIL;
        }
        strv_push(&av, id);
        int rc = cmd_attach((int)av.n, av.v);
        strv_free(&av);
        return rc;
}
