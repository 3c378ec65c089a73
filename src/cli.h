/* cli.h - a command's options, parsed and helped from one table (the table
 * types and rules are in base/cliopt.h).  Each command:
 *
 *   int i = cli_parse(&cmd, argc, argv);
 *   if (i <= 0)
 *           return cli_status(i);     (0 after --help, 125 after an error)
 *   ... argv[i..argc) are the operands ...
 */
#ifndef BERTH_CLI_H
#define BERTH_CLI_H

#include "base/cliopt.h"
#include "base/strv.h"
#include "commands.h"

/* Parse argv by cmd (see cliopt_parse).  --help prints the help on stdout
 * and returns 0; an error is printed on stderr (error_msg's "berth: "
 * prefix unless CLI_BARE) and returns -1.  Otherwise the index of the first
 * operand (>= 1). */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv);

/* The common case in one statement: declare int var, parse argv by the
 * command CLI_CMD(...) describes (name, usage, summary, opts, args, and
 * further fields by name), and return from the calling command after --help
 * (0) or an error (125):
 *
 *   CLI_PARSE_OR_RETURN(first, argc, argv, "tag", "SOURCE TARGET", "Create a tag",
 *                       NULL, CLI_EXACTLY(2));
 *
 * Commands that must free something first call cli_parse themselves. */
#define CLI_PARSE_OR_RETURN(var, argc, argv, ...)                                                  \
        int var = cli_parse(&(const struct cli_cmd)CLI_CMD(__VA_ARGS__), (argc), (argv));          \
        if (var <= 0)                                                                              \
        return cli_status(var)

/* The exit status after cli_parse returned r <= 0. */
static inline int cli_status(int r)
{
        return r < 0 ? EXIT_BERTH : 0;
}

/* A CLI_LIST destination freed when it goes out of scope. */
static inline void cli_list_free(strv_t *sv)
{
        strv_free(sv);
}
#define _cleanup_cli_list_ __attribute__((cleanup(cli_list_free)))

/* A time option (--since, --until): docker's forms (a duration as 10m, a
 * Unix timestamp, an RFC 3339 time) into a struct cli_time (CLI_FUNC with
 * .fn = cli_time_opt, .type = "string"). */
struct cli_time {
        bool set;
        int64_t ns;
};
int cli_time_opt(const struct cli_opt *opt, const char *arg, err_t *err);
/* One such option: CLI_TIME_OPT("since", &since, "Show logs since ..."). */
#define CLI_TIME_OPT(name_, dest_, help_)                                                          \
        CLI_OPT(name_, 0, CLI_FUNC, dest_, help_, .type = "string", .fn = cli_time_opt)
/* The options `logs` and `compose logs` share: -f into *follow, --since and
 * --until into struct cli_time, -n/--tail ("all" or a number) into a string,
 * -t into *timestamps. */
#define CLI_LOGS_OPTS(follow, since, tail, timestamps, until)                                      \
        CLI_OPT("follow", 'f', CLI_FLAG, follow, "Follow log output"),                             \
            CLI_TIME_OPT("since", since,                                                           \
                         "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or "           \
                         "relative\n(e.g. \"42m\" for 42 minutes)"),                               \
            CLI_OPT("tail", 'n', CLI_STRING, tail,                                                 \
                    "Number of lines to show from the end of the logs (default \"all\")"),         \
            CLI_OPT("timestamps", 't', CLI_FLAG, timestamps, "Show timestamps"),                   \
            CLI_TIME_OPT("until", until,                                                           \
                         "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or "        \
                         "relative\n(e.g. \"42m\" for 42 minutes)")

/* attach's stream options (berth attach, compose attach passes them on) */
#define CLI_ATTACH_OPTS(keys, no_stdin, sig_proxy)                                                 \
        CLI_OPT("detach-keys", 0, CLI_STRING, keys,                                                \
                "Override the key sequence for detaching a container"),                            \
            CLI_OPT("no-stdin", 0, CLI_FLAG, no_stdin, "Do not attach STDIN"),                     \
            CLI_OPT("sig-proxy", 0, CLI_FLAG, sig_proxy,                                           \
                    "Proxy all received signals to the process (default true)")

/* Print cmd's --help on stdout. */
void cli_help(const struct cli_cmd *cmd);

#endif
