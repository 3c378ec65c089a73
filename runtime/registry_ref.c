/* registry_ref.c - Docker image references (grammar in registry_ref.h). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "registry_ref.h"
#include "xalloc.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN  128

static bool lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool word_char(char c)
{
        return isalnum((unsigned char)c) || c == '_';
}

/* One path component of n bytes. */
static bool path_component_ok(const char *s, size_t n)
{
        if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n;) {
                if (lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                size_t j = i;
                while (j < n && !lower_alnum(s[j]))
                        j++;
                size_t len = j - i;
                bool dashes = true;
                for (size_t k = i; k < j; k++)
                        dashes = dashes && s[k] == '-';
                if (!dashes && !(len == 1 && (s[i] == '.' || s[i] == '_')) &&
                    !(len == 2 && s[i] == '_' && s[i + 1] == '_'))
                        return false;
                i = j;
        }
        return true;
}

static bool path_ok(const char *s, size_t n)
{
        size_t start = 0;
        for (size_t i = 0; i <= n; i++)
                if (i == n || s[i] == '/') {
                        if (!path_component_ok(s + start, i - start))
                                return false;
                        start = i + 1;
                }
        return true;
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool host_ok(const char *s, size_t n)
{
        if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
                for (size_t i = 1; i + 1 < n; i++)
                        if (!isxdigit((unsigned char)s[i]) && s[i] != ':')
                                return false;
                return n > 2;
        }
        size_t start = 0;
        for (size_t i = 0; i <= n; i++)
                if (i == n || s[i] == '.') {
                        size_t len = i - start;
                        const char *c = s + start;
                        if (len == 0 || !isalnum((unsigned char)c[0]) ||
                            !isalnum((unsigned char)c[len - 1]))
                                return false;
                        for (size_t k = 0; k < len; k++)
                                if (!isalnum((unsigned char)c[k]) && c[k] != '-')
                                        return false;
                        start = i + 1;
                }
        return true;
}

static bool domain_ok(const char *s, size_t n)
{
        /* the port is after the last ':' unless that is inside [IPv6] */
        const char *colon = NULL;
        for (size_t i = n; i-- > 0;) {
                if (s[i] == ']')
                        break;
                if (s[i] == ':') {
                        colon = s + i;
                        break;
                }
        }
        if (!colon)
                return host_ok(s, n);
        size_t hl = (size_t)(colon - s), pl = n - hl - 1;
        if (pl == 0)
                return false;
        for (size_t i = 0; i < pl; i++)
                if (!isdigit((unsigned char)colon[1 + i]))
                        return false;
        return host_ok(s, hl);
}

static bool tag_ok(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > TAG_MAX_LEN || !word_char(s[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!word_char(s[i]) && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

int reg_digest_valid(const char *s)
{
        static const struct {
                const char *alg;
                size_t hexlen;
        } algs[] = {{"sha256", 64}, {"sha384", 96}, {"sha512", 128}};
        const char *colon = s ? strchr(s, ':') : NULL;
        if (!colon)
                return 0;
        for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
                size_t al = strlen(algs[a].alg);
                if ((size_t)(colon - s) != al || strncmp(s, algs[a].alg, al) != 0)
                        continue;
                const char *h = colon + 1;
                if (strlen(h) != algs[a].hexlen)
                        return 0;
                for (; *h; h++)
                        if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
                                return 0;
                return 1;
        }
        return 0;
}

/* The digest grammar without the algorithm check: is s shaped like one? */
static bool digest_shaped(const char *s)
{
        const char *colon = strchr(s, ':');
        if (!colon || colon == s || !isalpha((unsigned char)s[0]))
                return false;
        for (const char *p = s; p < colon; p++)
                if (!isalnum((unsigned char)*p) && !strchr("+.-_", *p))
                        return false;
        size_t hl = strlen(colon + 1);
        if (hl < 32)
                return false;
        for (const char *p = colon + 1; *p; p++)
                if (!isxdigit((unsigned char)*p))
                        return false;
        return true;
}

static bool is_hex64(const char *s)
{
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == 64;
}

void reg_ref_free(struct reg_ref *r)
{
        if (!r)
                return;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        memset(r, 0, sizeof(*r));
}

static int invalid(err_t *err, const char *why)
{
        if (why)
                return err_set(err, EINVAL, "invalid reference format: %s", why);
        return err_set(err, EINVAL, "invalid reference format");
}

int reg_ref_parse(const char *s, struct reg_ref *out, err_t *err)
{
        memset(out, 0, sizeof(*out));
        if (!s || !*s)
                return invalid(err, "repository name must have at least one component");
        if (is_hex64(s))
                return err_set(err, EINVAL,
                               "invalid repository name (%s), cannot specify 64-byte hexadecimal "
                               "strings",
                               s);

        /* split off the domain as docker's splitDockerDomain does */
        const char *slash = strchr(s, '/');
        char *domain, *rest;
        if (!slash) {
                domain = xstrdup(REG_DEFAULT_DOMAIN);
                rest = xasprintf("library/%s", s);
        } else {
                size_t dl = (size_t)(slash - s);
                bool upper = false, special = memchr(s, '.', dl) || memchr(s, ':', dl);
                for (size_t i = 0; i < dl; i++)
                        upper = upper || isupper((unsigned char)s[i]);
                if ((dl == 9 && !strncmp(s, "localhost", 9)) || special || upper) {
                        domain = xstrndup(s, dl);
                        rest = xstrdup(slash + 1);
                        if (!strcmp(domain, "index.docker.io")) {
                                free(domain);
                                domain = xstrdup(REG_DEFAULT_DOMAIN);
                        }
                } else {
                        domain = xstrdup(REG_DEFAULT_DOMAIN);
                        rest = xstrdup(s);
                }
                if (!strcmp(domain, REG_DEFAULT_DOMAIN) && !strchr(rest, '/')) {
                        char *r2 = xasprintf("library/%s", rest);
                        free(rest);
                        rest = r2;
                }
        }
        out->domain = domain;

        /* rest := path [":" tag] ["@" digest] */
        char *at = strchr(rest, '@');
        if (at) {
                *at = '\0';
                const char *dg = at + 1;
                if (!digest_shaped(dg)) {
                        free(rest);
                        reg_ref_free(out);
                        return invalid(err, NULL);
                }
                if (!reg_digest_valid(dg)) {
                        free(rest);
                        reg_ref_free(out);
                        return invalid(err, "invalid checksum digest format");
                }
                out->digest = xstrdup(dg);
        }
        char *lastslash = strrchr(rest, '/');
        char *colon = strchr(lastslash ? lastslash : rest, ':');
        if (colon) {
                *colon = '\0';
                if (!tag_ok(colon + 1)) {
                        free(rest);
                        reg_ref_free(out);
                        return invalid(err, NULL);
                }
                out->tag = xstrdup(colon + 1);
        }
        /* the repository name must be lower case (docker checks the text up
         * to the first ':', before the grammar) */
        bool upper = false;
        for (const char *p = rest; *p; p++)
                upper = upper || isupper((unsigned char)*p);
        if (upper) {
                err_set(err, EINVAL,
                        "invalid reference format: repository name (%s) must be lowercase", rest);
                free(rest);
                reg_ref_free(out);
                return -1;
        }
        if (!domain_ok(domain, strlen(domain)) || !path_ok(rest, strlen(rest))) {
                free(rest);
                reg_ref_free(out);
                return invalid(err, NULL);
        }
        out->path = rest;
        if (strlen(out->domain) + 1 + strlen(out->path) > NAME_MAX_LEN) {
                reg_ref_free(out);
                return invalid(err, "repository name must not be more than 255 characters");
        }
        return 0;
}

void reg_ref_default_tag(struct reg_ref *r)
{
        if (r->digest) {
                free(r->tag);
                r->tag = NULL;
        } else if (!r->tag) {
                r->tag = xstrdup("latest");
        }
}

char *reg_ref_name(const struct reg_ref *r)
{
        return xasprintf("%s/%s", r->domain, r->path);
}

char *reg_ref_familiar_name(const struct reg_ref *r)
{
        if (strcmp(r->domain, REG_DEFAULT_DOMAIN) != 0)
                return reg_ref_name(r);
        if (!strncmp(r->path, "library/", 8) && !strchr(r->path + 8, '/'))
                return xstrdup(r->path + 8);
        return xstrdup(r->path);
}

static char *with_suffix(char *name, const struct reg_ref *r)
{
        char *s = xasprintf("%s%s%s%s%s", name, r->tag ? ":" : "", r->tag ? r->tag : "",
                            r->digest ? "@" : "", r->digest ? r->digest : "");
        free(name);
        return s;
}

char *reg_ref_familiar_string(const struct reg_ref *r)
{
        return with_suffix(reg_ref_familiar_name(r), r);
}

char *reg_ref_string(const struct reg_ref *r)
{
        return with_suffix(reg_ref_name(r), r);
}
