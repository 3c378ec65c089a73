/* berth stats [OPTIONS] [CONTAINER...]: the table and its options are
 * stats_cli.c's (shared with compose stats). */
#include <getopt.h>

#include "commands.h"
#include "container_cli.h"

int cmd_stats(int argc, char **argv)
{
        struct stats_opts o;
        int r = stats_parse(argc, argv, "stats", &o);
        if (r)
                return r < 0 ? EXIT_BERTH : 0;
        return stats_run(&o, argv + optind, argc - optind, optind < argc);
}
