#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* err = code and the message; sys: ": strerror(code)" after it (when code). */
static int __attribute__((format(printf, 4, 0)))
err_vset(err_t *err, int code, bool sys, const char *fmt, va_list ap)
{
        if (!err)
                return -1;
        err->code = code;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        size_t n = strlen(err->msg);
        if (sys && code && n < sizeof(err->msg))
                snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(code));
        return -1;
}

int err_set(err_t *err, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        err_vset(err, code, false, fmt, ap);
        va_end(ap);
        return -1;
}

int err_sys(err_t *err, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        err_vset(err, code, true, fmt, ap);
        va_end(ap);
        return -1;
}

int err_wrap(err_t *err, const char *fmt, ...)
{
        char prefix[ERR_MSG_MAX], old[ERR_MSG_MAX];
        va_list ap;

        if (!err)
                return -1;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        /* Truncation is acceptable: the start of the message names the object. */
        int n = snprintf(err->msg, sizeof(err->msg), "%s: ", prefix);
        if (n > 0 && (size_t)n < sizeof(err->msg))
                memcpy(err->msg + n, old, strnlen(old, sizeof(err->msg) - (size_t)n - 1) + 1);
        err->msg[sizeof(err->msg) - 1] = '\0';
        return -1;
}

void err_clear(err_t *err)
{
        if (!err)
                return;
        err->code = 0;
        err->msg[0] = '\0';
}
