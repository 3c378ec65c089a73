#include "table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"

enum { TABLE_MIN_WIDTH = 10, TABLE_PADDING = 3 };

void table_init(struct table *t, size_t ncols)
{
        t->ncols = ncols;
        t->cells = (strv_t)STRV_INIT;
}

void table_row(struct table *t, ...)
{
        va_list ap;
        va_start(ap, t);
        for (size_t i = 0; i < t->ncols; i++) {
                const char *s = va_arg(ap, const char *);
                strv_push(&t->cells, s ? s : "");
        }
        va_end(ap);
}

/* Display width: UTF-8 code points (the CLI's "…" is one column). */
static size_t text_width(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xc0) != 0x80;
        return n;
}

void table_end(struct table *t, bool print)
{
        if (!print) {
                strv_free(&t->cells);
                return;
        }
        size_t rows = t->ncols ? t->cells.n / t->ncols : 0;
        size_t *w = xcalloc(t->ncols ? t->ncols : 1, sizeof(*w));
        for (size_t r = 0; r < rows; r++)
                for (size_t c = 0; c < t->ncols; c++) {
                        size_t cw = text_width(t->cells.v[r * t->ncols + c]) + TABLE_PADDING;
                        if (cw > w[c])
                                w[c] = cw;
                }
        for (size_t c = 0; c < t->ncols; c++)
                if (w[c] < TABLE_MIN_WIDTH)
                        w[c] = TABLE_MIN_WIDTH;
        for (size_t r = 0; r < rows; r++) {
                for (size_t c = 0; c < t->ncols; c++) {
                        const char *s = t->cells.v[r * t->ncols + c];
                        fputs(s, stdout);
                        if (c + 1 < t->ncols)
                                printf("%*s", (int)(w[c] - text_width(s)), "");
                }
                fputc('\n', stdout);
        }
        free(w);
        strv_free(&t->cells);
}

json_t *format_headers(const char *const *pairs)
{
        json_t *h = json_object();
        for (size_t i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2)
                json_object_set_new(h, pairs[i], json_string(pairs[i + 1]));
        return h;
}

int format_open(struct cliformat *f, const char *spec, const char *default_table,
                const char *const *header_pairs, const char *type_name)
{
        err_t err = {0};
        json_t *h = format_headers(header_pairs);
        int rc = cliformat_open(f, spec, default_table, h, type_name, &err);
        json_decref(h);
        if (rc < 0)
                error_msg("template parsing error: %s", err.msg);
        return rc;
}

int format_row(struct cliformat *f, json_t *item, json_t *methods)
{
        err_t err = {0};
        if (cliformat_row(f, item, methods, &err) < 0) {
                error_msg("%s", err.msg);
                return -1;
        }
        return 0;
}

void format_print(struct cliformat *f)
{
        strbuf_t out = STRBUF_INIT;
        cliformat_finish(f, &out);
        fwrite(sb_str(&out), 1, out.len, stdout);
        sb_free(&out);
        cliformat_free(f);
}

char *text_ellipsis(const char *s, size_t max)
{
        size_t chars = 0, cut = 0;
        for (size_t i = 0; s[i]; i++) {
                if (((unsigned char)s[i] & 0xC0) == 0x80)
                        continue;
                if (chars == max - 1)
                        cut = i;
                chars++;
        }
        if (chars <= max)
                return xstrdup(s);
        return xasprintf("%.*s…", (int)cut, s);
}

static int docs_print(json_t *docs, const char *fmt)
{
        struct cliformat f;
        err_t err = {0};
        if (cliformat_open(&f, fmt, NULL, NULL, NULL, &err) < 0) {
                error_msg("template parsing error: %s", err.msg);
                return -1;
        }
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
                if (format_row(&f, d, NULL) < 0) {
                        cliformat_free(&f);
                        return -1;
                }
        }
        format_print(&f);
        return 0;
}

char *labels_text(json_t *labels)
{
        strbuf_t sb = STRBUF_INIT;
        sb_append(&sb, "");
        const char *k;
        json_t *v;
        json_object_foreach(labels, k, v)
        {
                sb_appendf(&sb, "%s%s=%s", sb.len ? "," : "", k, json_string_value(v) ?: "");
        }
        return sb_steal(&sb);
}

json_t *label_methods(json_t *labels)
{
        json_t *m = json_object();
        json_object_set_new(m, "Label",
                            json_is_object(labels) ? json_incref(labels) : json_object());
        return m;
}

char *go_time_text(long long secs, long nsec)
{
        time_t t = (time_t)secs;
        struct tm tm;
        char date[64], zone[32], frac[32] = "";
        localtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        strftime(zone, sizeof(zone), "%z %Z", &tm);
        if (nsec > 0) { /* Go's .999999999: the fraction without trailing zeros */
                snprintf(frac, sizeof(frac), ".%09ld", nsec);
                size_t n = strlen(frac);
                while (n > 1 && frac[n - 1] == '0')
                        frac[--n] = '\0';
        }
        return xasprintf("%s%s %s", date, frac, zone);
}

int inspect_print(json_t *docs, const char *fmt)
{
        if (!fmt || !*fmt || !strcmp(fmt, "json")) {
                char *d = json_dumps(docs, JSON_INDENT(4));
                printf("%s\n", d);
                free(d);
                return 0;
        }
        return docs_print(docs, fmt);
}

bool list_flag(int c, bool *all, bool *quiet)
{
        if (c == 'a')
                *all = true;
        else if (c == 'q')
                *quiet = true;
        return c == 'a' || c == 'q';
}

int inspect_names(char **names, int n, int (*get)(const char *name, json_t **doc, err_t *err),
                  const char *fmt, int fail)
{
        int rc = 0;
        json_t *all = json_array();
        for (int i = 0; i < n; i++) {
                err_t err = {0};
                json_t *j = NULL;
                if (get(names[i], &j, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = fail;
                        continue;
                }
                json_array_append_new(all, j);
        }
        if (inspect_print(all, fmt) < 0)
                rc = EXIT_BERTH;
        json_decref(all);
        return rc;
}

int doc_format_print(json_t *doc, const char *fmt)
{
        json_t *one = json_pack("[O]", doc);
        int rc = docs_print(one, !strcmp(fmt, "json") ? "{{json .}}" : fmt);
        json_decref(one);
        return rc;
}

int format_flag_only(int argc, char **argv, const char *name, const char *summary, const char *help,
                     const char **format)
{
        *format = NULL;
        const struct cli_opt opts[] = {CLI_OPT("format", 'f', CLI_STRING, format, help), {0}};
        const struct cli_cmd cmd = CLI_CMD(name, "[OPTIONS]", summary, opts, CLI_NO_ARGS);
        return cli_parse(&cmd, argc, argv);
}

int inspect_cmd(int argc, char **argv, const char *name, const char *usage, const char *summary,
                const char *format_help, int (*get)(const char *name, json_t **doc, err_t *err),
                int fail)
{
        const char *format = NULL;
        const struct cli_opt opts[] = {CLI_OPT("format", 'f', CLI_STRING, &format, format_help),
                                       CLI_OPT("verbose", 'v', CLI_FLAG, NULL, NULL),
                                       {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, name, usage, summary, opts, CLI_AT_LEAST(1));
        return inspect_names(argv + first, argc - first, get, format, fail);
}
