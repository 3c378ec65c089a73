/* berth ps [-a] [-q] [--filter k=v] [--format TEMPLATE|json|table] [--no-trunc] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/gotemplate.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "table.h"
#include "container_cli.h"
#include "engine/netglue.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

/* One --filter KEY=VALUE against a container. */
static bool filter_one(json_t *j, const char *f)
{
        const char *eq = strchr(f, '=');
        if (!eq)
                return false;
        size_t kl = (size_t)(eq - f);
        const char *v = eq + 1;
        if (!strncmp(f, "name", kl) && kl == 4) {
                const char *n = rt_doc_name(j) ?: "/";
                return strstr(n + 1, v) != NULL;
        } else if (!strncmp(f, "status", kl) && kl == 6) {
                const char *s = rt_doc_status(j);
                return s && !strcmp(s, v);
        } else if (!strncmp(f, "id", kl) && kl == 2) {
                return !strncmp(rt_doc_id(j) ?: "", v, strlen(v));
        } else if (!strncmp(f, "label", kl) && kl == 5) {
                json_t *labels = rt_doc_labels(j);
                const char *leq = strchr(v, '=');
                _cleanup_free_ char *k = leq ? xstrndup(v, (size_t)(leq - v)) : xstrdup(v);
                json_t *lv = json_object_get(labels, k);
                return lv && (!leq || !strcmp(json_string_value(lv) ?: "", leq + 1));
        }
        return false;
}

/* As docker: the values of one key are alternatives (status=exited and
 * status=created: either), different keys must all match; labels are the
 * exception, every label filter must match. */
static bool filter_match(json_t *j, const strv_t *filters)
{
        for (size_t i = 0; i < filters->n; i++) {
                const char *f = filters->v[i];
                const char *eq = strchr(f, '=');
                size_t kl = eq ? (size_t)(eq - f) : strlen(f);
                bool label = kl == 5 && !strncmp(f, "label", 5);
                bool hit = false;
                for (size_t k = 0; k < filters->n && !hit; k++) {
                        const char *g = filters->v[k];
                        if (label ? k != i : strncmp(g, f, kl) || g[kl] != '=')
                                continue;
                        hit = filter_one(j, g);
                }
                if (!hit)
                        return false;
        }
        return true;
}

/* A status filter lists containers in any state, as -a does (docker). */
static bool filters_have_status(const strv_t *filters)
{
        for (size_t i = 0; i < filters->n; i++)
                if (!strncmp(filters->v[i], "status=", 7))
                        return true;
        return false;
}

static const char *const ps_headers[] = {
    "ID",        "CONTAINER ID", "Image",        "IMAGE",         "Command", "COMMAND",
    "CreatedAt", "CREATED AT",   "RunningFor",   "CREATED",       "Ports",   "PORTS",
    "State",     "STATE",        "Status",       "STATUS",        "Size",    "SIZE",
    "Names",     "NAMES",        "Labels",       "LABELS",        "Mounts",  "MOUNTS",
    "Networks",  "NETWORKS",     "LocalVolumes", "LOCAL VOLUMES", NULL};

#define PS_TABLE                                                                                   \
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t"      \
        "{{.Names}}"

static int cmp_name(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The fields of docker's container context for one container. */
static json_t *ps_context(json_t *j, const char *short_id, bool trunc, bool running)
{
        const char *name = rt_doc_name(j) ?: "/";
        _cleanup_free_ char *cmd = ctr_command_text(j, trunc);
        const char *created = rt_doc_created(j);
        long long csecs = 0;
        (void)time_parse_rfc3339(created ?: "", &csecs, NULL);
        _cleanup_free_ char *created_at = go_time_text(csecs, 0);
        _cleanup_free_ char *since = human_duration(time_since_s(created));
        _cleanup_free_ char *ago = xasprintf("%s ago", since);
        _cleanup_free_ char *status = ctr_status_text(j);
        _cleanup_free_ char *ports = running ? netwire_ports_summary(j) : xstrdup("");
        _cleanup_free_ char *labels = labels_text(rt_doc_labels(j));
        strbuf_t mb = STRBUF_INIT, nb = STRBUF_INIT;
        sb_append(&mb, "");
        sb_append(&nb, "");
        const char *k;
        json_t *v;
        size_t i, nvol = 0;
        json_array_foreach(rt_doc_mounts(j), i, v)
        {
                struct rt_doc_mount m;
                rt_doc_mount(v, &m);
                const char *mn = m.name;
                if (!mn || !*mn)
                        mn = m.source ?: "";
                else
                        nvol++;
                _cleanup_free_ char *cut = trunc ? text_ellipsis(mn, 15) : xstrdup(mn);
                sb_appendf(&mb, "%s%s", mb.len ? "," : "", cut);
        }
        json_t *nets = rt_doc_networks(j);
        size_t nn = json_object_size(nets);
        const char **names = xcalloc(nn ? nn : 1, sizeof(*names));
        size_t x = 0;
        json_object_foreach(nets, k, v)
        {
                names[x++] = k;
        }
        qsort(names, nn, sizeof(*names), cmp_name);
        for (x = 0; x < nn; x++)
                sb_appendf(&nb, "%s%s", x ? "," : "", names[x]);
        free(names);
        char nvols[24];
        snprintf(nvols, sizeof(nvols), "%zu", nvol);
        json_t *o =
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Command", cmd,
                      "CreatedAt", created_at, "ID", short_id, "Image", rt_doc_image(j) ?: "",
                      "Labels", labels, "LocalVolumes", nvols, "Mounts", mb.s, "Names", name + 1,
                      "Networks", nb.s, "Ports", ports, "RunningFor", ago, "Size", "0B", "State",
                      rt_doc_status(j) ?: "", "Status", status);
        sb_free(&mb);
        sb_free(&nb);
        return o;
}

int cmd_ps(int argc, char **argv)
{
        bool all = false, quiet = false, trunc = true;
        const char *format = NULL;
        strv_t filters = STRV_INIT;
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &all, "Show all containers (default shows just running)"),
            CLI_OPT("filter", 'f', CLI_LIST, &filters,
                    "Filter output based on conditions provided (KEY=VALUE)", .type = "filter"),
            FORMAT_OPT(0, &format, "{{.ID}} {{.Names}} ..."),
            CLI_OPT("no-trunc", 0, CLI_UNSET, &trunc, "Don't truncate output"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only display container IDs"),
            {0}};
        const struct cli_cmd cmd = CLI_CMD("ps", "[OPTIONS]", "List containers", opts, CLI_NO_ARGS);
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0) {
                strv_free(&filters);
                return cli_status(first);
        }
        struct cliformat cf;
        if (!quiet &&
            format_open(&cf, format, PS_TABLE, ps_headers, "*formatter.ContainerContext") < 0) {
                strv_free(&filters);
                return EXIT_BERTH;
        }
        err_t err = {0};
        strv_t ids = STRV_INIT;
        int rc = 0;
        if (rt_ctr_list(&ids, &err) < 0) {
                error_msg("%s", err.msg);
                rc = EXIT_BERTH;
                goto out;
        }
        for (size_t i = 0; i < ids.n && !rc; i++) {
                _cleanup_free_ char *id = NULL;
                json_t *j = NULL;
                if (ctr_get(ids.v[i], &id, &j, NULL, &err) < 0) {
                        if (err.code != EBADMSG || !all || filters.n)
                                continue; /* removed meanwhile */
                        /* corrupt state: shown, so that it can be removed */
                        _cleanup_free_ char *sid =
                            xstrndup(ids.v[i], trunc ? RT_SHORT_ID_LEN : RT_ID_LEN);
                        if (quiet) {
                                printf("%s\n", sid);
                                continue;
                        }
                        json_t *o = json_pack(
                            "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Command",
                            "", "CreatedAt", "", "ID", sid, "Image", "", "Labels", "",
                            "LocalVolumes", "0", "Mounts", "", "Names", "", "Networks", "", "Ports",
                            "", "RunningFor", "", "Size", "0B", "State", "corrupt", "Status",
                            "Corrupt (unreadable config.json; rm -f removes it)");
                        if (format_row(&cf, o, NULL) < 0)
                                rc = EXIT_BERTH;
                        json_decref(o);
                        continue;
                }
                const char *s = rt_doc_status(j) ?: "";
                bool running =
                    !strcmp(s, "running") || !strcmp(s, "restarting") || !strcmp(s, "paused");
                if ((!all && !running && !filters_have_status(&filters)) ||
                    !filter_match(j, &filters)) {
                        json_decref(j);
                        continue;
                }
                _cleanup_free_ char *short_id = xstrndup(id, trunc ? RT_SHORT_ID_LEN : RT_ID_LEN);
                if (quiet) {
                        printf("%s\n", short_id);
                } else {
                        json_t *o = ps_context(j, short_id, trunc, running);
                        json_t *m = label_methods(rt_doc_labels(j));
                        if (format_row(&cf, o, m) < 0)
                                rc = EXIT_BERTH;
                        json_decref(m);
                        json_decref(o);
                }
                json_decref(j);
        }
        if (!quiet && !rc)
                format_print(&cf);
out:
        if (!quiet)
                cliformat_free(&cf); /* after format_print: a no-op */
        strv_free(&ids);
        strv_free(&filters);
        return rc;
}
