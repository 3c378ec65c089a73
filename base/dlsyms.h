/* dlsyms.h - load a shared library at run time and look up its symbols
 * (the libraries only some commands need: see runtime/curl_lazy.c and
 * net/nft_lazy.c). */
#ifndef BERTH_BASE_DLSYMS_H
#define BERTH_BASE_DLSYMS_H

#include <stdbool.h>
#include <stddef.h>

struct dl_sym {
        const char *name;
        void **slot;
};

/* True while "/" is still the root the process started in (see dlsyms.c). */
bool dl_root_unchanged(void);

/* dlopen lib and fill each slot with its symbol; refused (false, errbuf
 * says why) in a process that has left the root it started in.  On failure every slot is
 * NULL, errbuf holds the loader's message and false is returned (the library
 * stays loaded then: nothing else uses it). */
bool dl_load_syms(const char *lib, const struct dl_sym *syms, size_t n, char *errbuf,
                  size_t errlen);

#endif
