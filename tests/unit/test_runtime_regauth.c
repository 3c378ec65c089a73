/* Token server answers: the token, and when it is due for a refresh
 * (expires_in from issued_at, the token spec's 60 s default). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/registry_internal.h"
#include "tap.h"

#define NOW 1700000000LL /* 2023-11-14T22:13:20Z */

/* refresh_at - NOW for body, or -1000000 when it must be refused */
static long long due(const char *body, char **tok)
{
        time_t until = 0;
        err_t err;
        *tok = NULL;
        if (reg_token_parse(body, strlen(body), (time_t)NOW, tok, &until, &err) < 0)
                return -1000000;
        return (long long)until - NOW;
}

int main(void)
{
        char *t;
        /* issued_at is read by base's time_parse_rfc3339 (test_base_parsers.c) */
        is_int(due("{\"token\":\"a\",\"expires_in\":300}", &t), 295,
               "expires_in 300: due 5 s early");
        is_str(t, "a", "the token");
        free(t);
        is_int(due("{\"token\":\"a\"}", &t), 55, "no expires_in: 60 s (the token spec's default)");
        free(t);
        is_int(due("{\"token\":\"a\",\"expires_in\":0}", &t), 55, "expires_in 0: 60 s");
        free(t);
        is_int(due("{\"token\":\"a\",\"expires_in\":3}", &t), 3, "a short lifetime is honoured");
        free(t);
        is_int(
            due("{\"token\":\"a\",\"expires_in\":60,\"issued_at\":\"2023-11-14T22:12:30Z\"}", &t),
            5, "counted from issued_at (50 s ago)");
        free(t);
        is_int(
            due("{\"token\":\"a\",\"expires_in\":60,\"issued_at\":\"2023-11-14T22:23:20Z\"}", &t),
            55, "issued_at in the future: from now");
        free(t);
        is_int(
            due("{\"token\":\"a\",\"expires_in\":60,\"issued_at\":\"2023-11-14T20:00:00Z\"}", &t),
            55, "issued_at older than the lifetime (skew): from now");
        free(t);
        is_int(due("{\"token\":\"a\",\"expires_in\":60,\"issued_at\":\"yesterday\"}", &t), 55,
               "malformed issued_at: from now");
        free(t);
        is_int(due("{\"access_token\":\"b\",\"expires_in\":120}", &t), 115, "access_token");
        is_str(t, "b", "access_token when there is no token");
        free(t);
        is_int(due("{\"token\":\"\",\"access_token\":\"c\"}", &t), 55, "empty token: access_token");
        is_str(t, "c", "empty token falls back");
        free(t);
        is_int(due("{\"expires_in\":60}", &t), -1000000, "no token: refused");
        ok(t == NULL, "nothing returned");
        is_int(due("{\"token\":\"a\\r\\nX-Evil: 1\"}", &t), -1000000,
               "CR/LF in the token: refused");
        is_int(due("not json", &t), -1000000, "not JSON: refused");
        return tap_done();
}
