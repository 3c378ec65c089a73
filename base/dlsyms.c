#include "dlsyms.h"

#include <dlfcn.h>
#include <stdio.h>

bool dl_load_syms(const char *lib, const struct dl_sym *syms, size_t n, char *errbuf, size_t errlen)
{
        void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *e = dlerror();
                snprintf(errbuf, errlen, "%s", e ? e : "cannot load");
                return false;
        }
        for (size_t i = 0; i < n; i++) {
                void *p = dlsym(h, syms[i].name);
                if (!p) {
                        snprintf(errbuf, errlen, "%s: no symbol %s", lib, syms[i].name);
                        for (size_t k = 0; k < n; k++)
                                *syms[k].slot = NULL;
                        return false;
                }
                *syms[i].slot = p;
        }
        return true;
}
