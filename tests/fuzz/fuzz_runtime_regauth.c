/* libFuzzer: parse arbitrary bytes as a WWW-Authenticate header value, as a
 * token server's answer (token, expires_in, issued_at) and as an RFC 3339 time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = xstrndup((const char *)data, size);
        struct reg_challenge c;
        err_t err;
        if (reg_challenge_parse(s, &c, &err) == 0) {
                if (!c.scheme ||
                    (strcmp(c.scheme, "bearer") != 0 && strcmp(c.scheme, "basic") != 0))
                        abort();
                if (!strcmp(c.scheme, "bearer") && !c.realm)
                        abort();
                reg_challenge_free(&c);
        }
        char *tok = NULL;
        time_t until = 0;
        const time_t now = 1700000000;
        if (reg_token_parse((const char *)data, size, now, &tok, &until, &err) == 0) {
                /* a token without line breaks, refreshed within a week from now */
                if (!tok || !*tok || strpbrk(tok, "\r\n") || until < now - 7 * 24 * 3600 ||
                    until > now + 7 * 24 * 3600)
                        abort();
                free(tok);
        } else if (tok) {
                abort();
        }
        free(s);
        return 0;
}
