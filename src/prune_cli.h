/* prune_cli.h - the prune commands' shared command line and output
 * (container, image, network, volume and system prune): --filter and
 * --force, docker's [y/N] prompt and its "Deleted ...: / Total reclaimed
 * space:" report.  What is removed is engine/prune.h's. */
#ifndef BERTH_PRUNE_CLI_H
#define BERTH_PRUNE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/strv.h"
#include "cli.h"
#include "engine/prune.h"

/* A prune command's --filter: the values as given, parsed into f. */
struct prune_cli {
        struct prune_filter f;
        strv_t given;  /* the --filter values (the option's CLI_LIST) */
        bool no_until; /* until= is refused (volume prune, as docker) */
};
/* A prune command's --filter (into pc.given; examples: its "e.g." text)
 * and -f/--force (into *force). */
#define PRUNE_OPTS(pc, force, examples)                                                            \
        CLI_OPT("filter", 0, CLI_LIST, &(pc).given, "Provide filter values (e.g. " examples ")",   \
                .type = "filter"),                                                                 \
            CLI_OPT("force", 'f', CLI_FLAG, force, "Do not prompt for confirmation")
/* A prune command's argv (cli_parse), then its --filter values (pc->given)
 * into pc->f: Docker's until=, label=, label!= and (all not NULL: image
 * prune) dangling= (false: *all).  As cli_parse; pc is freed when it
 * returns <= 0. */
int prune_cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct prune_cli *pc,
                    bool *all);
/* The common case in one statement (see CLI_PARSE_OR_RETURN): the rest of
 * the arguments are CLI_CMD's. */
#define PRUNE_PARSE_OR_RETURN(var, argc, argv, pc, all, ...)                                       \
        int var = prune_cli_parse(&(const struct cli_cmd)CLI_CMD(__VA_ARGS__), (argc), (argv),     \
                                  (pc), (all));                                                    \
        if (var <= 0)                                                                              \
        return cli_status(var)
void prune_cli_free(struct prune_cli *pc);

/* Docker's prune prompt: "WARNING! <warning>" and [y/N] on stdout; true on y. */
bool cli_confirm(const char *warning);
/* Docker's units.HumanSize (4 significant digits), as prune reports it. */
void reclaimed_size(unsigned long long n, char *buf, size_t len);
/* A prune's report, as docker's: "Deleted TITLE:" and the ids/names (only
 * when some went; removed is freed), then "Total reclaimed space: N". */
void prune_print_deleted(const char *title, strv_t *removed);
void prune_print_total(unsigned long long reclaimed);
/* Both, with the error between them when r < 0 (err); the exit status. */
int prune_report(const char *title, strv_t *removed, unsigned long long reclaimed, int r,
                 const err_t *err);

#endif
