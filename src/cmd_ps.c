/* berth ps [-a] [-q] [--filter k=v] [--format json] [--no-trunc] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "table.h"
#include "container_cli.h"
#include "netwire.h"
#include "runtime/container.h"

static char *status_text(json_t *st)
{
        const char *s = json_string_value(json_object_get(st, "Status")) ?: "";
        if (!strcmp(s, "running") || !strcmp(s, "paused")) {
                _cleanup_free_ char *d = human_duration(
                    time_since_s(json_string_value(json_object_get(st, "StartedAt"))));
                if (!strcmp(s, "paused"))
                        return xasprintf("Up %s (Paused)", d);
                const char *h =
                    json_string_value(json_object_get(json_object_get(st, "Health"), "Status"));
                if (h && *h)
                        return xasprintf("Up %s (%s)", d, h);
                return xasprintf("Up %s", d);
        }
        if (!strcmp(s, "exited") || !strcmp(s, "restarting")) {
                _cleanup_free_ char *d = human_duration(
                    time_since_s(json_string_value(json_object_get(st, "FinishedAt"))));
                return xasprintf("%s (%d) %s ago", !strcmp(s, "exited") ? "Exited" : "Restarting",
                                 (int)json_integer_value(json_object_get(st, "ExitCode")), d);
        }
        if (!strcmp(s, "created"))
                return xstrdup("Created");
        return xstrdup(s);
}

static char *command_text(json_t *j, bool trunc)
{
        strbuf_t sb = STRBUF_INIT;
        sb_append(&sb, json_string_value(json_object_get(j, "Path")) ?: "");
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(j, "Args"), i, a)
        {
                sb_appendf(&sb, " %s", json_string_value(a) ?: "");
        }
        char *s = sb_steal(&sb);
        if (trunc && strlen(s) > 20) {
                s[19] = '\0';
                char *t = xasprintf("\"%s…\"", s);
                free(s);
                return t;
        }
        char *t = xasprintf("\"%s\"", s);
        free(s);
        return t;
}

static bool filter_match(json_t *j, const strv_t *filters)
{
        for (size_t i = 0; i < filters->n; i++) {
                const char *f = filters->v[i];
                const char *eq = strchr(f, '=');
                if (!eq)
                        return false;
                size_t kl = (size_t)(eq - f);
                const char *v = eq + 1;
                if (!strncmp(f, "name", kl) && kl == 4) {
                        const char *n = json_string_value(json_object_get(j, "Name")) ?: "/";
                        if (!strstr(n + 1, v))
                                return false;
                } else if (!strncmp(f, "status", kl) && kl == 6) {
                        const char *s = json_string_value(
                            json_object_get(json_object_get(j, "State"), "Status"));
                        if (!s || strcmp(s, v))
                                return false;
                } else if (!strncmp(f, "id", kl) && kl == 2) {
                        if (strncmp(json_string_value(json_object_get(j, "Id")) ?: "", v,
                                    strlen(v)))
                                return false;
                } else if (!strncmp(f, "label", kl) && kl == 5) {
                        json_t *labels = json_object_get(json_object_get(j, "Config"), "Labels");
                        const char *leq = strchr(v, '=');
                        _cleanup_free_ char *k = leq ? xstrndup(v, (size_t)(leq - v)) : xstrdup(v);
                        json_t *lv = json_object_get(labels, k);
                        if (!lv || (leq && strcmp(json_string_value(lv) ?: "", leq + 1)))
                                return false;
                } else {
                        return false;
                }
        }
        return true;
}

int cmd_ps(int argc, char **argv)
{
        static const struct option lo[] = {{"all", no_argument, 0, 'a'},
                                           {"quiet", no_argument, 0, 'q'},
                                           {"filter", required_argument, 0, 'f'},
                                           {"format", required_argument, 0, 'F'},
                                           {"no-trunc", no_argument, 0, 'N'},
                                           {"help", no_argument, 0, 'H'},
                                           {0, 0, 0, 0}};
        bool all = false, quiet = false, json = false, trunc = true;
        strv_t filters = STRV_INIT;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "aqf:", lo, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'f':
                        strv_push(&filters, optarg);
                        break;
                case 'N':
                        trunc = false;
                        break;
                case 'F':
                        if (strcmp(optarg, "json") && strcmp(optarg, "{{json .}}")) {
                                die_msg("ps: unsupported --format %s (only json)", optarg);
                                strv_free(&filters);
                                return EXIT_BERTH;
                        }
                        json = true;
                        break;
                case 'H':
                        printf("Usage:  berth ps [-a] [-q] [--filter KEY=VALUE] [--format json] "
                               "[--no-trunc]\n");
                        strv_free(&filters);
                        return 0;
                default:
                        die_msg("ps: unknown option '%s'", argv[optind - 1]);
                        strv_free(&filters);
                        return EXIT_BERTH;
                }
        }
        err_t err = {0};
        strv_t ids = STRV_INIT;
        if (rt_ctr_list(&ids, &err) < 0) {
                die_msg("%s", err.msg);
                strv_free(&filters);
                return EXIT_BERTH;
        }
        struct table tb;
        table_init(&tb, 7);
        table_row(&tb, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_free_ char *id = NULL;
                json_t *j = NULL;
                if (container_get(ids.v[i], &id, &j, NULL, &err) < 0) {
                        if (err.code != EBADMSG || !all || filters.n)
                                continue; /* removed meanwhile */
                        /* corrupt state: shown, so that it can be removed */
                        _cleanup_free_ char *sid = xstrndup(ids.v[i], trunc ? 12 : 64);
                        const char *status = "Corrupt (unreadable config.json; rm -f removes it)";
                        if (quiet)
                                printf("%s\n", sid);
                        else if (json)
                                printf("{\"ID\":\"%s\",\"State\":\"corrupt\",\"Status\":\"%s\"}\n",
                                       sid, status);
                        else
                                table_row(&tb, sid, "", "", "", status, "", "");
                        continue;
                }
                json_t *st = json_object_get(j, "State");
                const char *s = json_string_value(json_object_get(st, "Status")) ?: "";
                bool running =
                    !strcmp(s, "running") || !strcmp(s, "restarting") || !strcmp(s, "paused");
                if ((!all && !running && !filters.n) || !filter_match(j, &filters)) {
                        json_decref(j);
                        continue;
                }
                _cleanup_free_ char *short_id = xstrndup(id, trunc ? 12 : 64);
                const char *name = json_string_value(json_object_get(j, "Name")) ?: "/";
                const char *image =
                    json_string_value(json_object_get(json_object_get(j, "Config"), "Image")) ?: "";
                _cleanup_free_ char *cmd = command_text(j, trunc);
                _cleanup_free_ char *created =
                    human_duration(time_since_s(json_string_value(json_object_get(j, "Created"))));
                _cleanup_free_ char *status = status_text(st);
                _cleanup_free_ char *ports = running ? netwire_ports_summary(j) : xstrdup("");
                if (quiet) {
                        printf("%s\n", short_id);
                } else if (json) {
                        json_t *labels = json_object_get(json_object_get(j, "Config"), "Labels");
                        strbuf_t lb = STRBUF_INIT;
                        const char *k;
                        json_t *v;
                        json_object_foreach(labels, k, v)
                        {
                                sb_appendf(&lb, "%s%s=%s", lb.len ? "," : "", k,
                                           json_string_value(v) ?: "");
                        }
                        json_t *o =
                            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", short_id,
                                      "Image", image, "Command", cmd, "CreatedAt",
                                      json_string_value(json_object_get(j, "Created")) ?: "",
                                      "RunningFor", created, "Status", status, "State", s, "Names",
                                      name + 1, "Labels", sb_str(&lb));
                        sb_free(&lb);
                        json_object_set_new(o, "Ports", json_string(ports));
                        char *d = json_dumps(o, JSON_COMPACT);
                        printf("%s\n", d);
                        free(d);
                        json_decref(o);
                } else {
                        _cleanup_free_ char *ago = xasprintf("%s ago", created);
                        table_row(&tb, short_id, image, cmd, ago, status, ports, name + 1);
                }
                json_decref(j);
        }
        table_end(&tb, !quiet && !json);
        strv_free(&ids);
        strv_free(&filters);
        return 0;
}
