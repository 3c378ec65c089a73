/* compose_cli.h - the command line the compose subcommands share: their
 * argv parsed as `compose SUB` (errors bare, as docker compose prints
 * them), one subcommand run from another, and one parser for each option
 * set a command shares with its --dry-run (down, rm, start/stop/restart;
 * up's is compose_up_opts.h), so the two cannot read an option
 * differently. */
#ifndef BERTH_COMPOSE_CLI_H
#define BERTH_COMPOSE_CLI_H

#include <stdbool.h>

#include "base/strv.h"
#include "cli.h"

struct compose_globals;

/* cli_parse for `berth compose SUB`: cmd's name is SUB (NULL: argv[0]), its
 * errors printed bare, as docker compose prints them. */
int compose_cli_parse(struct cli_cmd cmd, int argc, char **argv);
#define COMPOSE_PARSE(argc, argv, ...)                                                             \
        compose_cli_parse((struct cli_cmd)CLI_CMD(__VA_ARGS__), (argc), (argv))
/* The common case in one statement (see CLI_PARSE_OR_RETURN). */
#define COMPOSE_PARSE_OR_RETURN(var, argc, argv, ...)                                              \
        int var = COMPOSE_PARSE(argc, argv, __VA_ARGS__);                                          \
        if (var <= 0)                                                                              \
        return cli_status(var)
/* Run subcommand fn (a compose_fn) under g with the arguments args
 * (args->v[0]: its name), as `up -d SERVICE...` for run's dependencies;
 * frees args.  Returns fn's exit status. */
int compose_run_args(struct compose_globals *g,
                     int (*fn)(struct compose_globals *g, int argc, char **argv), strv_t *args);

/* The options of `down` (and of its dry run). */
struct compose_down_opts {
        bool volumes, orphans;
        const char *rmi; /* NULL, "local" or "all" */
        int timeout;     /* < 0: each service's stop_grace_period */
};
/* Parse down's argv into o, as cli_parse: the first SERVICE's index, 0
 * after --help, -1 after the error (an --rmi other than local or all too). */
int compose_down_parse(int argc, char **argv, struct compose_down_opts *o);
/* The options of `rm` (and of its dry run). */
struct compose_rm_opts {
        bool force, stop, volumes;
};
/* The same for rm. */
int compose_rm_parse(int argc, char **argv, struct compose_rm_opts *o);
/* The same for start / stop / restart (argv[0]): -t, --timeout. */
int compose_timeout_parse(int argc, char **argv, int *timeout);

#endif
