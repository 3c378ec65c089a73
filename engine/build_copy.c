/* build_copy.c - COPY and ADD: a layer made from the build context or another
 * stage/image, written by a helper process that sees the image's rootfs (to
 * resolve the destination through the image's own symlinks, inside it). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/crash.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "build_internal.h"
#include "runtime/layer.h"

struct copy_job {
        struct build *b;
        const struct rt_df_instr *in;
        bool add;
        strv_t srcs;
        char *dest; /* absolute, cleaned; trailing '/' kept as dir_syntax */
        bool dir_syntax;
        bool from_image; /* sources in root2, else the build context */
        const char *chown, *chmod;
        int outfd;
        char *digest; /* shared with the parent: 65 bytes */
};

static int open_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC),
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
}

/* Clean a relative source path; ".." above the root is an error. */
static char *clean_src(const char *src, err_t *err)
{
        bool above;
        char *r = path_clean(src, &above);
        if (above) {
                free(r);
                err_set(err, EINVAL, "forbidden path outside the build context: %s", src);
                return NULL;
        }
        return r;
}

static bool has_glob(const char *s)
{
        return strpbrk(s, "*?[") != NULL;
}

struct filt {
        const strv_t *ignore;
        const char *parent; /* context-relative dir of the walk's root */
};

static bool ignored(const char *rel, void *ud)
{
        const struct filt *f = ud;
        if (!f->ignore || !f->ignore->n)
                return false;
        _cleanup_free_ char *full = *f->parent ? xasprintf("%s/%s", f->parent, rel) : xstrdup(rel);
        return rt_dockerignore_excluded(f->ignore, full);
}

/* Expand the sources into existing relative paths. */
static int find_sources(struct copy_job *j, int srcfd, strv_t *found, err_t *err)
{
        const strv_t *ign = j->from_image ? NULL : &j->b->ignore;
        for (size_t i = 0; i < j->srcs.n; i++) {
                const char *s = j->srcs.v[i];
                if (strstr(s, "://") || !strncmp(s, "git@", 4)) {
                        if (j->add)
                                return err_set(err, ENOTSUP,
                                               "ADD from a URL is not supported by berth: %s", s);
                        return err_set(err, EINVAL, "source can't be a URL for COPY");
                }
                _cleanup_free_ char *c = clean_src(s, err);
                if (!c)
                        return -1;
                const char *slash = strrchr(c, '/');
                _cleanup_free_ char *dir = slash ? xstrndup(c, (size_t)(slash - c)) : xstrdup("");
                const char *base = slash ? slash + 1 : c;
                size_t before = found->n;
                if (has_glob(base) && !has_glob(dir)) {
                        _cleanup_close_ int dfd = open_in_root(srcfd, dir, O_RDONLY | O_DIRECTORY);
                        _cleanup_closedir_ DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
                        if (d)
                                dfd = -1;
                        struct dirent *de;
                        strv_t names = STRV_INIT;
                        while (d && (de = readdir(d)))
                                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
                                    rt_path_match(base, de->d_name))
                                        strv_push(&names, de->d_name);
                        strv_sort(&names);
                        for (size_t k = 0; k < names.n; k++) {
                                _cleanup_free_ char *p = *dir ? xasprintf("%s/%s", dir, names.v[k])
                                                              : xstrdup(names.v[k]);
                                if (!ign || !rt_dockerignore_excluded(ign, p))
                                        strv_push(found, p);
                        }
                        strv_free(&names);
                } else if (has_glob(dir)) {
                        return err_set(err, ENOTSUP,
                                       "%s: wildcards in directory names are not supported", s);
                } else {
                        _cleanup_close_ int pfd = open_in_root(srcfd, dir, O_PATH | O_DIRECTORY);
                        struct stat st;
                        bool ok = pfd >= 0 &&
                                  (!*base || fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0);
                        if (ok && (!*c || !ign || !rt_dockerignore_excluded(ign, c)))
                                strv_push(found, c);
                }
                if (found->n == before)
                        return err_set(err, ENOENT,
                                       "%s failed: file not found in build context or excluded "
                                       "by .dockerignore: stat %s: file does not exist",
                                       j->add ? "ADD" : "COPY", s);
        }
        return 0;
}

/* Resolve the destination below the image root: existing components through
 * the image's symlinks (inside the root), the rest as they are.  *resolved is
 * relative; *nexist how many of its leading components exist. */
static int resolve_dest(int rootfd, const char *root, const char *dest, char **resolved,
                        size_t *nexist, bool *is_dir, err_t *err)
{
        strv_t comps = STRV_INIT;
        _cleanup_free_ char *dup = xstrdup(dest);
        char *save = NULL;
        for (char *c = strtok_r(dup, "/", &save); c; c = strtok_r(NULL, "/", &save))
                strv_push(&comps, c);
        _cleanup_free_ char *cur = xstrdup("");
        size_t i = 0;
        *is_dir = true;
        for (; i < comps.n; i++) {
                _cleanup_free_ char *p =
                    *cur ? xasprintf("%s/%s", cur, comps.v[i]) : xstrdup(comps.v[i]);
                _cleanup_close_ int fd = open_in_root(rootfd, p, O_PATH);
                if (fd < 0)
                        break;
                char link[64], real[4096];
                snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
                ssize_t n = readlink(link, real, sizeof(real) - 1);
                struct stat st;
                if (n < 0 || fstat(fd, &st) < 0) {
                        strv_free(&comps);
                        return err_sys(err, errno, "resolve %s in the image", dest);
                }
                real[n] = '\0';
                size_t rl = strlen(root);
                free(cur);
                cur = xstrdup(!strncmp(real, root, rl) ? real + rl + (real[rl] == '/') : "");
                *is_dir = S_ISDIR(st.st_mode);
                if (!*is_dir && i + 1 < comps.n) {
                        strv_free(&comps);
                        return err_set(err, ENOTDIR, "%s: not a directory in the image", p);
                }
        }
        bool all = i == comps.n;
        size_t n = 0;
        for (char *c = cur; *c; c++)
                n += *c == '/';
        *nexist = *cur ? n + 1 : 0;
        if (!all)
                *is_dir = false;
        strbuf_t sb = STRBUF_INIT;
        sb_append(&sb, cur);
        for (; i < comps.n; i++) {
                if (sb.len)
                        sb_appendc(&sb, '/');
                sb_append(&sb, comps.v[i]);
        }
        strv_free(&comps);
        *resolved = sb_steal(&sb);
        return all ? 1 : 0;
}

/* uid/gid of a --chown user[:group] (names from the image's files). */
static long long id_of(int rootfd, const char *file, const char *name, err_t *err)
{
        char *end;
        long long v = strtoll(name, &end, 10);
        if (*name && !*end)
                return v;
        _cleanup_close_ int fd = open_in_root(rootfd, file, O_RDONLY);
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (fd < 0 || read_fd_all(fd, 0, &text, &len, NULL) < 0)
                return err_set(err, ENOENT, "unable to find user/group %s: no %s in the image",
                               name, file);
        size_t nl = strlen(name);
        for (char *l = text; l && *l;) {
                char *next = strchr(l, '\n');
                if (!strncmp(l, name, nl) && l[nl] == ':') {
                        char *f = strchr(l + nl + 1, ':');
                        if (f)
                                return strtoll(f + 1, NULL, 10);
                }
                l = next ? next + 1 : NULL;
        }
        return err_set(err, ENOENT, "unable to find user %s: no matching entries in %s", name,
                       file);
}

static int parse_attr(struct copy_job *j, int rootfd, struct rt_layer_attr *a, err_t *err)
{
        a->uid = 0;
        a->gid = 0;
        a->mode = -1;
        if (j->chown && *j->chown) {
                const char *colon = strchr(j->chown, ':');
                _cleanup_free_ char *u =
                    colon ? xstrndup(j->chown, (size_t)(colon - j->chown)) : xstrdup(j->chown);
                long long uid = id_of(rootfd, "etc/passwd", u, err);
                if (uid < 0)
                        return -1;
                long long gid = colon ? id_of(rootfd, "etc/group", colon + 1, err) : uid;
                if (gid < 0)
                        return -1;
                a->uid = uid;
                a->gid = gid;
        }
        if (j->chmod && *j->chmod) {
                char *end;
                long m = strtol(j->chmod, &end, 8);
                if (*end || m < 0 || m > 07777)
                        return err_set(err, EINVAL, "invalid --chmod %s: an octal mode is needed",
                                       j->chmod);
                a->mode = (int)m;
        }
        return 0;
}

static int copy_child(const char *root, const char *root2, void *ud, err_t *err)
{
        struct copy_job *j = ud;
        _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int srcfd =
            j->from_image ? open(root2, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : dup(j->b->ctxfd);
        if (rootfd < 0 || srcfd < 0)
                return err_sys(err, errno, "open the image root");
        struct rt_layer_attr attr;
        if (parse_attr(j, rootfd, &attr, err) < 0)
                return -1;
        strv_t found = STRV_INIT;
        _cleanup_free_ char *resolved = NULL;
        struct rt_layer_writer *w = NULL;
        int r = -1;
        if (find_sources(j, srcfd, &found, err) < 0)
                goto done;
        if (found.n > 1 && !j->dir_syntax) {
                err_set(err, EINVAL,
                        "When using %s with more than one source file, the destination must be a "
                        "directory and end with a /",
                        j->add ? "ADD" : "COPY");
                goto done;
        }
        size_t nexist = 0;
        bool dest_is_dir = false;
        if (resolve_dest(rootfd, root, j->dest, &resolved, &nexist, &dest_is_dir, err) < 0)
                goto done;
        bool into_dir = j->dir_syntax || dest_is_dir || found.n > 1;
        /* a single directory source copies its contents to dest */
        struct stat s0;
        bool src_dir = false;
        if (found.n == 1) {
                _cleanup_close_ int f0 = open_in_root(srcfd, found.v[0], O_PATH);
                src_dir =
                    f0 >= 0 && fstat(f0, &s0) == 0 && S_ISDIR(s0.st_mode) &&
                    (!*found.v[0] || fstatat(srcfd, found.v[0], &s0, AT_SYMLINK_NOFOLLOW) == 0) &&
                    S_ISDIR(s0.st_mode);
        }
        if (src_dir)
                into_dir = true;
        w = rt_layer_writer_new(j->outfd, err);
        if (!w)
                goto done;
        /* parent directories (and dest itself when it is a directory) */
        {
                strv_t comps = STRV_INIT;
                _cleanup_free_ char *dup = xstrdup(resolved);
                char *save = NULL;
                for (char *c = strtok_r(dup, "/", &save); c; c = strtok_r(NULL, "/", &save))
                        strv_push(&comps, c);
                size_t upto = into_dir ? comps.n : (comps.n ? comps.n - 1 : 0);
                strbuf_t p = STRBUF_INIT;
                int pr = 0;
                for (size_t i = 0; i < upto && pr == 0; i++) {
                        if (p.len)
                                sb_appendc(&p, '/');
                        sb_append(&p, comps.v[i]);
                        if (i < nexist)
                                pr =
                                    rt_layer_add_file(w, rootfd, sb_str(&p), sb_str(&p), NULL, err);
                        else
                                pr = rt_layer_add_dir(w, sb_str(&p), 0755, attr.uid, attr.gid, err);
                }
                sb_free(&p);
                strv_free(&comps);
                if (pr < 0)
                        goto done;
        }
        if (!*resolved && !into_dir) {
                err_set(err, EINVAL, "cannot copy to the root directory as a file");
                goto done;
        }
        for (size_t i = 0; i < found.n; i++) {
                const char *src = found.v[i];
                const char *slash = strrchr(src, '/');
                _cleanup_free_ char *pdir =
                    slash ? xstrndup(src, (size_t)(slash - src)) : xstrdup("");
                const char *base = slash ? slash + 1 : src;
                _cleanup_close_ int pfd = open_in_root(srcfd, pdir, O_RDONLY | O_DIRECTORY);
                if (pfd < 0) {
                        err_sys(err, errno, "open %s", *pdir ? pdir : ".");
                        goto done;
                }
                struct stat st;
                if (*base && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        err_sys(err, errno, "stat %s", src);
                        goto done;
                }
                struct filt f = {j->from_image ? NULL : &j->b->ignore, pdir};
                if (!*base || S_ISDIR(st.st_mode)) {
                        if (rt_layer_add_tree(w, pfd, *base ? base : "", resolved, &attr, ignored,
                                              &f, err) < 0)
                                goto done;
                        continue;
                }
                _cleanup_free_ char *name =
                    into_dir ? (*resolved ? xasprintf("%s/%s", resolved, base) : xstrdup(base))
                             : xstrdup(resolved);
                if (j->add && S_ISREG(st.st_mode)) {
                        _cleanup_close_ int ffd =
                            openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        if (ffd < 0) {
                                err_sys(err, errno, "open %s", src);
                                goto done;
                        }
                        if (rt_layer_is_archive(ffd)) {
                                if (rt_layer_add_archive(w, ffd, resolved, &attr, err) < 0) {
                                        err_wrap(err, "ADD %s", src);
                                        goto done;
                                }
                                continue;
                        }
                }
                if (rt_layer_add_file(w, pfd, base, name, &attr, err) < 0)
                        goto done;
        }
        r = rt_layer_writer_close(w, j->digest, err);
        w = NULL;
done:
        rt_layer_writer_abort(w);
        strv_free(&found);
        return r;
}

int build_copy(struct build *b, struct stage *st, const struct rt_df_instr *in, err_t *err)
{
        struct copy_job j = {.b = b, .in = in, .add = in->kind == RT_DF_ADD, .outfd = -1};
        strv_t words = STRV_INIT;
        struct rt_image src_img = {0}, cur_img = {0};
        bool have_src = false, have_cur = false;
        _cleanup_free_ char *key = NULL, *cached = NULL, *extra = NULL, *by = NULL;
        int r = -1;

        if (in->json)
                strv_copy(&words, &in->argv);
        else if (bld_expand(b, st, in->rest, true, &words, err) < 0)
                goto done;
        if (words.n < 2) {
                err_set(err, EINVAL, "%s requires at least two arguments", in->keyword);
                goto done;
        }
        for (size_t i = 0; i + 1 < words.n; i++)
                strv_push(&j.srcs, words.v[i]);
        const char *d = words.v[words.n - 1];
        size_t dl = strlen(d);
        j.dir_syntax =
            dl && (d[dl - 1] == '/' || (dl >= 2 && !strcmp(d + dl - 2, "/.")) || !strcmp(d, "."));
        const char *wd = st->cfg.working_dir && *st->cfg.working_dir ? st->cfg.working_dir : "/";
        j.dest = d[0] == '/' ? xstrdup(d) : xasprintf("%s/%s", wd, d);
        {
                char *c = path_clean(j.dest, NULL); /* "/../x" is "/x" */
                free(j.dest);
                j.dest = c;
        }
        j.chown = rt_df_flag(in, "chown");
        j.chmod = rt_df_flag(in, "chmod");
        const char *from = rt_df_flag(in, "from");
        if (from) {
                _cleanup_free_ char *fx = bld_expand_one(b, st, from, err);
                if (!fx)
                        goto done;
                struct stage *fs = bld_find_stage(b, fx);
                if (fs == st) {
                        err_set(err, EINVAL, "circular dependency detected on stage: %s", fx);
                        goto done;
                }
                if (rt_image_lookup(fs ? fs->image : fx, &src_img, err) < 0) {
                        err_wrap(err, "COPY --from=%s", fx);
                        goto done;
                }
                have_src = true;
                j.from_image = true;
        }
        if (st->image) {
                if (rt_image_lookup(st->image, &cur_img, err) < 0)
                        goto done;
                have_cur = true;
        }
        j.digest = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (j.digest == MAP_FAILED) {
                j.digest = NULL;
                err_sys(err, errno, "mmap");
                goto done;
        }
        j.outfd = bld_layer_tmpfile(err);
        if (j.outfd < 0)
                goto done;
        strv_t none = STRV_INIT;
        if (rt_rootfs_run(have_cur ? &cur_img.layer_dirs : &none,
                          have_src ? &src_img.layer_dirs : NULL, copy_child, &j, err) < 0)
                goto done;
        j.digest[64] = '\0';
        extra = xasprintf("%s %s", j.digest, have_src ? src_img.id : "context");
        key = bld_cache_key(st, in->text, extra);
        if ((cached = bld_cache_get(b, key))) {
                bld_out(b, " ---> Using cache (CACHED)\n ---> %.12s\n", cached + 7);
                bld_stage_take(st, TAKE_PTR(cached));
                r = 0;
                goto done;
        }
        by = xasprintf("%s %s:%.16s in /%s", in->keyword, have_src ? "from" : "file", j.digest,
                       j.dest);
        crash_point("build.copy.layer");
        if (bld_stage_commit(b, st, j.outfd, by, key, err) < 0)
                goto done;
        bld_out(b, " ---> %.12s\n", st->image + 7);
        r = 0;
done:
        if (j.outfd >= 0)
                close(j.outfd);
        if (j.digest)
                munmap(j.digest, 4096);
        if (have_src)
                rt_image_free(&src_img);
        if (have_cur)
                rt_image_free(&cur_img);
        strv_free(&words);
        strv_free(&j.srcs);
        free(j.dest);
        return r;
}
