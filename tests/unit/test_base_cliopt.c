/* Unit tests for base/cliopt: the one command-line parser (docker's rules
 * and error texts) and the --help rendered from the same table. */
#include <stdlib.h>
#include <string.h>

#include "base/cliopt.h"
#include "base/strv.h"
#include "tap.h"

static bool all, trunc_;
static const char *format;
static strv_t filters;
static int tail;
static int64_t timeout_ns;

static const struct cli_opt opts[] = {
    CLI_OPT("all", 'a', CLI_FLAG, &all, "Show all containers (default shows just running)"),
    CLI_OPT("filter", 'f', CLI_LIST, &filters, "Filter output based on conditions provided",
            .type = "filter"),
    CLI_OPT("format", 0, CLI_STRING, &format, "Format output using a custom template:\n'table'"),
    CLI_OPT("no-trunc", 0, CLI_UNSET, &trunc_, "Don't truncate output"),
    CLI_OPT("tail", 'n', CLI_INT, &tail, "Number of lines to show"),
    CLI_OPT("time", 't', CLI_DURATION, &timeout_ns, NULL),
    CLI_OPT("ignored", 0, CLI_FLAG, NULL, NULL),
    {0}};
static const struct cli_cmd ps =
    CLI_CMD("ps", "[OPTIONS]", "List containers", opts, CLI_AT_MOST(2));

static void reset(void)
{
        all = false;
        trunc_ = true;
        format = NULL;
        strv_free(&filters);
        tail = -1;
        timeout_ns = 0;
}

/* parse the words of line (split at spaces; argv[0] is "ps") */
static int parse(const struct cli_cmd *cmd, const char *line, char ***argvp, err_t *err)
{
        static char buf[512];
        static char *argv[32];
        int argc = 0;
        snprintf(buf, sizeof(buf), "ps %s", line);
        for (char *sv = NULL, *w = strtok_r(buf, " ", &sv); w && argc < 31;
             w = strtok_r(NULL, " ", &sv))
                argv[argc++] = w;
        argv[argc] = NULL;
        reset();
        *argvp = argv;
        err->msg[0] = 0;
        return cliopt_parse(cmd, argc, argv, err);
}

static void fails(const char *line, const char *msg)
{
        char **argv;
        err_t err;
        int r = parse(&ps, line, &argv, &err);
        ok(r == CLI_PARSE_ERROR, "'%s' fails (%d)", line, r);
        is_str(err.msg, msg, "'%s': the error", line);
}

static void test_parse(void)
{
        char **argv;
        err_t err;
        int r =
            parse(&ps, "-a --format {{.ID}} -f a=1 --filter=b=2 x --no-trunc -n 5 y", &argv, &err);
        ok(r == 10, "the first operand's index (%d)", r);
        ok(all && !trunc_ && tail == 5 && !strcmp(format, "{{.ID}}"), "flags and values");
        ok(filters.n == 2 && !strcmp(filters.v[0], "a=1") && !strcmp(filters.v[1], "b=2"),
           "a list, --name=value");
        ok(r == 10 && !strcmp(argv[10], "x") && !strcmp(argv[11], "y") && !argv[12],
           "operands moved behind the options, in order");
        r = parse(&ps, "-af x -n7", &argv, &err);
        ok(r == 4 && all && filters.n == 1 && !strcmp(filters.v[0], "x") && tail == 7,
           "combined short flags, -nVALUE");
        r = parse(&ps, "-f=x -a=false --all=0 --time 1m30s", &argv, &err);
        ok(r == 6 && !all && !strcmp(filters.v[0], "x") && timeout_ns == 90000000000LL,
           "-f=VALUE, -a=false, --all=0, a duration");
        r = parse(&ps, "-- -a --format", &argv, &err);
        ok(r == 2 && !all && !format && !strcmp(argv[2], "-a"), "-- ends the options");
        r = parse(&ps, "- --ignored", &argv, &err);
        ok(r == 2 && !strcmp(argv[2], "-"), "a lone - is an operand; an ignored flag");
        r = parse(&ps, "--format=", &argv, &err);
        ok(r == 2 && format && !*format, "--name= is an empty value");
        r = parse(&ps, "x --help --bogus", &argv, &err);
        ok(r == CLI_PARSE_ERROR, "an unknown flag after --help is still an error");
        r = parse(&ps, "x y z --help", &argv, &err);
        ok(r == CLI_PARSE_HELP, "--help wins over the operand count");
        r = parse(&ps, "-ah", &argv, &err);
        ok(r == CLI_PARSE_HELP, "-h is the help when no option takes it");

        fails("--bogus", "unknown flag: --bogus\nSee 'berth ps --help'.");
        fails("--bogus=1", "unknown flag: --bogus\nSee 'berth ps --help'.");
        fails("--no-t", "unknown flag: --no-t\nSee 'berth ps --help'.");
        fails("-aqx", "unknown shorthand flag: 'q' in -aqx\nSee 'berth ps --help'.");
        fails("--format", "flag needs an argument: --format\nSee 'berth ps --help'.");
        fails("-af", "flag needs an argument: 'f' in -af\nSee 'berth ps --help'.");
        fails("-n x", "invalid argument \"x\" for \"-n, --tail\" flag: strconv.ParseInt: parsing "
                      "\"x\": invalid syntax\nSee 'berth ps --help'.");
        fails("-n 99999999999", "invalid argument \"99999999999\" for \"-n, --tail\" flag: "
                                "strconv.ParseInt: parsing \"99999999999\": value out of range\n"
                                "See 'berth ps --help'.");
        fails("--all=maybe", "invalid argument \"maybe\" for \"-a, --all\" flag: "
                             "strconv.ParseBool: parsing \"maybe\": invalid syntax\n"
                             "See 'berth ps --help'.");
        fails("a b c", "\"berth ps\" requires at most 2 arguments.\nSee 'berth ps --help'.\n\n"
                       "Usage:  berth ps [OPTIONS]\n\nList containers");
        r = parse(&ps, "--time xx", &argv, &err);
        ok(r == CLI_PARSE_ERROR && !strncmp(err.msg,
                                            "invalid argument \"xx\" for \"-t, --time\" "
                                            "flag: invalid duration",
                                            strlen("invalid argument \"xx\" for \"-t, --time\" "
                                                   "flag: invalid duration")),
           "a bad duration: %s", err.msg);
        strv_free(&filters);
}

static bool detach;
static const char *host;
static int seen_labels;
static int label_fn(const struct cli_opt *o, const char *arg, err_t *err)
{
        if (!strchr(arg, '='))
                return err_set(err, 22, "bad label %s", arg);
        (*(int *)o->dest)++;
        return 0;
}
static const struct cli_opt run_opts[] = {
    CLI_OPT("detach", 'd', CLI_FLAG, &detach, "Run container in background"),
    CLI_OPT("hostname", 'h', CLI_STRING, &host, "Container host name"),
    CLI_OPT("label", 'l', CLI_FUNC, &seen_labels, "Set meta data", .type = "list", .fn = label_fn),
    {0}};
static const struct cli_cmd run = CLI_CMD("run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", NULL,
                                          run_opts, CLI_AT_LEAST(1), .flags = CLI_POSIX);

static void test_posix(void)
{
        char **argv;
        err_t err;
        detach = false;
        host = NULL;
        seen_labels = 0;
        int r = parse(&run, "-d -h box -l a=b img -d --help", &argv, &err);
        ok(r == 6 && detach && !strcmp(host, "box") && seen_labels == 1 &&
               !strcmp(argv[6], "img") && !strcmp(argv[7], "-d") && !strcmp(argv[8], "--help"),
           "CLI_POSIX: the options end at the first operand; -h is an option's");
        r = parse(&run, "-l nolabel img", &argv, &err);
        ok(r == CLI_PARSE_ERROR, "a callback refuses");
        is_str(err.msg, "bad label nolabel", "the callback's error as it is");
        r = parse(&run, "", &argv, &err);
        is_str(err.msg,
               "\"berth run\" requires at least 1 argument.\nSee 'berth run --help'.\n\n"
               "Usage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]",
               "at least 1, no summary");
}

static void test_help(void)
{
        char *h = cliopt_help(&ps);
        is_str(h,
               "Usage:  berth ps [OPTIONS]\n\nList containers\n\nOptions:\n"
               "  -a, --all             Show all containers (default shows just running)\n"
               "  -f, --filter filter   Filter output based on conditions provided\n"
               "      --format string   Format output using a custom template:\n"
               "                        'table'\n"
               "      --no-trunc        Don't truncate output\n"
               "  -n, --tail int        Number of lines to show\n",
               "the help: sorted, aligned, hidden ones left out");
        free(h);
        const struct cli_cmd bare =
            CLI_CMD("version", NULL, NULL, NULL, CLI_NO_ARGS, .more = "More text");
        h = cliopt_help(&bare);
        is_str(h, "Usage:  berth version\n\nMore text\n", "no options, more text");
        free(h);
}

int main(void)
{
        test_parse();
        test_posix();
        test_help();
        return tap_done();
}
