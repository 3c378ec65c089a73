/* berth compose ps / ls: the project's containers (and the projects) as their
 * labels and state tell, with docker compose v2's columns and JSON fields. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "table.h"
#include "compose_more.h"
#include "compose_up.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

/* "Up 3 seconds (healthy)", "Exited (0) 2 minutes ago", "Created" */
static char *status_text(const struct cctr *c)
{
        if (!strcmp(c->status, "running") || !strcmp(c->status, "paused")) {
                _cleanup_free_ char *d = human_duration(time_since_s(rt_doc_started_at(c->j)));
                return xasprintf("Up %s%s%s%s%s", d, c->health[0] ? " (" : "", c->health,
                                 c->health[0] ? ")" : "",
                                 !strcmp(c->status, "paused") ? " (Paused)" : "");
        }
        if (!strcmp(c->status, "exited") || !strcmp(c->status, "dead")) {
                _cleanup_free_ char *d = human_duration(time_since_s(rt_doc_finished_at(c->j)));
                return xasprintf("Exited (%d) %s ago", c->exit_code, d);
        }
        if (!strcmp(c->status, "restarting"))
                return xasprintf("Restarting (%d)", c->exit_code);
        return xstrdup("Created");
}

static char *command_text(const struct cctr *c)
{
        strbuf_t b = STRBUF_INIT;
        const json_t *parts[] = {rt_doc_entrypoint(c->j), rt_doc_cmd(c->j)};
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                json_t *v;
                json_array_foreach(parts[k], i, v)
                    sb_appendf(&b, "%s%s", b.len ? " " : "", json_string_value(v) ?: "");
        }
        return sb_steal(&b);
}

static json_t *publishers(const struct cctr *c)
{
        json_t *a = json_array();
        const char *key;
        json_t *v;
        json_object_foreach(rt_doc_port_bindings(c->j), key, v)
        {
                int target = atoi(key);
                const char *proto = strchr(key, '/') ? strchr(key, '/') + 1 : "tcp";
                size_t i;
                json_t *b;
                json_array_foreach(v, i, b)
                {
                        const char *ip = rt_doc_binding_ip(b) ?: "";
                        const char *hp = rt_doc_binding_port(b) ?: "";
                        json_array_append_new(a, json_pack("{s:s,s:i,s:i,s:s}", "URL",
                                                           ip[0] ? ip : "0.0.0.0", "TargetPort",
                                                           target, "PublishedPort", atoi(hp),
                                                           "Protocol", proto));
                }
        }
        return a;
}

static char *ports_text(const json_t *pubs)
{
        strbuf_t b = STRBUF_INIT;
        size_t i;
        json_t *p;
        json_array_foreach(pubs, i, p)
        {
                long long pp = json_integer_value(json_object_get(p, "PublishedPort"));
                const char *url = json_string_value(json_object_get(p, "URL"));
                long long tp = json_integer_value(json_object_get(p, "TargetPort"));
                const char *proto = json_string_value(json_object_get(p, "Protocol"));
                if (pp)
                        sb_appendf(&b, "%s%s:%lld->%lld/%s", b.len ? ", " : "", url, pp, tp, proto);
                else
                        sb_appendf(&b, "%s%lld/%s", b.len ? ", " : "", tp, proto);
        }
        return sb_steal(&b);
}

static const char *const compose_ps_headers[] = {
    "ID",        "CONTAINER ID", "Name",       "NAME",       "Names",      "NAMES",    "Image",
    "IMAGE",     "Command",      "COMMAND",    "Project",    "PROJECT",    "Service",  "SERVICE",
    "State",     "STATE",        "Status",     "STATUS",     "Health",     "HEALTH",   "Labels",
    "LABELS",    "ExitCode",     "EXIT CODE",  "Publishers", "PUBLISHERS", "Ports",    "PORTS",
    "CreatedAt", "CREATED AT",   "RunningFor", "CREATED",    "Networks",   "NETWORKS", "Size",
    "SIZE",      "Mounts",       "MOUNTS",     NULL};

int compose_cmd_ps(struct compose_globals *g, int argc, char **argv)
{
        bool all = false, quiet = false, services = false, json = false, trunc = true;
        const char *format = NULL, *filter = NULL;
        strv_t status = STRV_INIT;
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &all, "Show all stopped containers"),
            /* one KEY=VAL, the last given (as docker compose) */
            CLI_OPT("filter", 0, CLI_STRING, &filter,
                    "Filter services by a property (supported filters: status)"),
            FORMAT_OPT(0, &format, "{{.Name}} {{.Service}} ..."),
            CLI_OPT("no-trunc", 0, CLI_UNSET, &trunc, NULL),
            CLI_OPT("orphans", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only display IDs"),
            CLI_OPT("services", 0, CLI_FLAG, &services, "Display services"),
            CLI_OPT("status", 0, CLI_LIST, &status,
                    "Filter services by status (created, restarting, running, removing, paused, "
                    "exited, dead)",
                    .type = "strings"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, "ps", "[OPTIONS] [SERVICE...]", "List containers",
                                  opts, CLI_ANY_ARGS);
        if (first <= 0) {
                strv_free(&status);
                return cli_status(first);
        }
        if (format)
                format = cliformat_compose_spec(format, &json);
        if (filter) {
                const char *eq = strchr(filter, '=');
                if (eq && !strncmp(filter, "status=", 7)) {
                        strv_push(&status, eq + 1);
                } else {
                        if (!eq)
                                fprintf(stderr,
                                        "arguments to --filter should be in form KEY=VAL\n");
                        else
                                fprintf(stderr, "unknown filter %.*s (supported filters: status)\n",
                                        (int)(eq - filter), filter);
                        strv_free(&status);
                        return EXIT_BERTH;
                }
        }
        if (status.n)
                all = true;
        /* a template: the fields of the json lines, docker's headers */
        struct cliformat cf = {0};
        bool tmpl = format && !quiet && !services;
        if (tmpl && format_open(&cf, format, NULL, compose_ps_headers, NULL) < 0) {
                strv_free(&status);
                return EXIT_BERTH;
        }
        /* -p without a compose file: the project's containers by label */
        struct cproject cp = {0};
        bool by_label = compose_labels_only(g);
        if (!by_label && cproject_open(g, argv + first, argc - first, &cp) < 0) {
                strv_free(&status);
                cliformat_free(&cf);
                return COMPOSE_EXIT_FAIL;
        }
        _cleanup_free_ char *pname = by_label ? cproject_name(g) : xstrdup(cp.p->name);
        struct cctr_list l = {0};
        err_t err;
        int rc = 0;
        if (cctr_observe(pname, true, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
                goto out;
        }
        strv_t seen = STRV_INIT;
        struct table tb;
        table_init(&tb, 7);
        table_row(&tb, "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS");
        for (size_t i = 0; i < l.n; i++) {
                struct cctr *x = &l.v[i];
                if (!compose_selected(x->service, argv + first, argc - first) ||
                    (!all && strcmp(x->status, "running") && strcmp(x->status, "paused")) ||
                    (status.n && !strv_contains(&status, x->status)))
                        continue;
                if (quiet) { /* -q wins over --services, as in docker compose */
                        printf("%s\n", x->id);
                        continue;
                }
                if (services) {
                        if (!strv_contains(&seen, x->service)) {
                                strv_push(&seen, x->service);
                                printf("%s\n", x->service);
                        }
                        continue;
                }
                _cleanup_free_ char *st = status_text(x), *cmd = command_text(x);
                _cleanup_json_ json_t *pubs = publishers(x);
                _cleanup_free_ char *ports = ports_text(pubs);
                const char *image = rt_doc_image(x->j) ?: "";
                const char *created = rt_doc_created(x->j);
                _cleanup_free_ char *ago = human_duration(time_since_s(created));
                if (json || tmpl) {
                        _cleanup_free_ char *labels = labels_text(rt_doc_labels(x->j));
                        json_t *nets = rt_doc_networks(x->j);
                        strbuf_t nb = STRBUF_INIT;
                        const char *nk;
                        json_t *nv;
                        json_object_foreach(nets, nk, nv)
                            sb_appendf(&nb, "%s%s", nb.len ? "," : "", nk);
                        json_t *o = json_pack(
                            "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:O,s:s,s:s,s:s,"
                            "s:s,s:i,s:s}",
                            "ID", x->id, "Name", x->name, "Names", x->name, "Image", image,
                            "Command", cmd, "Project", pname, "Service", x->service, "State",
                            x->status, "Status", st, "Health", x->health, "Labels", labels,
                            "ExitCode", x->exit_code, "Publishers", pubs, "Ports", ports,
                            "CreatedAt", created ? created : "", "RunningFor", ago, "Networks",
                            sb_str(&nb), "Size", 0, "Mounts", "");
                        sb_free(&nb);
                        if (tmpl) {
                                json_t *m = label_methods(rt_doc_labels(x->j));
                                if (format_row(&cf, o, m) < 0)
                                        rc = EXIT_BERTH;
                                json_decref(m);
                        } else {
                                char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
                                printf("%s\n", s);
                                free(s);
                        }
                        json_decref(o);
                        if (rc)
                                break;
                        continue;
                }
                _cleanup_free_ char *qc = xasprintf("\"%s\"", cmd);
                if (trunc && strlen(qc) > 22)
                        strcpy(qc + 18, "…\"");
                _cleanup_free_ char *cr = xasprintf("%s ago", ago);
                table_row(&tb, x->name, image, qc, x->service, cr, st, ports);
        }
        table_end(&tb, !quiet && !services && !json && !tmpl);
        if (tmpl && !rc)
                format_print(&cf);
        strv_free(&seen);
out:
        cliformat_free(&cf);
        cctr_list_free(&l);
        strv_free(&status);
        if (cp.p)
                cproject_close(&cp);
        return rc;
}

/* ---- ls ---------------------------------------------------------------- */

struct proj {
        char *name, *files;
        strv_t states;
};

int compose_cmd_ls(struct compose_globals *g, int argc, char **argv)
{
        bool all = false, quiet = false, json = false;
        const char *format = NULL;
        strv_t names = STRV_INIT; /* --filter name=REGEX (any matches) */
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &all, "Show all stopped Compose projects"),
            CLI_OPT("filter", 0, CLI_LIST, &names, "Filter output based on conditions provided",
                    .type = "filter"),
            FORMAT_OPT(0, &format, "{{.Name}} {{.Status}} {{.ConfigFiles}}"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only display project names"),
            {0}};
        (void)g;
        int first = COMPOSE_PARSE(argc, argv, "ls", "[OPTIONS]", "List running compose projects",
                                  opts, CLI_ANY_ARGS);
        for (size_t i = 0; first > 0 && i < names.n; i++) {
                if (strncmp(names.v[i], "name=", 5)) {
                        fprintf(stderr, "invalid filter '%s'\n", names.v[i]);
                        first = -1;
                } else { /* the regular expression */
                        memmove(names.v[i], names.v[i] + 5, strlen(names.v[i] + 5) + 1);
                }
        }
        if (first <= 0) {
                strv_free(&names);
                return cli_status(first);
        }
        if (format)
                format = cliformat_compose_spec(format, &json);
        static const char *const ls_headers[] = {"Name",        "NAME",         "Status", "STATUS",
                                                 "ConfigFiles", "CONFIG FILES", NULL};
        struct cliformat cf = {0};
        bool tmpl = format && !quiet;
        if (tmpl && format_open(&cf, format, NULL, ls_headers, NULL) < 0) {
                strv_free(&names);
                return EXIT_BERTH;
        }
        strv_t ids = STRV_INIT;
        err_t err;
        int rc = 0;
        if (rt_ctr_list(&ids, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                strv_free(&names);
                cliformat_free(&cf);
                return COMPOSE_EXIT_FAIL;
        }
        struct proj *ps = NULL;
        size_t np = 0;
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_json_ json_t *j = NULL;
                if (ctr_get(ids.v[i], &id, &j, NULL, &err) < 0)
                        continue;
                const char *pn = rt_doc_label(j, LBL_PROJECT);
                if (!pn)
                        continue;
                size_t k;
                for (k = 0; k < np; k++)
                        if (!strcmp(ps[k].name, pn))
                                break;
                if (k == np) {
                        ps = xrealloc(ps, (np + 1) * sizeof(*ps));
                        ps[np++] = (struct proj){.name = xstrdup(pn),
                                                 .files = xstrdup(rt_doc_label(j, LBL_FILES) ?: ""),
                                                 .states = STRV_INIT};
                }
                strv_push(&ps[k].states, rt_doc_status(j) ?: "created");
        }
        strv_free(&ids);
        struct table tb;
        table_init(&tb, 3);
        table_row(&tb, "NAME", "STATUS", "CONFIG FILES");
        json_t *arr = json_array();
        for (size_t k = 0; k < np; k++) {
                /* "running(2), exited(1)" */
                strv_t kinds = STRV_INIT;
                strv_copy(&kinds, &ps[k].states);
                strv_sort(&kinds);
                strbuf_t b = STRBUF_INIT;
                bool running = false;
                for (size_t i = 0; i < kinds.n;) {
                        size_t e = i;
                        while (e < kinds.n && !strcmp(kinds.v[e], kinds.v[i]))
                                e++;
                        running |= !strcmp(kinds.v[i], "running");
                        sb_appendf(&b, "%s%s(%zu)", b.len ? ", " : "", kinds.v[i], e - i);
                        i = e;
                }
                if ((running || all) && compose_name_match(&names, ps[k].name)) {
                        if (tmpl && !rc) {
                                json_t *o = json_pack("{s:s,s:s,s:s}", "Name", ps[k].name, "Status",
                                                      sb_str(&b), "ConfigFiles", ps[k].files);
                                if (format_row(&cf, o, NULL) < 0)
                                        rc = EXIT_BERTH;
                                json_decref(o);
                        } else if (json)
                                json_array_append_new(
                                    arr, json_pack("{s:s,s:s,s:s}", "Name", ps[k].name, "Status",
                                                   sb_str(&b), "ConfigFiles", ps[k].files));
                        else if (quiet)
                                printf("%s\n", ps[k].name);
                        else if (!tmpl)
                                table_row(&tb, ps[k].name, sb_str(&b), ps[k].files);
                }
                sb_free(&b);
                strv_free(&kinds);
                free(ps[k].name);
                free(ps[k].files);
                strv_free(&ps[k].states);
        }
        if (json) {
                char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
                printf("%s\n", s);
                free(s);
        }
        table_end(&tb, !quiet && !json && !tmpl);
        if (tmpl && !rc)
                format_print(&cf);
        cliformat_free(&cf);
        json_decref(arr);
        free(ps);
        strv_free(&names);
        return rc;
}
