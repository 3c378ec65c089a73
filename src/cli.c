/* cli.c - print what base/cliopt finds: the --help, or the error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/timefmt.h"
#include "cli.h"
#include "commands.h"

void cli_help(const struct cli_cmd *cmd)
{
        char *text = cliopt_help(cmd);
        fputs(text, stdout);
        free(text);
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv)
{
        err_t err = {0};
        int r = cliopt_parse(cmd, argc, argv, &err);
        if (r == CLI_PARSE_HELP) {
                cli_help(cmd);
                return 0;
        }
        if (r < 0) {
                if (cmd->flags & CLI_BARE)
                        fprintf(stderr, "%s\n", err.msg);
                else
                        error_msg("%s", err.msg);
                return -1;
        }
        return r;
}

int cli_time_opt(const struct cli_opt *opt, const char *arg, err_t *err)
{
        struct cli_time *t = opt->dest;
        if (time_parse_docker(arg, time_now_ns(), &t->ns) < 0)
                return err_set(err, EINVAL,
                               "invalid value for \"%s\": %s\n(a duration as 10m or 1h30m, a Unix "
                               "timestamp, or an RFC 3339 time)",
                               opt->name, arg);
        t->set = true;
        return 0;
}
