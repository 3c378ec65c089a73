/* values.c - scalar value syntaxes: durations, byte sizes, shell words. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "strbuf.h"
#include "xalloc.h"

/* Print v / 10^prec with trailing zeros (and a bare '.') removed. */
static void frac(strbuf_t *sb, uint64_t v, int prec)
{
        uint64_t div = 1;
        for (int i = 0; i < prec; i++)
                div *= 10;
        sb_appendf(sb, "%llu", (unsigned long long)(v / div));
        uint64_t f = v % div;
        if (f) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%0*llu", prec, (unsigned long long)f);
                size_t l = strlen(buf);
                while (l && buf[l - 1] == '0')
                        buf[--l] = '\0';
                sb_appendf(sb, ".%s", buf);
        }
}

char *compose_format_duration(int64_t ns)
{
        strbuf_t sb = STRBUF_INIT;
        uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

        if (ns < 0)
                sb_appendc(&sb, '-');
        if (u == 0) {
                sb_append(&sb, "0s");
        } else if (u < 1000) {
                sb_appendf(&sb, "%lluns", (unsigned long long)u);
        } else if (u < 1000000) {
                frac(&sb, u, 3);
                sb_append(&sb, "\xc2\xb5s");
        } else if (u < 1000000000) {
                frac(&sb, u, 6);
                sb_append(&sb, "ms");
        } else {
                uint64_t h = u / 3600000000000ULL;
                uint64_t rest = u % 3600000000000ULL;
                uint64_t m = rest / 60000000000ULL;
                uint64_t s = rest % 60000000000ULL;
                if (h)
                        sb_appendf(&sb, "%lluh", (unsigned long long)h);
                if (h || m)
                        sb_appendf(&sb, "%llum", (unsigned long long)m);
                frac(&sb, s, 9);
                sb_appendc(&sb, 's');
        }
        return sb_steal(&sb);
}

int compose_shell_split(const char *s, strv_t *out, err_t *err)
{
        strbuf_t w = STRBUF_INIT;
        bool in_word = false;
        const char *p = s;

        while (*p) {
                char ch = *p;
                if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                        if (in_word) {
                                strv_take(out, sb_steal(&w));
                                in_word = false;
                        }
                        p++;
                        continue;
                }
                in_word = true;
                if (ch == '\\') {
                        if (p[1]) {
                                sb_appendc(&w, p[1]);
                                p += 2;
                        } else {
                                p++;
                        }
                } else if (ch == '\'') {
                        const char *q = strchr(p + 1, '\'');
                        if (!q)
                                goto unterminated;
                        sb_appendn(&w, p + 1, q - p - 1);
                        if (q == p + 1)
                                sb_append(&w, "");
                        p = q + 1;
                } else if (ch == '"') {
                        p++;
                        sb_append(&w, "");
                        while (*p && *p != '"') {
                                if (*p == '\\' &&
                                    (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) {
                                        sb_appendc(&w, p[1]);
                                        p += 2;
                                } else {
                                        sb_appendc(&w, *p++);
                                }
                        }
                        if (*p != '"')
                                goto unterminated;
                        p++;
                } else {
                        sb_appendc(&w, ch);
                        p++;
                }
        }
        if (in_word)
                strv_take(out, sb_steal(&w));
        sb_free(&w);
        return 0;
unterminated:
        sb_free(&w);
        return err_set(err, 0, "invalid command line \"%s\": unterminated quote", s);
}

int compose_port_spec(const struct compose_port *pt, struct portspec *out, err_t *err)
{
        memset(out, 0, sizeof(*out));
        if (pt->host_ip && pt->host_ip[0]) {
                snprintf(out->host_ip, sizeof(out->host_ip), "%s", pt->host_ip);
                out->host_ipv6 = strchr(pt->host_ip, ':') != NULL;
        }
        out->ctr_lo = out->ctr_hi = (uint16_t)pt->target;
        if (pt->target < 1 || pt->target > 65535)
                return err_set(err, EINVAL, "invalid port \"%u\": must be 1-65535", pt->target);
        if (pt->published && pt->published[0] &&
            portspec_range_parse(pt->published, strlen(pt->published), &out->host_lo,
                                 &out->host_hi) < 0)
                return err_set(err, EINVAL, "invalid port \"%s\": must be 1-65535", pt->published);
        if (pt->protocol && portspec_proto_parse(pt->protocol, &out->proto) < 0)
                return err_set(err, EINVAL,
                               "invalid port \"%s:%u/%s\": unknown protocol \"%s\" (use tcp, udp "
                               "or sctp)",
                               pt->published ? pt->published : "", pt->target, pt->protocol,
                               pt->protocol);
        return 0;
}
