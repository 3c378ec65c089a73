#include "dlsyms.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

/* The root this process started with.  dlopen() searches the library in
 * the process's current root and mount namespace: a process that has since
 * entered a container (pivot_root, chroot, setns into its mount namespace)
 * would load the image's copy of the library, code the image chose, with
 * berth's privileges.  So a load is refused once "/" is not that root. */
static struct stat start_root;
static bool start_root_known;

__attribute__((constructor)) static void note_root(void)
{
        start_root_known = stat("/", &start_root) == 0;
}

bool dl_root_unchanged(void)
{
        struct stat now;
        return start_root_known && stat("/", &now) == 0 && now.st_dev == start_root.st_dev &&
               now.st_ino == start_root.st_ino;
}

bool dl_load_syms(const char *lib, const struct dl_sym *syms, size_t n, char *errbuf, size_t errlen)
{
        if (!dl_root_unchanged()) {
                snprintf(errbuf, errlen,
                         "%s: not loaded: this process is no longer in the root it started in "
                         "(a library from a container's root is never loaded)",
                         lib);
                for (size_t k = 0; k < n; k++)
                        *syms[k].slot = NULL;
                return false;
        }
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

bool dl_lib_load(struct dl_lib *l)
{
        if (__atomic_load_n(&l->done, __ATOMIC_ACQUIRE))
                return l->ok;
        pthread_mutex_lock(&l->mu);
        if (!l->done) {
                l->ok = dl_load_syms(l->name, l->syms, l->nsyms, l->error, sizeof(l->error));
                if (!l->ok && l->on_failure)
                        l->on_failure(l);
                __atomic_store_n(&l->done, true, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&l->mu);
        return l->ok;
}

int dl_lib_need(struct dl_lib *l, const char *name, const char *what, err_t *err)
{
        if (dl_lib_load(l))
                return 0;
        return err_set(err, ELIBACC, "load %s (needed %s): %s", name, what, l->error);
}
