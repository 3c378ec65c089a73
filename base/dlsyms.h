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

/* A lazily loaded library defined from one list of its functions, at file
 * scope: DL_LAZY(LIST, "libx.so.1", on_failure) with
 *   #define LIST(F, V, C) F(...) V(...) C(...)
 * where each entry is one function of the library:
 *   F(ret, name, fail, (params), (args)): forwarded; fail when it is missing;
 *   V(name, (params), (args)): a void function, forwarded; nothing when missing;
 *   C(ret, name, (params)): looked up, its forwarder written by hand (fn.name).
 * It defines fn (the looked-up pointers), lib (the struct dl_lib) and
 * loaded() (dl_lib_load(&lib)). */
#define DL_FIELD_F(ret, name, fail, params, args) ret(*name) params;
#define DL_FIELD_V(name, params, args)            void(*name) params;
#define DL_FIELD_C(ret, name, params)             ret(*name) params;
#define DL_SYM_F(ret, name, fail, params, args)   {#name, (void **)&fn.name},
#define DL_SYM_V(name, params, args)              {#name, (void **)&fn.name},
#define DL_SYM_C(ret, name, params)               {#name, (void **)&fn.name},
#define DL_FWD_F(ret, name, fail, params, args)                                                    \
        ret name params                                                                            \
        {                                                                                          \
                return loaded() ? fn.name args : (fail);                                           \
        }
#define DL_FWD_V(name, params, args)                                                               \
        void name params                                                                           \
        {                                                                                          \
                if (loaded())                                                                      \
                        fn.name args;                                                              \
        }
#define DL_FWD_C(ret, name, params)
#define DL_LAZY(LIST, libname, on_failure)                                                         \
        static struct {                                                                            \
                LIST(DL_FIELD_F, DL_FIELD_V, DL_FIELD_C)                                           \
        } fn;                                                                                      \
        static const struct dl_sym syms[] = {LIST(DL_SYM_F, DL_SYM_V, DL_SYM_C)};                  \
        static struct dl_lib lib = DL_LIB_INIT(libname, syms, on_failure);                         \
        static bool loaded(void)                                                                   \
        {                                                                                          \
                return dl_lib_load(&lib);                                                          \
        }                                                                                          \
        LIST(DL_FWD_F, DL_FWD_V, DL_FWD_C)

/* Load l the first time it is asked for (dl_load_syms: never outside the
 * start root); true when its symbols are there. */
bool dl_lib_load(struct dl_lib *l);

/* dl_lib_load as an err_t: 0, or -1 with ELIBACC and "load NAME (needed
 * WHAT): why". */
int dl_lib_need(struct dl_lib *l, const char *name, const char *what, err_t *err);

#endif
