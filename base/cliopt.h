/* cliopt.h - the one command-line layer: a command is a table (its name,
 * usage line, summary, the number of operands it takes, and its options:
 * long name, short letter, kind, destination, help text), one parser reads
 * argv by it with Docker's (pflag's) rules and error texts, and the --help
 * text is rendered from the same table, so the two cannot drift apart.
 *
 *   bool all = false;
 *   const char *format = NULL;
 *   const struct cli_opt opts[] = {
 *       CLI_OPT("all", 'a', CLI_FLAG, &all, "Show all containers"),
 *       CLI_OPT("format", 0, CLI_STRING, &format, "Format output using a template"),
 *       {0}};
 *   const struct cli_cmd cmd =
 *       CLI_CMD("ps", "[OPTIONS]", "List containers", opts, CLI_NO_ARGS);
 *
 * The rules, as docker's: `--name value`, `--name=value`, `-n value`,
 * `-nvalue`, `-n=value`; short flags combine (`-aq`, `-qf x`); a flag takes
 * `--all=false` (strconv.ParseBool); `--` ends the options; a lone `-` is an
 * operand; options may follow operands unless the command is CLI_POSIX (run,
 * exec: the options end at the first operand, the rest is the container's
 * command).  Long names match exactly (no abbreviations).  `--help` (and `-h`
 * unless an option of the command takes the letter) asks for the help.
 *
 * Pure: nothing here prints; src/cli.h prints the help and the errors. */
#ifndef BERTH_BASE_CLIOPT_H
#define BERTH_BASE_CLIOPT_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

enum cli_kind {
        CLI_FLAG,     /* bool *: set (false with --name=false) */
        CLI_UNSET,    /* bool *: cleared (--no-trunc into a `trunc` that starts true) */
        CLI_STRING,   /* const char **: the argument, the last one wins */
        CLI_LIST,     /* strv_t *: each argument appended (-e A -e B) */
        CLI_INT,      /* int *: a decimal integer */
        CLI_DURATION, /* int64_t *: a Go duration ("1m30s"), in nanoseconds */
        CLI_BYTES,    /* int64_t *: a byte size ("64m", as docker's RAMInBytes) */
        CLI_FUNC,     /* fn(opt, argument, err) for each one */
        CLI_FUNC_FLAG /* fn(opt, NULL or the text after --name=, err) */
};

/* A CLI_FUNC's callback: the option (its dest, its name) and the argument;
 * < 0 with err filled refuses the value (the error is printed as it is). */
struct cli_opt;
typedef int (*cli_fn)(const struct cli_opt *opt, const char *arg, err_t *err);

/* One option.  The table ends with an entry whose name is NULL. */
struct cli_opt {
        const char *name;   /* long name without the dashes */
        char shorthand;     /* the short letter, or 0 */
        enum cli_kind kind; /* what it takes and where it goes */
        void *dest;         /* where it goes; NULL: accepted and ignored */
        const char *help;   /* its line in --help (may hold '\n'); NULL: not shown */
        const char *type;   /* the argument's name in --help; NULL: the kind's
                               ("string", "list", "int", "duration", "bytes") */
        cli_fn fn;          /* CLI_FUNC, CLI_FUNC_FLAG */
};

/* One table entry: CLI_OPT("all", 'a', CLI_FLAG, &all, "Show all"), and
 * further fields by name: CLI_OPT(..., .type = "filter"). */
#define CLI_OPT(name_, short_, kind_, dest_, help_, ...)                                           \
        {                                                                                          \
                .name = (name_), .shorthand = (short_), .kind = (kind_), .dest = (dest_),          \
                .help = (help_), __VA_ARGS__                                                       \
        }

/* How many operands the command takes (checked after the options, with
 * docker's texts: "requires exactly 1 argument." ...). */
struct cli_args {
        bool check; /* false: any number, the command checks them itself */
        int min;
        int max; /* < 0: no upper limit */
};
#define CLI_ANY_ARGS                                                                               \
        {                                                                                          \
                false, 0, -1                                                                       \
        }
#define CLI_NO_ARGS                                                                                \
        {                                                                                          \
                true, 0, 0                                                                         \
        }
#define CLI_EXACTLY(n)                                                                             \
        {                                                                                          \
                true, (n), (n)                                                                     \
        }
#define CLI_AT_LEAST(n)                                                                            \
        {                                                                                          \
                true, (n), -1                                                                      \
        }
#define CLI_AT_MOST(n)                                                                             \
        {                                                                                          \
                true, 0, (n)                                                                       \
        }
#define CLI_RANGE(a, b)                                                                            \
        {                                                                                          \
                true, (a), (b)                                                                     \
        }

/* cli_cmd.flags */
#define CLI_POSIX 0x1u /* the options end at the first operand (run, exec) */
#define CLI_BARE  0x2u /* errors printed without the "berth: " prefix (compose) */

struct cli_cmd {
        const char *name;           /* the command's words after "berth": "network create" */
        const char *usage;          /* after the name on the Usage: line: "[OPTIONS] NETWORK";
                                       a further synopsis line: "\n\tberth cp [OPTIONS] ..." */
        const char *summary;        /* the description under it, or NULL */
        const struct cli_opt *opts; /* may be NULL: no options but --help */
        struct cli_args args;       /* the operands it takes */
        unsigned flags;             /* CLI_POSIX, CLI_BARE */
        const char *more;           /* text after the Options section, or NULL */
};

/* The command: CLI_CMD("network ls", "[OPTIONS]", "List networks", opts,
 * CLI_NO_ARGS), and further fields by name (.flags = CLI_POSIX, .more). */
#define CLI_CMD(name_, usage_, summary_, opts_, args_, ...)                                        \
        {                                                                                          \
                .name = (name_), .usage = (usage_), .summary = (summary_), .opts = (opts_),        \
                .args = args_, __VA_ARGS__                                                         \
        }

/* What cliopt_parse found. */
enum { CLI_PARSE_ERROR = -1, CLI_PARSE_HELP = 0 };

/* Read argv[1..argc) (argv[0] is the command's own word) by cmd, storing each
 * option in its destination.  The operands are moved to the end of argv, in
 * their order (as getopt does).  Returns the index of the first operand (>= 1;
 * argc when there is none), CLI_PARSE_HELP when --help was asked for, or
 * CLI_PARSE_ERROR with err filled with docker's text ("unknown flag: --x",
 * "flag needs an argument: --format", "unknown shorthand flag: 'x' in -qx",
 * "invalid argument \"x\" for \"-n, --tail\" flag: ...", "\"berth logs\"
 * requires exactly 1 argument.") and "See 'berth NAME --help'.".  Lists
 * filled before an error keep their strings: the caller frees them. */
int cliopt_parse(const struct cli_cmd *cmd, int argc, char **argv, err_t *err);

/* The --help text, as docker prints it: "Usage:  berth NAME USAGE", the
 * summary, "Options:" with one aligned line each (sorted by name; hidden ones
 * left out), then cmd->more.  Ends with a newline; the caller frees it. */
char *cliopt_help(const struct cli_cmd *cmd);

#endif
