#include "restart.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

static const char *const names[] = {
    [RESTART_NO] = "no",
    [RESTART_ALWAYS] = "always",
    [RESTART_ON_FAILURE] = "on-failure",
    [RESTART_UNLESS_STOPPED] = "unless-stopped",
};

const char *restart_kind_name(enum restart_kind k)
{
        return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "no";
}

int restart_policy_parse(const char *s, struct restart_policy *out, err_t *err)
{
        const char *colon;
        size_t len;
        unsigned k;

        out->kind = RESTART_NO;
        out->max_retries = 0;
        if (!s || !*s)
                return 0;
        colon = strchr(s, ':');
        len = colon ? (size_t)(colon - s) : strlen(s);
        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
                if (strlen(names[k]) == len && !strncmp(s, names[k], len))
                        break;
        if (k == sizeof(names) / sizeof(names[0])) {
                err_set(err, EINVAL, "invalid restart policy '%s'", s);
                return -RESTART_BAD_NAME;
        }
        out->kind = (enum restart_kind)k;
        if (!colon || !colon[1])
                return 0; /* "on-failure:" is "on-failure", as docker reads it */
        const char *d = colon + 1;
        bool neg = *d == '-';
        long v = 0;
        if (*d == '-' || *d == '+')
                d++;
        if (!*d)
                goto bad_count;
        for (; *d; d++) {
                if (*d < '0' || *d > '9')
                        goto bad_count;
                v = v * 10 + (*d - '0');
                if (v > INT_MAX)
                        goto bad_count;
        }
        if (neg && v) {
                err_set(err, EINVAL,
                        "invalid restart policy '%s': maximum retry count cannot be "
                        "negative",
                        s);
                return -RESTART_BAD_COUNT;
        }
        if (v && out->kind != RESTART_ON_FAILURE) {
                err_set(err, EINVAL,
                        "maximum retry count cannot be used with restart policy '%.*s'", (int)len,
                        s);
                return -RESTART_COUNT_NOT_ALLOWED;
        }
        out->max_retries = (int)v;
        return 0;
bad_count:
        err_set(err, EINVAL,
                "invalid restart policy format: maximum retry count must be an integer");
        return -RESTART_BAD_COUNT;
}
