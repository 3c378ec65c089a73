/* prune_cli.c - the prune commands' --filter, prompt and report
 * (prune_cli.h). */
#include "prune_cli.h"

#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "commands.h"

/* A prune's --filter "until=TIME" (docker's forms, base/timefmt) into
 * *until_ns (never 0); -1 (printed, naming cmd) for anything else. */
static int prune_until_parse(const char *filter, const char *cmd, int64_t *until_ns)
{
        if (strncmp(filter, "until=", 6)) {
                error_msg("invalid filter '%.*s' (%s takes until=TIME)", (int)strcspn(filter, "="),
                          filter, cmd);
                return -1;
        }
        if (time_parse_docker(filter + 6, time_now_ns(), until_ns) < 0) {
                error_msg("invalid value for \"until\": %s\n(a duration as 24h, a Unix timestamp, "
                          "or an RFC 3339 time)",
                          filter + 6);
                return -1;
        }
        if (!*until_ns)
                *until_ns = 1; /* before the epoch: nothing is that old */
        return 0;
}

static int prune_filter_add(struct prune_cli *pc, bool *all, const char *f, const char *cmd)
{
        const char *eq = strchr(f, '=');
        if (!eq || eq == f) {
                error_msg("bad format of filter (expected name=value)");
                return -1;
        }
        size_t kn = (size_t)(eq - f);
        const char *v = eq + 1;
        if (kn == 5 && !strncmp(f, "until", 5) && pc->no_until) {
                error_msg("invalid filter 'until'");
                return -1;
        }
        if (kn == 5 && !strncmp(f, "until", 5))
                return prune_until_parse(f, cmd, &pc->f.until_ns);
        if (kn == 5 && !strncmp(f, "label", 5)) {
                strv_push(&pc->f.label, v);
        } else if (kn == 6 && !strncmp(f, "label!", 6)) {
                strv_push(&pc->f.nlabel, v);
        } else if (all && kn == 8 && !strncmp(f, "dangling", 8)) {
                if (!strcmp(v, "false") || !strcmp(v, "0")) {
                        *all = true;
                } else if (strcmp(v, "true") && strcmp(v, "1")) {
                        error_msg("invalid filter 'dangling=%s'", v);
                        return -1;
                }
        } else {
                error_msg("invalid filter '%.*s'", (int)kn, f);
                return -1;
        }
        return 0;
}

int prune_cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct prune_cli *pc,
                    bool *all)
{
        int first = cli_parse(cmd, argc, argv);
        for (size_t i = 0; first > 0 && i < pc->given.n; i++)
                if (prune_filter_add(pc, all, pc->given.v[i], cmd->name) < 0)
                        first = -1;
        if (first <= 0)
                prune_cli_free(pc);
        return first;
}

void prune_cli_free(struct prune_cli *pc)
{
        prune_filter_free(&pc->f);
        strv_free(&pc->given);
}

bool cli_confirm(const char *warning)
{
        char line[64] = "";
        printf("WARNING! %s\nAre you sure you want to continue? [y/N] ", warning);
        fflush(stdout);
        return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

void reclaimed_size(unsigned long long n, char *buf, size_t len)
{
        units_size(n, false, buf, len);
}

void prune_print_deleted(const char *title, strv_t *removed)
{
        if (removed->n) {
                printf("Deleted %s:\n", title);
                for (size_t i = 0; i < removed->n; i++)
                        printf("%s\n", removed->v[i]);
                printf("\n");
        }
        strv_free(removed);
}

void prune_print_total(unsigned long long reclaimed)
{
        char sz[32];
        reclaimed_size(reclaimed, sz, sizeof(sz));
        printf("Total reclaimed space: %s\n", sz);
}

int prune_report(const char *title, strv_t *removed, unsigned long long reclaimed, int r,
                 const err_t *err)
{
        prune_print_deleted(title, removed);
        if (r < 0)
                error_msg("%s", err->msg);
        prune_print_total(reclaimed);
        return r < 0 ? EXIT_BERTH : 0;
}
