/* berth compose version / cp / scale / attach: compose v2's spellings of
 * engine commands, acting on a service's container (by --index) found by
 * its labels. */
#include <getopt.h>
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
        static const struct option opts[] = {
            {"short", no_argument, NULL, 's'},
            {"format", required_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool shrt = false, json = false;
        int c;
        (void)g;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
                switch (c) {
                case 's':
                        shrt = true;
                        break;
                case 'f':
                        if (!strcmp(optarg, "json"))
                                json = true;
                        else if (strcmp(optarg, "pretty")) {
                                fprintf(stderr, "invalid --format \"%s\": use pretty or json\n",
                                        optarg);
                                return EXIT_BERTH;
                        }
                        break;
                case 'h':
                        printf(
                            "Usage:  berth compose version [OPTIONS]\n\n"
                            "Show the Docker Compose version information\n\n"
                            "Options:\n"
                            "  -f, --format string   Format the output. Values: [pretty | json]\n"
                            "      --short           Shows only Compose's version number\n");
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose version --help'.\n",
                                argv[optind - 1]);
                        return EXIT_BERTH;
                }
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
        static const struct option opts[] = {
            {"archive", no_argument, NULL, 'a'},     {"follow-link", no_argument, NULL, 'L'},
            {"index", required_argument, NULL, 'i'}, {"all", no_argument, NULL, 'A'},
            {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
        };
        strv_t fw = STRV_INIT;
        int index = 1, c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "aLh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        strv_push(&fw, "-a");
                        break;
                case 'L':
                        strv_push(&fw, "-L");
                        break;
                case 'i':
                        index = atoi(optarg);
                        break;
                case 'A':
                        break; /* --all (deprecated in compose v2): the first container */
                case 'h':
                        printf("Usage:  berth compose cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n"
                               "        berth compose cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH\n\n"
                               "Copy files/folders between a service container and the local "
                               "filesystem\n\n"
                               "Options:\n"
                               "  -a, --archive       Archive mode (copy all uid/gid information)\n"
                               "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"
                               "      --index int     Index of the container if service has "
                               "multiple replicas\n");
                        strv_free(&fw);
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose cp --help'.\n",
                                argv[optind - 1]);
                        strv_free(&fw);
                        return EXIT_BERTH;
                }
        }
        if (argc - optind != 2) {
                fprintf(stderr, "\"berth compose cp\" requires exactly 2 arguments.\n");
                strv_free(&fw);
                return EXIT_BERTH;
        }
        /* SERVICE:PATH on one side ("-" and absolute paths are local) */
        int side = -1;
        for (int k = 0; k < 2; k++) {
                const char *a = argv[optind + k];
                const char *colon = strchr(a, ':');
                if (colon && colon != a && *a != '/' && *a != '.')
                        side = side < 0 ? k : 2;
        }
        if (side < 0 || side == 2) {
                fprintf(stderr, "%s\n",
                        side < 0 ? "must specify at least one service source (SERVICE:PATH)"
                                 : "copying between services is not supported");
                strv_free(&fw);
                return EXIT_BERTH;
        }
        const char *arg = argv[optind + side];
        _cleanup_free_ char *svc = xstrndup(arg, (size_t)(strchr(arg, ':') - arg));
        _cleanup_free_ char *id = service_ctr(g, svc, index, false);
        if (!id) {
                strv_free(&fw);
                return COMPOSE_EXIT_FAIL;
        }
        _cleanup_free_ char *spec = xasprintf("%s%s", id, strchr(arg, ':'));
        strv_t av = STRV_INIT;
        strv_push(&av, "cp");
        for (size_t i = 0; i < fw.n; i++)
                strv_push(&av, fw.v[i]);
        strv_push(&av, side == 0 ? spec : argv[optind]);
        strv_push(&av, side == 1 ? spec : argv[optind + 1]);
        int rc = cmd_cp((int)av.n, av.v);
        strv_free(&av);
        strv_free(&fw);
        return rc;
}

int compose_cmd_scale(struct compose_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
            {"no-deps", no_argument, NULL, 'n'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool no_deps = false;
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        no_deps = true;
                        break;
                case 'h':
                        printf("Usage:  berth compose scale [OPTIONS] [SERVICE=REPLICAS...]\n\n"
                               "Scale services\n\n"
                               "Options:\n"
                               "      --no-deps   Don't start linked services\n");
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose scale --help'.\n",
                                argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "\"berth compose scale\" requires at least 1 argument "
                                "(SERVICE=REPLICAS).\n");
                return EXIT_BERTH;
        }
        strv_t av = STRV_INIT;
        strv_push(&av, "up");
        strv_push(&av, "-d");
        strv_push(&av, "--no-recreate");
        if (no_deps)
                strv_push(&av, "--no-deps");
        for (int i = optind; i < argc; i++) {
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
        for (int i = optind; i < argc; i++)
                strv_take(&av, xstrndup(argv[i], (size_t)(strchr(argv[i], '=') - argv[i])));
        return compose_run_args(g, compose_cmd_up, &av);
}

int compose_cmd_attach(struct compose_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
            {"index", required_argument, NULL, 'i'},
            {"no-stdin", no_argument, NULL, 'n'},
            {"sig-proxy", required_argument, NULL, 's'},
            {"detach-keys", required_argument, NULL, 'k'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        strv_t av = STRV_INIT;
        int index = 1, c;
        strv_push(&av, "attach");
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        index = atoi(optarg);
                        break;
                case 'n':
                        strv_push(&av, "--no-stdin");
                        break;
                case 's':
                        strv_pushf(&av, "--sig-proxy=%s", optarg);
                        break;
                case 'k':
                        strv_pushf(&av, "--detach-keys=%s", optarg);
                        break;
                case 'h':
                        printf("Usage:  berth compose attach [OPTIONS] SERVICE\n\n"
                               "Attach local standard input, output, and error streams to a "
                               "service's running container\n\n"
                               "Options:\n"
                               "      --index int   index of the container if service has "
                               "multiple replicas\n"
                               "      --no-stdin    Do not attach STDIN\n"
                               "      --sig-proxy   Proxy all received signals to the process "
                               "(default true)\n");
                        strv_free(&av);
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose attach --help'.\n",
                                argv[optind - 1]);
                        strv_free(&av);
                        return EXIT_BERTH;
                }
        }
        if (argc - optind != 1) {
                fprintf(stderr, "\"berth compose attach\" requires exactly 1 argument.\n");
                strv_free(&av);
                return EXIT_BERTH;
        }
        _cleanup_free_ char *id = service_ctr(g, argv[optind], index, true);
        if (!id) {
                strv_free(&av);
                return COMPOSE_EXIT_FAIL;
        }
        strv_push(&av, id);
        int rc = cmd_attach((int)av.n, av.v);
        strv_free(&av);
        return rc;
}
