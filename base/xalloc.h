/* xalloc.h - allocation that cannot fail: out of memory aborts the process.
 * Containers and compose files are small; an OOM here is not recoverable in a
 * way a user could act on, so we die loudly instead of threading ENOMEM. */
#ifndef BERTH_XALLOC_H
#define BERTH_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
