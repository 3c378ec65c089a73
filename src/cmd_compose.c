/* berth compose: global options, then the subcommand. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
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

static int parallel_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        char *end;
        long v = strtol(arg, &end, 10);
        if (!*arg || *end || v < -1 || v > 1024)
                return err_set(err, EINVAL,
                               "invalid --parallel value \"%s\": use -1 (unlimited) or a number "
                               "from 1 to 1024",
                               arg);
        *(int *)o->dest = (int)v;
        return 0;
}

static int progress_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        if (strcmp(arg, "auto") && strcmp(arg, "tty") && strcmp(arg, "plain") &&
            strcmp(arg, "quiet") && strcmp(arg, "json"))
                return err_set(
                    err, EINVAL,
                    "invalid --progress value \"%s\": use auto, tty, plain, json or quiet", arg);
        *(const char **)o->dest = arg;
        return 0;
}

/* The global options into g: argv parsed (cli_parse's result), or with
 * usage the help printed there (0). */
static int globals_parse(struct compose_globals *g, int argc, char **argv, FILE *usage)
{
        const struct cli_opt opts[] = {
            CLI_OPT("ansi", 0, CLI_STRING, NULL, NULL), /* berth colors only on a TTY */
            CLI_OPT("compatibility", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("dry-run", 0, CLI_FLAG, &g->dry_run, "Execute command in dry run mode"),
            CLI_OPT("env-file", 0, CLI_LIST, &g->env_files, "Specify an alternate environment file",
                    .type = "FILE"),
            CLI_OPT("file", 'f', CLI_LIST, &g->files, "Compose configuration files",
                    .type = "FILE"),
            CLI_OPT("parallel", 0, CLI_FUNC, &g->parallel,
                    "Control max parallelism, -1 for unlimited", .type = "N", .fn = parallel_opt),
            CLI_OPT("profile", 0, CLI_LIST, &g->profiles, "Specify a profile to enable",
                    .type = "PROFILE"),
            CLI_OPT("progress", 0, CLI_FUNC, &g->progress, "auto, tty, plain or quiet",
                    .type = "MODE", .fn = progress_opt),
            CLI_OPT("project-directory", 0, CLI_STRING, &g->project_dir,
                    "Specify an alternate working directory", .type = "DIR"),
            CLI_OPT("project-name", 'p', CLI_STRING, &g->project_name, "Project name",
                    .type = "NAME"),
            {0}};
        strbuf_t more = STRBUF_INIT;
        sb_append(&more, "Commands:\n");
        for (const struct compose_command *c = compose_commands; c->name; c++)
                sb_appendf(&more, "  %-10s %s\n", c->name, c->summary);
        /* '+': stop at the subcommand; its own flags are parsed by it. */
        const struct cli_cmd cmd = CLI_CMD("compose", "[OPTIONS] COMMAND", NULL, opts, CLI_ANY_ARGS,
                                           .flags = CLI_POSIX, .more = sb_str(&more));
        int r = 0;
        if (usage) {
                char *text = cliopt_help(&cmd);
                fputs(text, usage);
                free(text);
        } else {
                r = cli_parse(&cmd, argc, argv);
        }
        sb_free(&more);
        return r;
}

/* Parse global options; returns the index of the subcommand in argv (argc:
 * none), 0 after printing the --help, or -1 after printing an error. */
static int compose_parse_globals(int argc, char **argv, struct compose_globals *g)
{
        memset(g, 0, sizeof(*g));
        return globals_parse(g, argc, argv, NULL);
}

static void compose_globals_free(struct compose_globals *g)
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

        if (idx <= 0) {
                rc = cli_status(idx);
                goto out;
        }
        if (idx >= argc) {
                globals_parse(&g, 0, NULL, stderr);
                goto out;
        }
        if (!strcmp(argv[idx], CMD_LIST)) {
                for (const struct compose_command *c = compose_commands; c->name; c++)
                        printf("compose %s\t%s\n", c->name, c->summary);
                rc = 0;
                goto out;
        }
        if (!strcmp(argv[idx], "help")) {
                globals_parse(&g, 0, NULL, stdout);
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
