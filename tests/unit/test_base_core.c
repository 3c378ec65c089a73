/* Unit tests for base/: errors, strings, vectors, atomic writes. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/fsutil.h"
#include "base/names.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "base/workers.h"
#include "base/xalloc.h"
#include "tap.h"

static void test_err(void)
{
        err_t e;
        err_clear(&e);
        is_int(err_set(&e, EINVAL, "bad %s", "thing"), -1, "err_set returns -1");
        is_str(e.msg, "bad thing", "err_set message");
        is_int(e.code, EINVAL, "err_set code");
        err_wrap(&e, "service `%s`", "web");
        is_str(e.msg, "service `web`: bad thing", "err_wrap prepends context");
        err_sys(&e, ENOENT, "open %s", "/x");
        is_str(e.msg, "open /x: No such file or directory", "err_sys appends strerror");
        is_int(err_set(NULL, 1, "x"), -1, "err_set tolerates NULL");
}

static void test_strbuf(void)
{
        strbuf_t sb = STRBUF_INIT;
        is_str(sb_str(&sb), "", "empty strbuf is empty string");
        sb_append(&sb, "a");
        sb_appendc(&sb, 'b');
        sb_appendf(&sb, "%d-%s", 42, "x");
        is_str(sb_str(&sb), "ab42-x", "appends");
        for (int i = 0; i < 1000; i++)
                sb_append(&sb, "0123456789");
        is_int(sb.len, 10006, "grows");
        _cleanup_free_ char *s = sb_steal(&sb);
        is_int(sb.len, 0, "steal empties");
        is_int(strlen(s), 10006, "stolen string intact");
        sb_free(&sb);
}

static void test_strv(void)
{
        strv_t v = STRV_INIT;
        strv_push(&v, "b");
        strv_push(&v, "a");
        strv_pushf(&v, "c%d", 1);
        ok(strv_contains(&v, "a"), "contains");
        ok(!strv_contains(&v, "z"), "does not contain");
        strv_sort(&v);
        _cleanup_free_ char *j = strv_join(&v, ",");
        is_str(j, "a,b,c1", "sort and join");
        strv_remove(&v, 1);
        _cleanup_free_ char *j2 = strv_join(&v, ",");
        is_str(j2, "a,c1", "remove");
        ok(v.v[v.n] == NULL, "NULL terminated");
        strv_free(&v);
}

static void test_files(void)
{
        char dir[] = "/tmp/berth-unit-XXXXXX";
        err_t e;
        ok(mkdtemp(dir) != NULL, "mkdtemp");
        _cleanup_free_ char *p = xasprintf("%s/a/b/c", dir);
        is_int(mkdir_p(p, 0755, &e), 0, "mkdir_p");
        _cleanup_free_ char *f = xasprintf("%s/a/file.json", dir);
        is_int(atomic_write_file(f, "{}\n", 3, 0644, &e), 0, "atomic write");
        is_int(atomic_write_file(f, "{\"a\":1}\n", 8, 0644, &e), 0, "atomic overwrite");
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        is_int(read_file(f, &buf, &n, &e), 0, "read back");
        is_str(buf, "{\"a\":1}\n", "content replaced");
        _cleanup_free_ char *missing = xasprintf("%s/nope", dir);
        char *b2 = NULL;
        is_int(read_file(missing, &b2, NULL, &e), -1, "missing file fails");
        is_int(e.code, ENOENT, "with ENOENT");
        ok(strstr(e.msg, "nope") != NULL, "message names the file: %s", e.msg);
        _cleanup_free_ char *ln = xasprintf("%s/a/link", dir);
        ok(symlink("/etc", ln) == 0, "symlink");
        /* path_size: the files' bytes and the link's own, not what it points to */
        is_int((int)path_size(dir), 8 + (int)strlen("/etc"), "path_size: files and links");
        is_int((int)path_size(missing), 0, "path_size of a missing path is 0");
        is_int((int)path_size(""), 0, "path_size of no path is 0");
        is_int(rm_rf(dir, &e), 0, "rm_rf");
        ok(access(dir, F_OK) < 0, "tree gone");
        ok(access("/etc/passwd", F_OK) == 0, "rm_rf did not follow symlink");
}

static void test_path_clean(void)
{
        static const struct {
                const char *in, *out;
                bool above;
        } cases[] = {
            {"a/b/c", "a/b/c", false},
            {"/a//b/./c/", "a/b/c", false},
            {"a/../b", "b", false},
            {"../a", "a", true},
            {"/../../etc", "etc", true},
            {"a/b/../../..", "", true},
            {"", "", false},
            {"/", "", false},
            {"./.", "", false},
            {"a/..b/c..", "a/..b/c..", false},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                bool above = !cases[i].above;
                _cleanup_free_ char *r = path_clean(cases[i].in, &above);
                ok(!strcmp(r, cases[i].out) && above == cases[i].above,
                   "path_clean(\"%s\") = \"%s\" (%s)", cases[i].in, r, above ? "above" : "inside");
        }
        _cleanup_free_ char *a = path_clean_abs("x/../../y/");
        is_str(a, "/y", "path_clean_abs");
        _cleanup_free_ char *n = path_clean("a/../b", NULL);
        is_str(n, "b", "path_clean without above");
}

/* A tree deeper than the fd limit, with files and a symlink at each level,
 * goes with a bounded number of fds. */
static void test_rm_deep(void)
{
        char tmpl[] = "/tmp/berth-rmdeep.XXXXXX";
        ok(mkdtemp(tmpl) != NULL, "mkdtemp");
        int fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (int i = 0; i < 300 && fd >= 0; i++) {
                int f = openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (f >= 0)
                        close(f);
                (void)!symlinkat("/etc", fd, "l");
                mkdirat(fd, "d", 0700);
                mkdirat(fd, "e", 0700);
                int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                close(fd);
                fd = next;
        }
        if (fd >= 0)
                close(fd);
        struct rlimit old, low = {32, 32};
        getrlimit(RLIMIT_NOFILE, &old);
        low.rlim_max = old.rlim_max;
        setrlimit(RLIMIT_NOFILE, &low);
        err_t e = {0};
        int r = rm_rf(tmpl, &e);
        setrlimit(RLIMIT_NOFILE, &old);
        ok(r == 0, "rm_rf of a 300-deep tree with 32 fds: %s", r ? e.msg : "ok");
        ok(access(tmpl, F_OK) < 0 && errno == ENOENT, "the tree is gone");
        ok(access("/etc/passwd", F_OK) == 0, "no symlink followed");
}

struct jobs {
        pthread_mutex_t mu;
        int next, total, done;
};

static void *take_jobs(void *arg)
{
        struct jobs *j = arg;
        for (;;) {
                pthread_mutex_lock(&j->mu);
                bool more = j->next < j->total;
                if (more) {
                        j->next++;
                        j->done++;
                }
                pthread_mutex_unlock(&j->mu);
                if (!more)
                        return NULL;
        }
}

static void test_names(void)
{
        ok(name_ok("a.b_c-9", false) && name_ok("_x", false), "name_ok: name characters");
        ok(!name_ok("", false) && !name_ok("a b", false) && !name_ok("a/b", false) &&
               !name_ok("\xc3\xa9", false),
           "name_ok: empty, space, slash, non-ASCII refused");
        ok(name_ok("web1", true) && !name_ok("_x", true) && !name_ok(".x", true),
           "name_ok alnum_first: the first a letter or digit");
}

static void test_workers(void)
{
        for (size_t n = 0; n <= 4; n++) {
                struct jobs j = {.mu = PTHREAD_MUTEX_INITIALIZER, .total = 100};
                run_workers(n, take_jobs, &j);
                is_int(j.done, n ? 100 : 0, "run_workers on %zu threads: every job done once", n);
        }
        pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
        bool failed = false;
        err_t first = {0}, e1, e2;
        err_set(&e1, EIO, "first");
        err_set(&e2, EINVAL, "second");
        workers_fail(&mu, &failed, &first, &e1);
        workers_fail(&mu, &failed, &first, &e2);
        ok(failed && first.code == EIO && !strcmp(first.msg, "first"),
           "workers_fail keeps the first failure");
}

/* fds of this process open on an unlinked file whose name ends in name */
static int open_deleted(const char *name)
{
        int n = 0;
        char want[256];
        snprintf(want, sizeof(want), "%s (deleted)", name);
        for (int fd = 0; fd < 1024; fd++) {
                char p[64], t[4096];
                snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
                ssize_t k = readlink(p, t, sizeof(t) - 1);
                if (k <= 0)
                        continue;
                t[k] = '\0';
                size_t tl = strlen(t), wl = strlen(want);
                n += tl >= wl && !strcmp(t + tl - wl, want);
        }
        return n;
}

static void test_hold_replaced(void)
{
        char dir[] = "/tmp/berth-unit-XXXXXX";
        err_t e;
        ok(mkdtemp(dir) != NULL, "mkdtemp");
        _cleanup_free_ char *f = xasprintf("%s/held.json", dir);
        is_int(atomic_replace_at(AT_FDCWD, f, "1", 1, 0600, false, &e), 0, "first write");
        fs_hold_replaced(true);
        is_int(atomic_replace_at(AT_FDCWD, f, "2", 1, 0600, false, &e), 0, "replaced, holding");
        is_int(atomic_replace_at(AT_FDCWD, f, "3", 1, 0600, false, &e), 0, "replaced again");
        is_int(open_deleted("/held.json"), 2, "both replaced files are still open");
        _cleanup_free_ char *buf = NULL;
        is_int(read_file(f, &buf, NULL, &e), 0, "read back");
        is_str(buf, "3", "the name holds the last content");
        fs_hold_replaced(false);
        is_int(open_deleted("/held.json"), 0, "closed when holding ends");
        is_int(atomic_replace_at(AT_FDCWD, f, "4", 1, 0600, false, &e), 0, "replaced, not holding");
        is_int(open_deleted("/held.json"), 0, "nothing held then");
        is_int(rm_rf(dir, &e), 0, "rm_rf");
}

int main(void)
{
        test_hold_replaced();
        test_rm_deep();
        test_err();
        test_path_clean();
        test_strbuf();
        test_strv();
        test_files();
        test_workers();
        test_names();
        return tap_done();
}
