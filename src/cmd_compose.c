/* berth compose: global options, then the subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose/loader.h"
#include "compose_build.h"
#include "compose_cmds.h"
#include "compose_more.h"

extern char **environ;

static const struct compose_command compose_commands[] = {
    {"build", compose_cmd_build, "Build or rebuild services"},
    {"create", compose_cmd_create, "Creates containers for a service"},
    {"down", compose_cmd_down, "Stop and remove containers, networks"},
    {"logs", compose_cmd_logs, "View output from containers"},
    {"ls", compose_cmd_ls, "List running compose projects"},
    {"ps", compose_cmd_ps, "List containers"},
    {"pull", compose_cmd_pull, "Pull service images"},
    {"push", compose_cmd_push, "Push service images"},
    {"up", compose_cmd_up, "Create and start containers"},
    {"exec", compose_cmd_exec, "Execute a command in a running container"},
    {"images", compose_cmd_images, "List images used by the created containers"},
    {"kill", compose_cmd_kill, "Force stop service containers"},
    {"pause", compose_cmd_pause, "Pause services"},
    {"port", compose_cmd_port, "Print the public port for a port binding"},
    {"restart", compose_cmd_start_stop, "Restart service containers"},
    {"rm", compose_cmd_rm, "Removes stopped service containers"},
    {"run", compose_cmd_run, "Run a one-off command on a service"},
    {"start", compose_cmd_start_stop, "Start services"},
    {"stop", compose_cmd_start_stop, "Stop services"},
    {"stats", compose_cmd_stats, "Display a live stream of container(s) resource usage statistics"},
    {"top", compose_cmd_top, "Display the running processes"},
    {"unpause", compose_cmd_pause, "Unpause services"},
    {"wait", compose_cmd_wait, "Block until the first service container stops"},
    {"config", compose_cmd_config, "Parse, resolve and render compose file in canonical format"},
    {"events", compose_cmd_events, "Receive real time events from containers"},
    {"attach", compose_cmd_attach,
     "Attach local standard input, output, and error streams to a service's running container"},
    {"cp", compose_cmd_cp,
     "Copy files/folders between a service container and the local filesystem"},
    {"scale", compose_cmd_scale, "Scale services"},
    {"version", compose_cmd_version, "Show the Docker Compose version information"},
    {"watch", compose_cmd_watch,
     "Watch build context for service and rebuild/refresh containers when files are updated"},
    {NULL, NULL, NULL},
};

static void compose_usage(FILE *f)
{
        fprintf(f, "Usage:  berth compose [OPTIONS] COMMAND\n\n"
                   "Options:\n"
                   "  -f, --file FILE               Compose configuration files\n"
                   "  -p, --project-name NAME       Project name\n"
                   "      --profile PROFILE         Specify a profile to enable\n"
                   "      --env-file FILE           Specify an alternate environment file\n"
                   "      --project-directory DIR   Specify an alternate working directory\n"
                   "      --parallel N              Control max parallelism, -1 for unlimited\n"
                   "      --progress MODE           auto, tty, plain or quiet\n"
                   "      --dry-run                 Execute command in dry run mode\n"
                   "\nCommands:\n");
        for (const struct compose_command *c = compose_commands; c->name; c++)
                fprintf(f, "  %-10s %s\n", c->name, c->summary);
}

int compose_parse_globals(int argc, char **argv, struct compose_globals *g)
{
        static const struct option opts[] = {
            {"file", required_argument, NULL, 'f'},
            {"project-name", required_argument, NULL, 'p'},
            {"profile", required_argument, NULL, 'P'},
            {"env-file", required_argument, NULL, 'E'},
            {"project-directory", required_argument, NULL, 'D'},
            {"parallel", required_argument, NULL, 'j'},
            {"progress", required_argument, NULL, 'g'},
            {"dry-run", no_argument, NULL, 'n'},
            {"ansi", required_argument, NULL, 'a'},
            {"compatibility", no_argument, NULL, 'c'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        int c;

        memset(g, 0, sizeof(*g));
        optind = 0; /* full reinitialisation of glibc getopt */
        opterr = 0;
        /* '+': stop at the subcommand; its own flags are parsed by it. */
        while ((c = getopt_long(argc, argv, "+f:p:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        strv_push(&g->files, optarg);
                        break;
                case 'p':
                        g->project_name = optarg;
                        break;
                case 'P':
                        strv_push(&g->profiles, optarg);
                        break;
                case 'E':
                        strv_push(&g->env_files, optarg);
                        break;
                case 'D':
                        g->project_dir = optarg;
                        break;
                case 'j': {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*end || v < -1 || v > 1024) {
                                error_msg("invalid --parallel value \"%s\": use -1 (unlimited) "
                                          "or a number from 1 to 1024",
                                          optarg);
                                return -1;
                        }
                        g->parallel = (int)v;
                        break;
                }
                case 'g':
                        if (strcmp(optarg, "auto") && strcmp(optarg, "tty") &&
                            strcmp(optarg, "plain") && strcmp(optarg, "quiet") &&
                            strcmp(optarg, "json")) {
                                error_msg("invalid --progress value \"%s\": use auto, tty, plain, "
                                          "json or quiet",
                                          optarg);
                                return -1;
                        }
                        g->progress = optarg;
                        break;
                case 'n':
                        g->dry_run = true;
                        break;
                case 'a':
                case 'c':
                        break; /* accepted for compatibility; berth colors only on a TTY */
                case 'h':
                        compose_usage(stdout);
                        exit(0);
                default:
                        if (optopt)
                                error_msg("unknown flag: -%c\nSee 'berth compose --help'", optopt);
                        else
                                error_msg("unknown flag: %s\nSee 'berth compose --help'",
                                          argv[optind - 1]);
                        return -1;
                }
        }
        return optind;
}

int compose_run_args(struct compose_globals *g, compose_fn fn, strv_t *args)
{
        int r = fn(g, (int)args->n, args->v);
        strv_free(args);
        return r;
}

void compose_globals_free(struct compose_globals *g)
{
        strv_free(&g->files);
        strv_free(&g->profiles);
        strv_free(&g->env_files);
}

/* compose v2's project flags (-f, -p, --project-directory, --env-file,
 * --profile) are flags of `compose` itself, not of its subcommands: after
 * the subcommand docker compose refuses them as cobra does ("unknown
 * shorthand flag: 'f' in -f", "unknown flag: --project-directory"), unless
 * the subcommand has a flag of that name (logs -f, rm -f, version -f, run -p, run
 * --env-file).  --dry-run is a persistent flag there: it works after the
 * subcommand too, and is taken out of the subcommand's arguments here.
 * run and exec stop at their first argument that is not a flag (the rest is
 * the container's command).  Returns the new argc, or -1 after the error. */
static int subcommand_globals(struct compose_globals *g, int argc, char **argv)
{
        static const struct {
                char s;
                const char *l, *owners;
        } project[] = {
            {'f', "file", " logs rm version "},
            {'p', "project-name", " run "},
            {0, "project-directory", ""},
            {0, "env-file", " run "},
            {0, "profile", ""},
        };
        const char *sub = argv[0];
        bool stops = !strcmp(sub, "run") || !strcmp(sub, "exec");
        _cleanup_free_ char *me = xasprintf(" %s ", sub);
        int out = 1;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "--") || (stops && a[0] != '-')) {
                        while (i < argc)
                                argv[out++] = argv[i++];
                        break;
                }
                if (!strcmp(a, "--dry-run")) {
                        g->dry_run = true;
                        continue;
                }
                for (size_t k = 0; a[0] == '-' && k < sizeof(project) / sizeof(project[0]); k++) {
                        if (strstr(project[k].owners, me))
                                continue;
                        size_t n = strlen(project[k].l);
                        bool lng = a[1] == '-' && !strncmp(a + 2, project[k].l, n) &&
                                   (a[2 + n] == '\0' || a[2 + n] == '=');
                        bool shrt = project[k].s && a[1] == project[k].s;
                        if (lng)
                                fprintf(stderr, "unknown flag: --%s\n", project[k].l);
                        else if (shrt)
                                fprintf(stderr, "unknown shorthand flag: '%c' in %s\n",
                                        project[k].s, a);
                        if (lng || shrt) {
                                _cleanup_free_ char *flag = lng ? xasprintf("--%s", project[k].l)
                                                                : xasprintf("-%c", project[k].s);
                                fprintf(stderr,
                                        "See 'berth compose %s --help'.\n(%s is a flag of "
                                        "'berth compose': put it before '%s')\n",
                                        sub, flag, sub);
                                return -1;
                        }
                }
                argv[out++] = argv[i];
        }
        argv[out] = NULL;
        return out;
}

int cmd_compose(int argc, char **argv)
{
        struct compose_globals g;
        int rc = EXIT_BERTH;
        int idx = compose_parse_globals(argc, argv, &g);

        if (idx < 0)
                goto out;
        if (idx >= argc) {
                compose_usage(stderr);
                goto out;
        }
        if (!strcmp(argv[idx], CMD_LIST)) {
                for (const struct compose_command *c = compose_commands; c->name; c++)
                        printf("compose %s\t%s\n", c->name, c->summary);
                rc = 0;
                goto out;
        }
        if (!strcmp(argv[idx], "help")) {
                compose_usage(stdout);
                rc = 0;
                goto out;
        }
        int subc = subcommand_globals(&g, argc - idx, argv + idx);
        if (subc < 0)
                goto out;
        argc = idx + subc;
        if (g.dry_run && (rc = compose_dry_run(&g, argc - idx, argv + idx)) != COMPOSE_DRY_PASS)
                goto out;
        rc = EXIT_BERTH;
        for (const struct compose_command *c = compose_commands; c->name; c++) {
                if (!strcmp(argv[idx], c->name)) {
                        rc = c->fn(&g, argc - idx, argv + idx);
                        goto out;
                }
        }
        error_msg("'%s' is not a berth compose command.\nSee 'berth compose --help'", argv[idx]);
out:
        compose_globals_free(&g);
        return rc;
}
