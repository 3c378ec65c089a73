/* dlsyms.h - load a shared library at run time and look up its symbols
 * (the libraries only some commands need: see runtime/curl_lazy.c and
 * net/nft_lazy.c). */
#ifndef BERTH_BASE_DLSYMS_H
#define BERTH_BASE_DLSYMS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

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

/* A library loaded once, on first use, by whichever thread needs it first
 * (see the *_lazy.c files).  Define one with DL_LIB_INIT at file scope. */
struct dl_lib {
        const char *name; /* "libcurl.so.4" */
        const struct dl_sym *syms;
        size_t nsyms;
        void (*on_failure)(struct dl_lib *l); /* called once, when the load fails */
        pthread_mutex_t mu;
        bool done, ok;
        char error[256]; /* why the load failed */
};

#define DL_LIB_INIT(lib, symtab, fail)                                                             \
        {                                                                                          \
                .name = (lib), .syms = (symtab), .nsyms = sizeof(symtab) / sizeof((symtab)[0]),    \
                .on_failure = (fail), .mu = PTHREAD_MUTEX_INITIALIZER                              \
        }

/* Load l the first time it is asked for (dl_load_syms: never outside the
 * start root); true when its symbols are there. */
bool dl_lib_load(struct dl_lib *l);

/* dl_lib_load as an err_t: 0, or -1 with ELIBACC and "load NAME (needed
 * WHAT): why". */
int dl_lib_need(struct dl_lib *l, const char *name, const char *what, err_t *err);

#endif
