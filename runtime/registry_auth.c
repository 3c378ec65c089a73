/* registry_auth.c - WWW-Authenticate challenges (RFC 7235) as registries send
 * them: `Bearer realm="https://auth/token",service="registry",scope="..."`
 * or `Basic realm="Registry"`, and the token servers' answers (token,
 * expires_in, issued_at). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry_internal.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

#define HDR_MAX      8192
#define TOKEN_MAX    (64u << 10)
#define MAX_LIFETIME (7LL * 24 * 3600) /* a longer expires_in is taken as a week */

static bool tchar(char c)
{
        return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

void reg_challenge_free(struct reg_challenge *c)
{
        if (!c)
                return;
        free(c->scheme);
        free(c->realm);
        free(c->service);
        free(c->scope);
        free(c->error);
        memset(c, 0, sizeof(*c));
}

/* Parse a quoted-string at p (after the opening quote); returns the end
 * (after the closing quote) or NULL when unterminated. */
static const char *quoted(const char *p, strbuf_t *out)
{
        for (; *p; p++) {
                if (*p == '"')
                        return p + 1;
                if (*p == '\\') {
                        if (!p[1])
                                return NULL;
                        p++;
                }
                sb_appendc(out, *p);
        }
        return NULL;
}

static void set_param(struct reg_challenge *c, const char *name, size_t nl, char *val)
{
        char **slot = NULL;
        if (nl == 5 && !strncasecmp(name, "realm", 5))
                slot = &c->realm;
        else if (nl == 7 && !strncasecmp(name, "service", 7))
                slot = &c->service;
        else if (nl == 5 && !strncasecmp(name, "scope", 5))
                slot = &c->scope;
        else if (nl == 5 && !strncasecmp(name, "error", 5))
                slot = &c->error;
        if (slot && !*slot)
                *slot = val;
        else
                free(val);
}

int reg_challenge_parse(const char *hdr, struct reg_challenge *out, err_t *err)
{
        struct reg_challenge bearer = {0}, basic = {0};
        memset(out, 0, sizeof(*out));
        if (!hdr || strlen(hdr) > HDR_MAX)
                return err_set(err, EINVAL, "WWW-Authenticate: missing or too long");
        const char *p = hdr;
        int r = -1;
        for (;;) {
                while (*p == ' ' || *p == '\t' || *p == ',')
                        p++;
                if (!*p)
                        break;
                size_t sl = 0;
                while (tchar(p[sl]))
                        sl++;
                if (sl == 0) {
                        err_set(err, EINVAL, "WWW-Authenticate: malformed challenge");
                        goto done;
                }
                struct reg_challenge cur = {0};
                cur.scheme = xstrndup(p, sl);
                for (char *s = cur.scheme; *s; s++)
                        *s = (char)tolower((unsigned char)*s);
                p = skip_ws(p + sl);
                /* auth-params: name = value, comma separated; a token not
                 * followed by '=' starts the next challenge; token68 (a token
                 * followed only by '='s) is skipped */
                for (;;) {
                        const char *q = p;
                        while (*q == ' ' || *q == '\t' || *q == ',')
                                q++;
                        size_t nl = 0;
                        while (tchar(q[nl]))
                                nl++;
                        const char *eq = skip_ws(q + nl);
                        if (nl == 0 || *eq != '=') {
                                if (nl == 0 && *q && *q != ',') {
                                        reg_challenge_free(&cur);
                                        err_set(err, EINVAL,
                                                "WWW-Authenticate: malformed challenge");
                                        goto done;
                                }
                                p = q;
                                break;
                        }
                        const char *v = skip_ws(eq + 1);
                        strbuf_t val = STRBUF_INIT;
                        if (*v == '"') {
                                v = quoted(v + 1, &val);
                                if (!v) {
                                        sb_free(&val);
                                        reg_challenge_free(&cur);
                                        err_set(err, EINVAL,
                                                "WWW-Authenticate: unterminated quoted string");
                                        goto done;
                                }
                        } else {
                                size_t vl = 0;
                                while (tchar(v[vl]) || v[vl] == '/' || v[vl] == '=')
                                        vl++;
                                sb_appendn(&val, v, vl);
                                v += vl;
                        }
                        set_param(&cur, q, nl, sb_steal(&val));
                        p = skip_ws(v);
                        if (*p && *p != ',') {
                                reg_challenge_free(&cur);
                                err_set(err, EINVAL, "WWW-Authenticate: malformed parameter");
                                goto done;
                        }
                }
                if (!strcmp(cur.scheme, "bearer") && !bearer.scheme)
                        bearer = cur;
                else if (!strcmp(cur.scheme, "basic") && !basic.scheme)
                        basic = cur;
                else
                        reg_challenge_free(&cur);
        }
        if (bearer.scheme) {
                if (!bearer.realm) {
                        err_set(err, EINVAL, "WWW-Authenticate: Bearer challenge without realm");
                        goto done;
                }
                *out = bearer;
                memset(&bearer, 0, sizeof(bearer));
                r = 0;
        } else if (basic.scheme) {
                *out = basic;
                memset(&basic, 0, sizeof(basic));
                r = 0;
        } else {
                err_set(err, EINVAL, "WWW-Authenticate: no Bearer or Basic challenge");
        }
done:
        reg_challenge_free(&bearer);
        reg_challenge_free(&basic);
        return r;
}

/* --- token server answers --------------------------------------------------- */

int reg_token_parse(const char *body, size_t len, time_t now, char **token, time_t *refresh_at,
                    err_t *err)
{
        *token = NULL;
        *refresh_at = 0;
        json_t *j = json_loadb(body ? body : "", body ? len : 0, 0, NULL);
        const char *tok = json_string_value(json_object_get(j, "token"));
        if (!tok || !*tok)
                tok = json_string_value(json_object_get(j, "access_token"));
        if (!tok || !*tok || strpbrk(tok, "\r\n") || strlen(tok) > TOKEN_MAX) {
                json_decref(j);
                return err_set(err, EPROTO, "no usable token in the answer");
        }
        const json_t *ej = json_object_get(j, "expires_in");
        long long life = json_is_integer(ej) ? (long long)json_integer_value(ej)
                         : json_is_real(ej)  ? (long long)json_real_value(ej)
                                             : 0;
        if (life <= 0 || life > MAX_LIFETIME)
                life = life > MAX_LIFETIME ? MAX_LIFETIME : REG_TOKEN_DEFAULT_LIFETIME;
        long long start = (long long)now;
        long long issued;
        if (time_parse_rfc3339(json_string_value(json_object_get(j, "issued_at")), &issued, NULL) ==
                0 &&
            issued >= 0 && issued <= start && issued >= start - life)
                start = issued;
        long long margin = life / 10 < 5 ? life / 10 : 5;
        *refresh_at = (time_t)(start + life - margin);
        *token = xstrdup(tok);
        json_decref(j);
        return 0;
}
