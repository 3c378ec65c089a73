/* compose_cli.c - the command line the compose subcommands share
 * (compose_cli.h): compose_cli_parse, and the parsers of the options a
 * command shares with its --dry-run. */
#include "compose_cli.h"

#include <stdio.h>
#include <string.h>

#include "compose_cmds.h"

int compose_cli_parse(struct cli_cmd cmd, int argc, char **argv)
{
        char name[64];
        snprintf(name, sizeof(name), "compose %s", cmd.name ? cmd.name : argv[0]);
        cmd.name = name;
        cmd.flags |= CLI_BARE;
        return cli_parse(&cmd, argc, argv);
}

int compose_run_args(struct compose_globals *g, compose_fn fn, strv_t *args)
{
        int r = fn(g, (int)args->n, args->v);
        strv_free(args);
        return r;
}

int compose_down_parse(int argc, char **argv, struct compose_down_opts *o)
{
        *o = (struct compose_down_opts){.timeout = -1};
        const struct cli_opt opts[] = {
            CLI_OPT("remove-orphans", 0, CLI_FLAG, &o->orphans,
                    "Remove containers for services not defined in the Compose file"),
            CLI_OPT("rmi", 0, CLI_STRING, &o->rmi,
                    "Remove images used by services (\"local\"|\"all\")", .type = "type"),
            CLI_OPT("timeout", 't', CLI_INT, &o->timeout, "Specify a shutdown timeout in seconds",
                    .type = "secs"),
            CLI_OPT("volumes", 'v', CLI_FLAG, &o->volumes,
                    "Remove named volumes declared in the \"volumes\" section and anonymous "
                    "volumes attached to containers"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, "down", "[OPTIONS] [SERVICES]",
                                  "Stop and remove containers, networks", opts, CLI_ANY_ARGS);
        if (first > 0 && o->rmi && strcmp(o->rmi, "local") && strcmp(o->rmi, "all")) {
                fprintf(stderr, "invalid --rmi option \"%s\": use local or all\n", o->rmi);
                return -1;
        }
        return first;
}

int compose_rm_parse(int argc, char **argv, struct compose_rm_opts *o)
{
        *o = (struct compose_rm_opts){0};
        const struct cli_opt opts[] = {
            CLI_OPT("force", 'f', CLI_FLAG, &o->force, "Don't ask to confirm removal"),
            CLI_OPT("stop", 's', CLI_FLAG, &o->stop,
                    "Stop the containers, if required, before removing"),
            CLI_OPT("volumes", 'v', CLI_FLAG, &o->volumes,
                    "Remove any anonymous volumes attached to containers"),
            {0}};
        return COMPOSE_PARSE(argc, argv, "rm", "[OPTIONS] [SERVICE...]",
                             "Removes stopped service containers", opts, CLI_ANY_ARGS);
}

int compose_timeout_parse(int argc, char **argv, int *timeout)
{
        const struct cli_opt opts[] = {
            CLI_OPT("timeout", 't', CLI_INT, timeout, "Shutdown timeout", .type = "SECONDS"), {0}};
        return COMPOSE_PARSE(argc, argv, NULL, "[OPTIONS] [SERVICE...]", NULL, opts, CLI_ANY_ARGS);
}
