/* curl_lazy.h - libcurl, loaded on first use.
 *
 * Linking libcurl pulls ~40 shared libraries (TLS, Kerberos, LDAP, ...) into
 * every berth process, and their loading and relocation was 5 ms of each
 * command's start, most of a `berth run`'s CPU.  Only pull, push and login
 * talk HTTP, so the curl_* functions registry_http.c calls are defined in
 * curl_lazy.c: they load libcurl.so.4 with dlopen() on the first call and
 * forward to it. */
#ifndef BERTH_RT_CURL_LAZY_H
#define BERTH_RT_CURL_LAZY_H

#include "err.h"

/* Load libcurl unless already loaded; < 0 with the loader's message. */
int rt_curl_load(err_t *err);

#endif
