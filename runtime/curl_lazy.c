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

static struct {
        CURLcode (*global_init)(long);
        CURL *(*easy_init)(void);
        CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
        CURLcode (*easy_perform)(CURL *);
        CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
        void (*easy_cleanup)(CURL *);
        void (*easy_reset)(CURL *);
        const char *(*easy_strerror)(CURLcode);
        char *(*easy_escape)(CURL *, const char *, int);
        void (*free)(void *);
        struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
        void (*slist_free_all)(struct curl_slist *);
} fn;

static const struct dl_sym syms[] = {
    {"curl_global_init", (void **)&fn.global_init},
    {"curl_easy_init", (void **)&fn.easy_init},
    {"curl_easy_setopt", (void **)&fn.easy_setopt},
    {"curl_easy_perform", (void **)&fn.easy_perform},
    {"curl_easy_getinfo", (void **)&fn.easy_getinfo},
    {"curl_easy_cleanup", (void **)&fn.easy_cleanup},
    {"curl_easy_reset", (void **)&fn.easy_reset},
    {"curl_easy_strerror", (void **)&fn.easy_strerror},
    {"curl_easy_escape", (void **)&fn.easy_escape},
    {"curl_free", (void **)&fn.free},
    {"curl_slist_append", (void **)&fn.slist_append},
    {"curl_slist_free_all", (void **)&fn.slist_free_all},
};
static struct dl_lib lib = DL_LIB_INIT(LIBCURL, syms, NULL);

static bool loaded(void)
{
        return dl_lib_load(&lib);
}

int rt_curl_load(err_t *err)
{
        return dl_lib_need(&lib, "libcurl", "to talk to registries", err);
}

CURLcode curl_global_init(long flags)
{
        return loaded() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
        return loaded() ? fn.easy_init() : NULL;
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
                r = fn.easy_setopt(h, opt, v);
        } else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
                void *v = va_arg(ap, void *);
                r = fn.easy_setopt(h, opt, v);
        } else if (opt < CURLOPTTYPE_OFF_T) {
                void (*v)(void) = va_arg(ap, void (*)(void));
                r = fn.easy_setopt(h, opt, v);
        } else if (opt < CURLOPTTYPE_BLOB) {
                curl_off_t v = va_arg(ap, curl_off_t);
                r = fn.easy_setopt(h, opt, v);
        } else {
                void *v = va_arg(ap, void *);
                r = fn.easy_setopt(h, opt, v);
        }
        va_end(ap);
        return r;
}

CURLcode curl_easy_perform(CURL *h)
{
        return loaded() ? fn.easy_perform(h) : CURLE_FAILED_INIT;
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
        return fn.easy_getinfo(h, info, p);
}

void curl_easy_cleanup(CURL *h)
{
        if (loaded())
                fn.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
        if (loaded())
                fn.easy_reset(h);
}

const char *curl_easy_strerror(CURLcode c)
{
        return loaded() ? fn.easy_strerror(c) : lib.error;
}

char *curl_easy_escape(CURL *h, const char *s, int len)
{
        return loaded() ? fn.easy_escape(h, s, len) : NULL;
}

void curl_free(void *p)
{
        if (loaded())
                fn.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
        return loaded() ? fn.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
        if (loaded())
                fn.slist_free_all(l);
}
