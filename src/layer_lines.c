/* layer_lines.c - per-layer progress lines (see layer_lines.h). */
#include "layer_lines.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>

#include "base/timefmt.h"
#include "cli.h"
#include "commands.h"
#include "runtime/registry_ref.h"

void layer_lines_show(struct layer_lines *l, const char *id, const char *text, bool transient)
{
        if (l->quiet)
                return;
        if (!l->tty) {
                if (!transient)
                        fprintf(l->out, "%s: %s\n", id, text);
                fflush(l->out);
                return;
        }
        ssize_t i = strv_index(&l->ids, id);
        if (i < 0) {
                strv_push(&l->ids, id);
                fprintf(l->out, "%s: %s\n", id, text);
        } else {
                size_t up = l->ids.n - (size_t)i;
                fprintf(l->out, "\033[%zuA\r\033[2K%s: %s\033[%zuB\r", up, id, text, up);
        }
        fflush(l->out);
}

void layer_lines_free(struct layer_lines *l)
{
        strv_free(&l->ids);
}

void layer_lines_bytes(struct layer_lines *l, const char *id, const char *text,
                       unsigned long long cur, unsigned long long total)
{
        char line[160], a[32], b[32];
        human_size(cur, a, sizeof(a));
        human_size(total, b, sizeof(b));
        snprintf(line, sizeof(line), "%s  %s/%s", text, a, b);
        layer_lines_show(l, id, line, true);
}

char *all_tags_repo(const char *ref, err_t *err)
{
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, err) < 0)
                return NULL;
        bool tagged = r.tag || r.digest;
        char *name = reg_ref_familiar_name(&r);
        reg_ref_free(&r);
        if (tagged) {
                free(name);
                err_set(err, EINVAL, "tag can't be used with --all-tags/-a");
                return NULL;
        }
        return name;
}

int pull_push_args_parse(int argc, char **argv, const char *cmd, const char *usage,
                         const char *summary, const char *all_help, const char *platform_help,
                         struct pull_push_args *a)
{
        const struct cli_opt opts[] = {
            CLI_OPT("all-tags", 'a', CLI_FLAG, &a->all, all_help),
            CLI_OPT("disable-content-trust", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("platform", 0, CLI_STRING, &a->platform, platform_help),
            CLI_OPT("quiet", 'q', CLI_FLAG, &a->quiet, "Suppress verbose output"),
            {0}};
        const struct cli_cmd c = CLI_CMD(cmd, usage, summary, opts, CLI_EXACTLY(1));
        return cli_parse(&c, argc, argv);
}
