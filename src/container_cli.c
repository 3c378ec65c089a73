/* container_cli.c - the container commands' shared CLI helpers
 * (container_cli.h): a CONTAINER argument resolved with its error printed,
 * a command run for each CONTAINER argument,
 * ps's STATUS and COMMAND cells (also `system df -v`'s). */
#include "container_cli.h"

#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/gotemplate.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "table.h"

int container_get_said(const char *ref, char **id, json_t **j)
{
        err_t err;
        if (ctr_get(ref, id, j, NULL, &err) < 0) {
                error_msg("%s", err.msg);
                return -1;
        }
        return 0;
}

int container_each(int first, int argc, char **argv,
                   int (*fn)(const char *id, const char *arg, void *ud, err_t *err), void *ud)
{
        if (first <= 0)
                return cli_status(first);
        int rc = 0;
        for (int i = first; i < argc; i++) {
                err_t err = {0};
                _cleanup_free_ char *id = NULL;
                int r = rt_ctr_resolve(argv[i], &id, &err) < 0 ? -1 : fn(id, argv[i], ud, &err);
                if (r < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                } else if (r == 0) {
                        printf("%s\n", argv[i]);
                } else if (r == CTR_EACH_STOP) {
                        break;
                }
        }
        return rc;
}

char *ctr_status_text(const json_t *j)
{
        const char *s = rt_doc_status(j) ?: "";
        if (!strcmp(s, "running") || !strcmp(s, "paused")) {
                _cleanup_free_ char *d = human_duration(time_since_s(rt_doc_started_at(j)));
                if (!strcmp(s, "paused"))
                        return xasprintf("Up %s (Paused)", d);
                const char *h = rt_doc_health(j);
                if (h && *h)
                        return xasprintf("Up %s (%s)", d, h);
                return xasprintf("Up %s", d);
        }
        if (!strcmp(s, "exited") || !strcmp(s, "restarting")) {
                _cleanup_free_ char *d = human_duration(time_since_s(rt_doc_finished_at(j)));
                return xasprintf("%s (%d) %s ago", !strcmp(s, "exited") ? "Exited" : "Restarting",
                                 rt_doc_exit_code(j), d);
        }
        if (!strcmp(s, "created"))
                return xstrdup("Created");
        return xstrdup(s);
}

/* .Command: the command line, cut to 20 columns, quoted as Go quotes */
char *ctr_command_text(json_t *j, bool trunc)
{
        strbuf_t sb = STRBUF_INIT;
        sb_append(&sb, rt_doc_path(j) ?: "");
        size_t i;
        json_t *a;
        json_array_foreach(rt_doc_args(j), i, a)
        {
                sb_appendf(&sb, " %s", json_string_value(a) ?: "");
        }
        _cleanup_free_ char *cut = trunc ? text_ellipsis(sb_str(&sb), 20) : sb_steal(&sb);
        sb_free(&sb);
        gotmpl_quote(&sb, cut);
        return sb_steal(&sb);
}
