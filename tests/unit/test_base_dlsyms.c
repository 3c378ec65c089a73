/* dlsyms: a library is loaded from the root the process started in, never
 * from a root it entered later (a container's, where the image chose it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dlsyms.h"
#include "tap.h"

#define LIB     "libz.so.1"
#define LIBPATH "/usr/lib/x86_64-linux-gnu/" LIB

static int copy_file(const char *from, const char *to)
{
        int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
        struct stat st;
        if (in >= 0 && fstat(in, &st) == 0 &&
            (out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755)) >= 0)
                rc = sendfile(out, in, NULL, (size_t)st.st_size) == st.st_size ? 0 : -1;
        if (in >= 0)
                close(in);
        if (out >= 0)
                close(out);
        return rc;
}

static int failures;

static void count_failure(struct dl_lib *l)
{
        (void)l;
        failures++;
}

/* dl_lib: loaded once, the failure handler called once, the error kept. */
static void test_dl_lib(void)
{
        static void *zv;
        static const struct dl_sym zsyms[] = {{"zlibVersion", &zv}};
        static struct dl_lib z = DL_LIB_INIT(LIB, zsyms, count_failure);
        ok(dl_lib_load(&z) && zv, "dl_lib: a library is loaded on first use");
        ok(dl_lib_load(&z) && failures == 0, "and a second use finds it loaded");

        static void *nv;
        static const struct dl_sym nsyms[] = {{"nothing", &nv}};
        static struct dl_lib none = DL_LIB_INIT("libberth-none.so.0", nsyms, count_failure);
        err_t err = {0};
        ok(dl_lib_need(&none, "libberth-none", "for this test", &err) < 0 && err.code == ELIBACC,
           "a library that is not there fails with ELIBACC");
        ok(!strncmp(err.msg, "load libberth-none (needed for this test): ", 43) &&
               strstr(err.msg, "libberth-none.so.0"),
           "naming the library and why it was needed: %s", err.msg);
        ok(!dl_lib_load(&none) && failures == 1 && !nv,
           "the load is tried once and the failure handler called once");
}

int main(void)
{
        void *fn = NULL;
        struct dl_sym syms[] = {{"zlibVersion", &fn}};
        char msg[256] = "";

        ok(dl_root_unchanged(), "the start root is known and unchanged");
        if (access(LIBPATH, R_OK) < 0 || geteuid() != 0) {
                tap_skip(LIBPATH " or root is missing: the chroot case is not run");
                test_dl_lib();
                return tap_done();
        }
        /* a root holding its own copy of the library, where dlopen would
         * find it; the child enters it and asks for the library */
        char dir[] = "/tmp/berth-dlsyms.XXXXXX";
        ok(mkdtemp(dir) != NULL, "scratch root");
        char p[256];
        const char *sub[] = {"/lib", "/lib/x86_64-linux-gnu", "/usr", "/usr/lib",
                             "/usr/lib/x86_64-linux-gnu"};
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
                snprintf(p, sizeof(p), "%s%s", dir, sub[i]);
                mkdir(p, 0755);
        }
        snprintf(p, sizeof(p), "%s/lib/x86_64-linux-gnu/" LIB, dir);
        ok(copy_file(LIBPATH, p) == 0, "the image's copy of the library");
        char q[256];
        snprintf(q, sizeof(q), "%s/usr/lib/x86_64-linux-gnu/" LIB, dir);
        ok(copy_file(LIBPATH, q) == 0, "and under /usr");

        int pfd[2];
        ok(pipe(pfd) == 0, "pipe");
        pid_t pid = fork();
        if (pid == 0) {
                close(pfd[0]);
                int loaded = 2;
                if (chroot(dir) == 0 && chdir("/") == 0)
                        loaded = dl_load_syms(LIB, syms, 1, msg, sizeof(msg)) && fn;
                if (write(pfd[1], msg, strlen(msg)) < 0)
                        _exit(3);
                _exit(loaded);
        }
        close(pfd[1]);
        ssize_t n = read(pfd[0], msg, sizeof(msg) - 1);
        msg[n > 0 ? n : 0] = '\0';
        close(pfd[0]);
        int st = 0;
        waitpid(pid, &st, 0);
        ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "inside another root the library is not loaded");
        ok(strstr(msg, "no longer in the root it started in") != NULL,
           "and the message says why: %s", msg);

        /* in the start root it loads */
        fn = NULL;
        ok(dl_load_syms(LIB, syms, 1, msg, sizeof(msg)) && fn, "in the start root it loads");

        unlink(p);
        unlink(q);
        for (size_t i = sizeof(sub) / sizeof(sub[0]); i-- > 0;) {
                char d[256];
                snprintf(d, sizeof(d), "%s%s", dir, sub[i]);
                rmdir(d);
        }
        rmdir(dir);
        test_dl_lib();
        return tap_done();
}
