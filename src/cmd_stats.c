/* berth stats [OPTIONS] [CONTAINER...]: the table and its options are
 * stats_cli.c's (shared with compose stats). */
#include "cli.h"
#include "commands.h"
#include "container_cli.h"

int cmd_stats(int argc, char **argv)
{
        struct stats_opts o;
        int first = stats_parse(argc, argv, "stats", &o);
        if (first <= 0)
                return cli_status(first);
        return stats_run(&o, argv + first, argc - first, first < argc);
}
