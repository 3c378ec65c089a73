/* emit.c - YAML and JSON text of the canonical document. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "strbuf.h"
#include "xalloc.h"

static json_t *escape(const json_t *v)
{
        if (json_is_string(v)) {
                const char *s = json_string_value(v);
                if (!strchr(s, '$'))
                        return json_incref((json_t *)v);
                strbuf_t sb = STRBUF_INIT;
                for (; *s; s++) {
                        if (*s == '$')
                                sb_appendc(&sb, '$');
                        sb_appendc(&sb, *s);
                }
                json_t *r = json_string(sb_str(&sb));
                sb_free(&sb);
                return r;
        }
        if (json_is_array(v)) {
                json_t *a = json_array();
                size_t i;
                json_t *e;
                json_array_foreach((json_t *)v, i, e) json_array_append_new(a, escape(e));
                return a;
        }
        if (json_is_object(v)) {
                json_t *o = json_object();
                const char *k;
                json_t *e;
                json_object_foreach((json_t *)v, k, e) json_object_set_new(o, k, escape(e));
                return o;
        }
        return json_incref((json_t *)v);
}

json_t *compose_escape_dollars(const json_t *doc)
{
        return escape(doc);
}

char *compose_emit_json(const json_t *doc)
{
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        char *r = xasprintf("%s\n", s ? s : "null");
        free(s);
        return r;
}

/* Would a YAML reader take s as something other than this string? */
static bool needs_quotes(const char *s)
{
        static const char *const words[] = {
            "null",  "Null", "NULL",  "~",     "true", "True", "TRUE", "false", "False",
            "FALSE", "yes",  "Yes",   "YES",   "no",   "No",   "NO",   "on",    "On",
            "ON",    "off",  "Off",   "OFF",   "y",    "Y",    "n",    "N",     ".inf",
            ".Inf",  ".INF", "-.inf", "+.inf", ".nan", ".NaN", ".NAN", "<<"};
        size_t len = strlen(s);

        if (!len)
                return true;
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (!strcmp(s, words[i]))
                        return true;
        /* numbers in any YAML 1.1/1.2 spelling */
        {
                const char *p = s;
                if (*p == '+' || *p == '-')
                        p++;
                if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
                        char *end;
                        strtod(s, &end);
                        if (!*end)
                                return true;
                        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b'))
                                return true;
                        if (strspn(p, "0123456789_") == strlen(p))
                                return true; /* YAML 1.1 1_000 */
                }
        }
        if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0])) {
                if (!(s[0] == '-' || s[0] == '?' || s[0] == ':') || len == 1 || s[1] == ' ')
                        return true;
        }
        if (s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':')
                return true;
        if (strstr(s, ": ") || strstr(s, " #"))
                return true;
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return true;
        return false;
}

static void quoted(strbuf_t *sb, const char *s)
{
        static const char *const repl[256] = {
            ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\t'] = "\\t", ['\r'] = "\\r",
        };
        sb_appendc(sb, '"');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (repl[*p])
                        sb_append(sb, repl[*p]);
                else if (*p < 0x20 || *p == 0x7f)
                        sb_appendf(sb, "\\x%02x", *p);
                else
                        sb_appendc(sb, (char)*p);
        }
        sb_appendc(sb, '"');
}

static void str(strbuf_t *sb, const char *s)
{
        if (needs_quotes(s))
                quoted(sb, s);
        else
                sb_append(sb, s);
}

static void real(strbuf_t *sb, double d)
{
        char buf[64];
        for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof(buf), "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        sb_append(sb, buf);
}

static void scalar_text(strbuf_t *sb, const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_STRING:
                str(sb, json_string_value(v));
                break;
        case JSON_INTEGER:
                sb_appendf(sb, "%lld", (long long)json_integer_value(v));
                break;
        case JSON_REAL:
                real(sb, json_real_value(v));
                break;
        case JSON_TRUE:
                sb_append(sb, "true");
                break;
        case JSON_FALSE:
                sb_append(sb, "false");
                break;
        default:
                sb_append(sb, "null");
                break;
        }
}

static bool is_block(const json_t *v)
{
        return (json_is_object(v) && json_object_size(v)) ||
               (json_is_array(v) && json_array_size(v));
}

static void indent(strbuf_t *sb, int n)
{
        for (int i = 0; i < n; i++)
                sb_appendc(sb, ' ');
}

static void emit_value(strbuf_t *sb, const json_t *v, int ind);

/* Inline form of an empty container or a scalar, after "key:" or "- ". */
/* Multi-line strings print as literal blocks when every line survives
 * that form (no leading blank on the first line, no trailing blanks, no
 * control characters); otherwise they stay double-quoted. */
static bool block_ok(const char *s)
{
        if (!strchr(s, '\n') || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
                return false;
        for (const char *p = s; *p; p++) {
                if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                        return false;
                if ((*p == ' ' || *p == '\t') && (p[1] == '\n' || !p[1]))
                        return false;
        }
        return true;
}

static void block(strbuf_t *sb, const char *s, int ind)
{
        size_t len = strlen(s), trail = 0;
        while (trail < len && s[len - 1 - trail] == '\n')
                trail++;
        sb_append(sb, trail == 0 ? "|-" : trail == 1 ? "|" : "|+");
        const char *p = s, *end = s + len - (trail ? 1 : 0);
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                sb_appendc(sb, '\n');
                if (e > p) {
                        indent(sb, ind);
                        sb_appendn(sb, p, (size_t)(e - p));
                }
                p = nl ? nl + 1 : end;
                if (nl && p == end)
                        sb_appendc(sb, '\n');
        }
}

static void inline_value(strbuf_t *sb, const json_t *v, int ind)
{
        if (json_is_string(v) && block_ok(json_string_value(v)))
                block(sb, json_string_value(v), ind);
        else if (json_is_object(v))
                sb_append(sb, "{}");
        else if (json_is_array(v))
                sb_append(sb, "[]");
        else
                scalar_text(sb, v);
}

static void emit_map(strbuf_t *sb, const json_t *o, int ind, bool first_inline)
{
        const char *key;
        json_t *v;
        bool first = true;
        json_object_foreach((json_t *)o, key, v)
        {
                if (!(first && first_inline))
                        indent(sb, ind);
                first = false;
                str(sb, key);
                sb_appendc(sb, ':');
                if (is_block(v)) {
                        sb_appendc(sb, '\n');
                        emit_value(sb, v, json_is_array(v) ? ind + 2 : ind + 2);
                } else {
                        sb_appendc(sb, ' ');
                        inline_value(sb, v, ind + 2);
                        sb_appendc(sb, '\n');
                }
        }
}

static void emit_seq(strbuf_t *sb, const json_t *a, int ind)
{
        size_t i;
        json_t *v;
        json_array_foreach((json_t *)a, i, v)
        {
                indent(sb, ind);
                sb_append(sb, "- ");
                if (json_is_object(v) && json_object_size(v)) {
                        emit_map(sb, v, ind + 2, true);
                } else if (json_is_array(v) && json_array_size(v)) {
                        sb_appendc(sb, '\n');
                        emit_seq(sb, v, ind + 2);
                } else {
                        inline_value(sb, v, ind + 2);
                        sb_appendc(sb, '\n');
                }
        }
}

static void emit_value(strbuf_t *sb, const json_t *v, int ind)
{
        if (json_is_object(v) && json_object_size(v))
                emit_map(sb, v, ind, false);
        else if (json_is_array(v) && json_array_size(v))
                emit_seq(sb, v, ind);
        else {
                indent(sb, ind);
                inline_value(sb, v, ind + 2);
                sb_appendc(sb, '\n');
        }
}

/* The YAML form leaves out what Go's YAML encoder omits and its JSON encoder
 * does not: unset command/entrypoint (null) and an empty network ipam. */
static json_t *yaml_view(const json_t *doc)
{
        json_t *d = json_deep_copy(doc);
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(d, "services"), key, v)
        {
                if (json_is_null(json_object_get(v, "command")))
                        json_object_del(v, "command");
                if (json_is_null(json_object_get(v, "entrypoint")))
                        json_object_del(v, "entrypoint");
        }
        json_object_foreach(json_object_get(d, "networks"), key, v)
        {
                json_t *ipam = json_object_get(v, "ipam");
                if (json_is_object(ipam) && !json_object_size(ipam))
                        json_object_del(v, "ipam");
        }
        return d;
}

char *compose_emit_yaml(const json_t *doc)
{
        strbuf_t sb = STRBUF_INIT;
        json_t *d = json_is_object(doc) ? yaml_view(doc) : json_incref((json_t *)doc);
        emit_value(&sb, d, 0);
        json_decref(d);
        return sb_steal(&sb);
}
