/* curl_lazy.c - the libcurl functions berth uses, forwarded to libcurl.so.4
 * loaded with dlopen() on first use (see curl_lazy.h). */
#define CURL_DISABLE_TYPECHECK /* the real names are defined here, not macros */
#include "curl_lazy.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dlsyms.h"

#define LIBCURL "libcurl.so.4"

#define CURL_FUNCS(F, V, C)                                                                        \
        F(CURLcode, curl_global_init, CURLE_FAILED_INIT, (long flags), (flags))                    \
        F(CURL *, curl_easy_init, NULL, (void), ())                                                \
        F(CURLcode, curl_easy_perform, CURLE_FAILED_INIT, (CURL * h), (h))                         \
        V(curl_easy_cleanup, (CURL * h), (h))                                                      \
        V(curl_easy_reset, (CURL * h), (h))                                                        \
        F(const char *, curl_easy_strerror, lib.error, (CURLcode c), (c))                          \
        F(char *, curl_easy_escape, NULL, (CURL * h, const char *s, int len), (h, s, len))         \
        V(curl_free, (void *p), (p))                                                               \
        F(struct curl_slist *, curl_slist_append, NULL, (struct curl_slist * l, const char *s),    \
          (l, s))                                                                                  \
        V(curl_slist_free_all, (struct curl_slist * l), (l))                                       \
        C(CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...))                                   \
        C(CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...))

DL_LAZY(CURL_FUNCS, LIBCURL, NULL)

int rt_curl_load(err_t *err)
{
        return dl_lib_need(&lib, "libcurl", "to talk to registries", err);
}

/* Every option takes one argument, of the type its number's range names
 * (libcurl reads it the same way). */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
        if (!loaded())
                return CURLE_FAILED_INIT;
        va_list ap;
        va_start(ap, opt);
        CURLcode r;
        if (opt < CURLOPTTYPE_OBJECTPOINT) {
                long v = va_arg(ap, long);
                r = fn.curl_easy_setopt(h, opt, v);
        } else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
                void *v = va_arg(ap, void *);
                r = fn.curl_easy_setopt(h, opt, v);
        } else if (opt < CURLOPTTYPE_OFF_T) {
                void (*v)(void) = va_arg(ap, void (*)(void));
                r = fn.curl_easy_setopt(h, opt, v);
        } else if (opt < CURLOPTTYPE_BLOB) {
                curl_off_t v = va_arg(ap, curl_off_t);
                r = fn.curl_easy_setopt(h, opt, v);
        } else {
                void *v = va_arg(ap, void *);
                r = fn.curl_easy_setopt(h, opt, v);
        }
        va_end(ap);
        return r;
}

/* Every query takes one pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
        if (!loaded())
                return CURLE_FAILED_INIT;
        va_list ap;
        va_start(ap, info);
        void *p = va_arg(ap, void *);
        va_end(ap);
        return fn.curl_easy_getinfo(h, info, p);
}
