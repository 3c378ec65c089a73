/* tap.h - minimal TAP producer for unit tests.
 *
 *   ok(cond, "name %d", x);   is_str(got, want, "name");   is_int(got, want, "name");
 *   is_str_owned(malloced, want, "name");   is_str, then frees what it was given.
 *   return tap_done();        prints the plan and returns the exit status. */
#ifndef BERTH_TAP_H
#define BERTH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int __attribute__((format(printf, 2, 3))) ok(int cond, const char *fmt, ...)
{
        va_list ap;
        tap_n++;
        printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        if (!cond)
                tap_failed++;
        fflush(stdout);
        return cond;
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
        va_list ap;
        fputs("# ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
}

#define is_str(got, want, ...)                                                                     \
        do {                                                                                       \
                const char *g_ = (got), *w_ = (want);                                              \
                if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__))                   \
                        tap_diag("got:  '%s'\n#   want: '%s'", g_ ? g_ : "(null)",                 \
                                 w_ ? w_ : "(null)");                                              \
        } while (0)

/* is_str on a string the test owns (malloc'd), which it then frees */
#define is_str_owned(got, want, ...)                                                               \
        do {                                                                                       \
                char *o_ = (got);                                                                  \
                is_str(o_, want, __VA_ARGS__);                                                     \
                free(o_);                                                                          \
        } while (0)

#define is_int(got, want, ...)                                                                     \
        do {                                                                                       \
                long long g_ = (long long)(got), w_ = (long long)(want);                           \
                if (!ok(g_ == w_, __VA_ARGS__))                                                    \
                        tap_diag("got: %lld want: %lld", g_, w_);                                  \
        } while (0)

static inline void tap_skip(const char *why)
{
        tap_n++;
        printf("ok %d # SKIP %s\n", tap_n, why);
}

static inline int tap_done(void)
{
        printf("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}

#endif
