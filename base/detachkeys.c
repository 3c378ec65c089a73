/* detachkeys.c - Docker's --detach-keys. */
#include "detachkeys.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static int key_code(const char *key, size_t len)
{
        if (len == 1)
                return (unsigned char)key[0];
        if (len != 6 || strncasecmp(key, "ctrl-", 5))
                return -1;
        int c = tolower((unsigned char)key[5]);
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 1;
        const char *punct = "@[\\]^_", *p = c ? strchr(punct, c) : NULL;
        return p ? (p == punct ? 0 : 27 + (int)(p - punct) - 1) : -1;
}

int detach_keys_parse(const char *s, struct detach_keys *k, err_t *err)
{
        memset(k, 0, sizeof(*k));
        if (!*s)
                return 0;
        for (const char *p = s;;) {
                size_t len = strcspn(p, ",");
                int c = key_code(p, len);
                if (c < 0)
                        return err_set(
                            err, EINVAL,
                            "Invalid detach keys (%s) provided: Unknown character: '%.*s' (use "
                            "single characters or ctrl-a..ctrl-z, ctrl-@, ctrl-[, ctrl-\\, "
                            "ctrl-], ctrl-^, ctrl-_, separated by commas)",
                            s, (int)len, p);
                if (k->n == DETACH_KEYS_MAX)
                        return err_set(err, EINVAL,
                                       "Invalid detach keys (%s) provided: more than %d keys", s,
                                       DETACH_KEYS_MAX);
                k->seq[k->n++] = (unsigned char)c;
                if (!p[len])
                        return 0;
                p += len + 1;
        }
}

bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t len,
                      unsigned char *out, size_t *out_n)
{
        *out_n = 0;
        for (size_t i = 0; i < len; i++) {
                if (k->n && in[i] == k->seq[k->seen]) {
                        if (++k->seen == k->n) {
                                k->seen = 0;
                                return true;
                        }
                        continue;
                }
                /* not the sequence after all: what was held goes on first */
                memcpy(out + *out_n, k->seq, k->seen);
                *out_n += k->seen;
                k->seen = 0;
                out[(*out_n)++] = in[i];
        }
        return false;
}
