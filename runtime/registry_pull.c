/* registry_pull.c - `pull`: manifest resolution, parallel verified layer
 * downloads and registration in the image store (see registry.h).
 *
 * Downloads live in berth_lib_dir()/image/downloads/ (outside the store's
 * tmp/, which store writers wipe):
 *   <hex>.lock      flock(2) held while blob <hex> is fetched, so two pulls
 *                   sharing a layer download it once
 *   <hex>.partial   the bytes received so far; a retry resumes with Range
 *   tmp-<pid>/      one pull's scratch (decompressed tars, unpacked layers);
 *                   left-overs of dead processes are removed
 * A blob enters blobs/sha256/ only after its sha256 matched; a layer
 * directory enters layers/ complete (rename); the image record and its name
 * are written last, so an interrupted pull leaves reusable blobs and layers
 * but never a half image. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "image.h"
#include "image_internal.h"
#include "jsonfile.h"
#include "paths.h"
#include "registry.h"
#include "registry_creds.h"
#include "registry_internal.h"
#include "registry_ref.h"
#include "tar.h"
#include "xalloc.h"

#define PARALLEL   3 /* downloads at a time, as Docker */
#define WORKERS    6 /* layers in flight: the others decompress and unpack */
#define CONFIG_MAX (16u << 20)
#define BLOB_TRIES 3

/* --- digests ------------------------------------------------------------------ */

static void md_hex(EVP_MD_CTX *md, char out[HEX_LEN + 1])
{
        unsigned char d[32];
        unsigned int n = 0;
        static const char digits[] = "0123456789abcdef";
        EVP_DigestFinal_ex(md, d, &n);
        for (int i = 0; i < 32; i++) {
                out[2 * i] = digits[d[i] >> 4];
                out[2 * i + 1] = digits[d[i] & 15];
        }
        out[HEX_LEN] = '\0';
}

/* --- the pull ------------------------------------------------------------------ */

struct job {
        const struct reg_desc *desc;
        char hex[HEX_LEN + 1];   /* compressed blob */
        char diff[HEX_LEN + 1];  /* uncompressed (diff ID) */
        char chain[HEX_LEN + 1]; /* layer chain ID */
        char id[13];
        size_t src; /* where the blob comes from: 0 the registry, i > 0 desc->urls.v[i - 1] */
        bool done;
};

struct pull {
        struct reg_client *c;
        const struct reg_pull_opts *o;
        char *dl;  /* .../image/downloads */
        char *tmp; /* dl/tmp-<pid> */
        struct job *jobs;
        size_t njobs, next;
        pthread_mutex_t mu;  /* jobs, next, failed, err */
        pthread_mutex_t pmu; /* progress callback */
        pthread_mutex_t dmu; /* download slots */
        pthread_cond_t dcv;
        int downloading;
        bool failed;
        err_t err;
};

static void progress(struct pull *p, const char *id, enum reg_layer_state st,
                     unsigned long long cur, unsigned long long total)
{
        if (!p->o || !p->o->progress)
                return;
        pthread_mutex_lock(&p->pmu);
        p->o->progress(p->o->ud, id, st, cur, total);
        pthread_mutex_unlock(&p->pmu);
}

/* Streaming sink: write + hash + bound + progress. */
struct dl {
        struct pull *p;
        struct job *j;
        int fd;
        EVP_MD_CTX *md;
        unsigned long long got, want;
        unsigned long long last_report;
};

static int dl_sink(const void *buf, size_t n, void *ud, err_t *err)
{
        struct dl *d = ud;
        if (!buf) { /* start over */
                if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0)
                        return err_sys(err, errno, "truncate download sha256:%.12s", d->j->hex);
                EVP_DigestInit_ex(d->md, EVP_sha256(), NULL);
                d->got = 0;
                return 0;
        }
        if (d->got + n > d->want)
                return err_set(err, EPROTO,
                               "filesystem layer verification failed for digest sha256:%s: the "
                               "registry sent more than the %llu bytes of its descriptor",
                               d->j->hex, d->want);
        if (write_all(d->fd, buf, n, err) < 0)
                return err_wrap(err, "write download sha256:%.12s", d->j->hex);
        EVP_DigestUpdate(d->md, buf, n);
        d->got += n;
        if (d->got - d->last_report >= (512u << 10) || d->got == d->want) {
                d->last_report = d->got;
                progress(d->p, d->j->id, REG_L_DOWNLOADING, d->got, d->want);
        }
        return 0;
}

/* Hash what a partial file already holds. */
static int hash_existing(int fd, EVP_MD_CTX *md, unsigned long long *n, err_t *err)
{
        char buf[1 << 16];
        *n = 0;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return err_sys(err, errno, "seek download");
        for (;;) {
                ssize_t r = read(fd, buf, sizeof(buf));
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return err_sys(err, errno, "read download");
                }
                if (r == 0)
                        break;
                EVP_DigestUpdate(md, buf, (size_t)r);
                *n += (unsigned long long)r;
        }
        return 0;
}

/* One download attempt of j from d->got on: the registry, and for a foreign
 * layer the registry does not serve, its URLs in order (as Docker does), each
 * a plain GET without the registry's credentials. */
static int fetch_source(struct pull *p, struct reg_conn *k, struct job *j, struct dl *d,
                        bool *from_start, err_t *err)
{
        const struct reg_desc *desc = j->desc;
        if (j->src == 0) {
                if (reg_fetch_blob(p->c, k, desc->digest, d->got, dl_sink, d, from_start, err) == 0)
                        return 0;
                /* the registry answered with an error status: its URLs */
                if (!desc->foreign || !desc->urls.n ||
                    (err->code != ENOENT && err->code != EACCES && err->code != EPROTO))
                        return -1;
                j->src = 1;
        }
        err_t last = *err;
        for (; j->src <= desc->urls.n; j->src++) {
                if (reg_fetch_url(p->c, k, desc->urls.v[j->src - 1], d->got, dl_sink, d, from_start,
                                  err) == 0)
                        return 0;
                last = *err;
        }
        j->src = 1; /* a retry starts over with the first URL */
        *err = last;
        return err_wrap(err,
                        "foreign layer sha256:%.12s: not in the registry, and none of its %zu "
                        "URLs served it",
                        j->hex, desc->urls.n);
}

/* Fetch blob j->hex into blobs/sha256/ (verified), resuming a partial file. */
static int fetch_blob(struct pull *p, struct reg_conn *k, struct store *s, struct job *j,
                      err_t *err)
{
        _cleanup_free_ char *part = xasprintf("%s/%s.partial", p->dl, j->hex);
        _cleanup_close_ int fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return err_sys(err, errno, "open %s", part);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
                return err_set(err, ENOMEM, "sha256: out of memory");
        struct dl d = {
            .p = p, .j = j, .fd = fd, .md = md, .want = (unsigned long long)j->desc->size};
        int r = -1;
        for (int attempt = 0; attempt < BLOB_TRIES; attempt++) {
                EVP_DigestInit_ex(md, EVP_sha256(), NULL);
                if (hash_existing(fd, md, &d.got, err) < 0)
                        goto done;
                if (d.got > d.want) {
                        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
                                err_sys(err, errno, "truncate %s", part);
                                goto done;
                        }
                        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
                        d.got = 0;
                }
                bool from_start = false;
                if (d.got < d.want || d.want == 0) {
                        if (lseek(fd, 0, SEEK_END) < 0) {
                                err_sys(err, errno, "seek %s", part);
                                goto done;
                        }
                        if (fetch_source(p, k, j, &d, &from_start, err) < 0) {
                                /* transport errors are retried from where they stopped */
                                if (err->code == EIO || err->code == ETIMEDOUT)
                                        continue;
                                goto done;
                        }
                }
                progress(p, j->id, REG_L_VERIFYING, 0, 0);
                char got[HEX_LEN + 1];
                md_hex(md, got);
                if (d.got != d.want || strcmp(got, j->hex) != 0) {
                        /* a wrong blob never stays, not even for a resume */
                        ftruncate(fd, 0);
                        unlink(part);
                        err_set(err, EBADMSG,
                                "filesystem layer verification failed for digest sha256:%s (got "
                                "%llu bytes with digest sha256:%s, expected %llu bytes%s%s)",
                                j->hex, d.got, got, d.want, j->src ? ", from " : "",
                                j->src ? j->desc->urls.v[j->src - 1] : "");
                        goto done;
                }
                if (fsync(fd) < 0) {
                        err_sys(err, errno, "fsync %s", part);
                        goto done;
                }
                _cleanup_free_ char *dst = xasprintf("blobs/sha256/%s", j->hex);
                _cleanup_free_ char *rel = xasprintf("downloads/%s.partial", j->hex);
                if (renameat(s->dfd, rel, s->dfd, dst) < 0) {
                        err_sys(err, errno, "store blob sha256:%s", j->hex);
                        goto done;
                }
                progress(p, j->id, REG_L_DOWNLOADED, 0, 0);
                r = 0;
                goto done;
        }
done:
        EVP_MD_CTX_free(md);
        return r;
}

/* Send all of buf on a socket without SIGPIPE. */
static int send_all(int fd, const void *buf, size_t n, err_t *err)
{
        const char *b = buf;
        while (n) {
                ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return err_sys(err, errno, "unpack stream");
                }
                b += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Decompress blob j->hex (gzip, zstd or plain) into the diff ID blob,
 * checking it against the config's diff ID; the decompressed bytes also go
 * to tee (>= 0: a socket the unpacker reads, so a layer is decompressed once
 * and unpacked as it decompresses). */
static int decompress_blob(struct pull *p, struct store *s, struct job *j, int tee, err_t *err)
{
        _cleanup_close_ int in = blob_open(s, j->hex, err);
        if (in < 0)
                return -1;
        _cleanup_free_ char *tmp = xasprintf("%s/%s.tar", p->tmp, j->diff);
        _cleanup_close_ int out =
            open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (out < 0)
                return err_sys(err, errno, "create %s", tmp);
        _cleanup_free_ char *dst = xasprintf("%s/image/blobs/sha256/%s", berth_lib_dir(), j->diff);
        struct archive *a = archive_read_new();
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        int r = -1;
        if (!a || !md) {
                err_set(err, ENOMEM, "out of memory");
                goto done;
        }
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_format_raw(a);
        archive_read_support_format_empty(a);
        struct archive_entry *e;
        if (archive_read_open_fd(a, in, 256 * 1024) != ARCHIVE_OK) {
                err_set(err, EINVAL, "layer sha256:%.12s: %s", j->hex, archive_error_string(a));
                goto done;
        }
        int hr = archive_read_next_header(a, &e);
        if (hr == ARCHIVE_OK) {
                const void *buf;
                size_t size;
                la_int64_t off;
                unsigned long long last = 0;
                while ((hr = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
                        if (write_all(out, buf, size, err) < 0) {
                                err_wrap(err, "write %s", tmp);
                                goto done;
                        }
                        if (tee >= 0 && send_all(tee, buf, size, err) < 0)
                                goto done;
                        EVP_DigestUpdate(md, buf, size);
                        unsigned long long pos = (unsigned long long)archive_filter_bytes(a, -1);
                        if (pos - last >= (1u << 20)) {
                                last = pos;
                                progress(p, j->id, REG_L_EXTRACTING, pos,
                                         (unsigned long long)j->desc->size);
                        }
                }
                if (hr != ARCHIVE_EOF) {
                        err_set(err, EINVAL, "layer sha256:%.12s: %s", j->hex,
                                archive_error_string(a));
                        goto done;
                }
        } else if (hr != ARCHIVE_EOF) {
                err_set(err, EINVAL, "layer sha256:%.12s: %s", j->hex, archive_error_string(a));
                goto done;
        }
        char got[HEX_LEN + 1];
        md_hex(md, got);
        if (strcmp(got, j->diff) != 0) {
                err_set(err, EBADMSG,
                        "layer sha256:%.12s: verification failed: its content has diff ID "
                        "sha256:%s, the image config says sha256:%s",
                        j->hex, got, j->diff);
                goto done;
        }
        if (fsync(out) < 0) {
                err_sys(err, errno, "fsync %s", tmp);
                goto done;
        }
        if (rename(tmp, dst) < 0) {
                err_sys(err, errno, "store blob sha256:%s", j->diff);
                goto done;
        }
        r = 0;
done:
        if (r < 0)
                unlink(tmp);
        EVP_MD_CTX_free(md);
        if (a)
                archive_read_free(a);
        return r;
}

/* Unpack the diff ID blob into layers/<chain>. */
struct tee {
        struct pull *p;
        struct store *s;
        struct job *j;
        int fd;
        int rc;
        err_t err;
};

static void *tee_main(void *arg)
{
        struct tee *t = arg;
        t->rc = decompress_blob(t->p, t->s, t->j, t->fd, &t->err);
        close(t->fd);
        return NULL;
}

/* Unpack the layer into layers/<chain>: from the diff ID blob when it is
 * stored, else while decompressing it (decompress_blob in a thread, its
 * output through a socket pair). */
static int unpack_layer(struct pull *p, struct store *s, struct job *j, err_t *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/L%s", p->tmp, j->chain);
        _cleanup_free_ char *diff = xasprintf("%s/diff", dir);
        _cleanup_close_ int tarfd = -1, rootfd = -1;
        _cleanup_free_ char *meta = xasprintf("%s/layer.json", dir);
        _cleanup_free_ char *dst = xasprintf("layers/%s", j->chain);
        _cleanup_json_ json_t *lj = NULL;
        struct rt_tar_stats st;
        const struct rt_tar_opts opts = {RT_TAR_OVERLAY, 0};
        err_t e2;
        rm_rf(dir, &e2);
        if (mkdir(dir, 0700) < 0 || mkdir(diff, 0755) < 0)
                return err_sys(err, errno, "mkdir %s", diff);
        int r = -1;
        rootfd = open(diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (rootfd < 0) {
                err_sys(err, errno, "open %s", diff);
                goto done;
        }
        struct tee t = {.p = p, .s = s, .j = j, .fd = -1};
        pthread_t th;
        bool teeing = false;
        if (!blob_exists(s, j->diff)) {
                int sv[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                        err_sys(err, errno, "socketpair");
                        goto done;
                }
                t.fd = sv[1];
                if (pthread_create(&th, NULL, tee_main, &t) != 0) {
                        close(sv[0]);
                        close(sv[1]);
                        err_set(err, EAGAIN, "cannot start a decompression thread");
                        goto done;
                }
                teeing = true;
                tarfd = sv[0];
        } else {
                tarfd = blob_open(s, j->diff, err);
                if (tarfd < 0)
                        goto done;
        }
        progress(p, j->id, REG_L_EXTRACTING, (unsigned long long)j->desc->size,
                 (unsigned long long)j->desc->size);
        int xr = rt_tar_extract_fd(tarfd, rootfd, &opts, &st, err);
        if (teeing) {
                /* the tar ends before its padding: take the rest, so the
                 * decompressor finishes (after a failure: stop it) */
                char sink[1 << 16];
                while (xr == 0 && read(tarfd, sink, sizeof(sink)) > 0)
                        ;
                close(TAKE_FD(tarfd));
                pthread_join(th, NULL);
                if (t.rc < 0 && (xr == 0 || t.err.code != EPIPE)) {
                        /* the decompressor's failure is the cause (EPIPE: it
                         * stopped because unpacking had failed) */
                        *err = t.err;
                        goto done;
                }
        }
        if (xr < 0) {
                err_wrap(err, "layer sha256:%.12s", j->hex);
                goto done;
        }
        lj = json_pack("{s:s, s:I}", "diff_id", j->diff, "size", (json_int_t)st.bytes);
        if (json_write_atomic(meta, lj, err) < 0)
                goto done;
        if (syncfs(rootfd) < 0) {
                err_sys(err, errno, "sync layer");
                goto done;
        }
        /* into place under the store lock (store writers rename layers too) */
        int lk = rt_image_store_lock(true, err);
        if (lk < 0)
                goto done;
        if (!layer_exists(s, j->chain)) {
                rm_rf_at(s->dfd, dst, &e2); /* a partial one of an older writer */
                if (renameat(AT_FDCWD, dir, s->dfd, dst) < 0) {
                        err_sys(err, errno, "rename layer %s", j->chain);
                        close(lk);
                        goto done;
                }
        }
        close(lk);
        r = 0;
done:
        if (r < 0 || access(dir, F_OK) == 0)
                rm_rf(dir, &e2);
        return r;
}

static int process_job(struct pull *p, struct reg_conn *k, struct store *s, struct job *j,
                       err_t *err)
{
        _cleanup_free_ char *lockpath = xasprintf("%s/%s.lock", p->dl, j->hex);
        _cleanup_close_ int lk = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lk < 0)
                return err_sys(err, errno, "open %s", lockpath);
        if (flock(lk, LOCK_EX | LOCK_NB) < 0) {
                /* another pull fetches this blob: wait for it */
                progress(p, j->id, REG_L_WAITING, 0, 0);
                if (flock(lk, LOCK_EX) < 0)
                        return err_sys(err, errno, "lock %s", lockpath);
        }
        if (!blob_exists(s, j->diff) && !blob_exists(s, j->hex)) {
                /* at most PARALLEL downloads; a worker that finished its
                 * download decompresses and unpacks while others fetch */
                pthread_mutex_lock(&p->dmu);
                while (p->downloading >= PARALLEL)
                        pthread_cond_wait(&p->dcv, &p->dmu);
                p->downloading++;
                pthread_mutex_unlock(&p->dmu);
                int fr = fetch_blob(p, k, s, j, err);
                pthread_mutex_lock(&p->dmu);
                p->downloading--;
                pthread_cond_signal(&p->dcv);
                pthread_mutex_unlock(&p->dmu);
                if (fr < 0)
                        return -1;
        } else {
                progress(p, j->id, REG_L_DOWNLOADED, 0, 0);
        }
        if (!layer_exists(s, j->chain)) {
                if (unpack_layer(p, s, j, err) < 0)
                        return -1;
        } else if (!blob_exists(s, j->diff) && decompress_blob(p, s, j, -1, err) < 0) {
                return -1;
        }
        unlink(lockpath); /* the blob is in the store: waiters see it there */
        progress(p, j->id, REG_L_COMPLETE, 0, 0);
        return 0;
}

struct worker {
        struct pull *p;
        struct store *s;
};

static void *worker_main(void *arg)
{
        struct worker *w = arg;
        struct pull *p = w->p;
        err_t e;
        struct reg_conn *k = reg_conn_new(p->c, &e);
        for (;;) {
                pthread_mutex_lock(&p->mu);
                if (!k && !p->failed) {
                        p->failed = true;
                        p->err = e;
                }
                if (p->failed || p->next >= p->njobs) {
                        pthread_mutex_unlock(&p->mu);
                        break;
                }
                struct job *j = &p->jobs[p->next++];
                pthread_mutex_unlock(&p->mu);
                if (process_job(p, k, w->s, j, &e) < 0) {
                        pthread_mutex_lock(&p->mu);
                        if (!p->failed) {
                                p->failed = true;
                                p->err = e;
                        }
                        pthread_mutex_unlock(&p->mu);
                        break;
                }
                j->done = true;
        }
        reg_conn_free(k);
        return NULL;
}

/* Remove the scratch dirs of pulls whose process is gone. */
static void clean_stale(const char *dl)
{
        DIR *d = opendir(dl);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, "tmp-", 4) != 0)
                        continue;
                long pid = strtol(de->d_name + 4, NULL, 10);
                if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
                        _cleanup_free_ char *path = xasprintf("%s/%s", dl, de->d_name);
                        err_t e2;
                        rm_rf(path, &e2);
                }
        }
        closedir(d);
}

/* Blob into memory (config), verified, at most max bytes. */
struct membuf {
        char *data;
        size_t len, max;
};

static int mem_sink(const void *buf, size_t n, void *ud, err_t *err)
{
        struct membuf *m = ud;
        if (!buf) {
                m->len = 0;
                return 0;
        }
        if (m->len + n > m->max)
                return err_set(err, EFBIG, "blob larger than %zu bytes", m->max);
        m->data = xrealloc(m->data, m->len + n + 1);
        memcpy(m->data + m->len, buf, n);
        m->len += n;
        m->data[m->len] = '\0';
        return 0;
}

static int parse_platform(const char *spec, char **os, char **arch, char **variant, err_t *err)
{
        *os = *arch = *variant = NULL;
        if (!spec || !*spec) {
                *os = xstrdup("linux");
                *arch = xstrdup(host_arch());
                return 0;
        }
        return reg_platform_parse(spec, os, arch, variant, err);
}

void reg_pull_result_free(struct reg_pull_result *r)
{
        if (!r)
                return;
        free(r->id);
        free(r->digest);
        free(r->name);
        free(r->full);
        memset(r, 0, sizeof(*r));
}

/* Connect to the first endpoint that answers for ref (mirrors first for
 * docker.io) and fetch the manifest there. */
static int open_endpoint(const struct reg_ref *ref, const struct reg_settings *set,
                         const char *user, const char *secret, const char *what,
                         struct reg_client **cout, struct reg_conn **kout, char **body, size_t *len,
                         char **ctype, err_t *err)
{
        strv_t eps = STRV_INIT;
        bool hub = !strcmp(ref->domain, REG_DEFAULT_DOMAIN);
        for (size_t i = 0; hub && i < set->mirrors.n; i++)
                strv_push(&eps, set->mirrors.v[i]);
        size_t n = eps.n + 1;
        int r = -1;
        for (size_t i = 0; i < n; i++) {
                const char *mirror = i < eps.n ? eps.v[i] : NULL;
                err_t e;
                struct reg_client *c =
                    reg_client_new(ref->domain, mirror, ref->path, set, user, secret, &e);
                struct reg_conn *k = c ? reg_conn_new(c, &e) : NULL;
                if (k && reg_client_ping(c, k, &e) == 0 &&
                    reg_fetch_manifest(c, k, what, body, len, ctype, &e) == 0) {
                        *cout = c;
                        *kout = k;
                        r = 0;
                        break;
                }
                reg_conn_free(k);
                reg_client_free(c);
                *err = e;
                /* a mirror that fails: fall back to the next, then the registry */
        }
        strv_free(&eps);
        return r;
}

/* Credentials: the caller's, else those stored for the registry (Docker's
 * config.json, credential helpers).  Free with reg_secret_free. */
static int get_creds(const char *domain, const struct reg_pull_opts *o, char **user, char **secret,
                     err_t *err)
{
        *user = *secret = NULL;
        if (o && o->user) {
                *user = xstrdup(o->user);
                *secret = xstrdup(o->secret ? o->secret : "");
                return 0;
        }
        if (reg_creds_get(domain, user, secret, err) < 0)
                return err_wrap(err, "credentials for %s", domain);
        return 0;
}

static int verify_manifest(const char *body, size_t len, const char *want, char out[HEX_LEN + 1],
                           err_t *err)
{
        sha256_hex(body, len, out);
        if (want && (strncmp(want, "sha256:", 7) != 0 || strcmp(want + 7, out) != 0))
                return err_set(err, EBADMSG,
                               "manifest verification failed for digest %s (the registry sent "
                               "content with digest sha256:%s)",
                               want, out);
        return 0;
}

int reg_pull(const char *refstr, const struct reg_pull_opts *o, struct reg_pull_result *res,
             err_t *err)
{
        struct reg_ref ref;
        struct reg_settings set = {0};
        struct reg_client *c = NULL;
        struct reg_conn *k = NULL;
        struct reg_manifest m = {0}, idx = {0};
        _cleanup_free_ char *os = NULL, *arch = NULL, *variant = NULL;
        _cleanup_free_ char *body = NULL, *ctype = NULL, *body2 = NULL, *ctype2 = NULL;
        _cleanup_free_ char *fam = NULL, *name = NULL;
        char *user = NULL, *secret = NULL;
        struct membuf cfg = {.max = CONFIG_MAX};
        char top[HEX_LEN + 1], mhex[HEX_LEN + 1], idhex[HEX_LEN + 1];
        strv_t diffs = STRV_INIT, chains = STRV_INIT, owned = STRV_INIT, names = STRV_INIT;
        struct pull p = {.o = o};
        struct store s = {.dfd = -1, .lockfd = -1};
        json_t *cj = NULL;
        _cleanup_free_ char *recname = NULL, *repo_digest = NULL;
        size_t len = 0, len2 = 0;
        int r = -1;

        memset(res, 0, sizeof(*res));
        pthread_mutex_init(&p.mu, NULL);
        pthread_mutex_init(&p.pmu, NULL);
        pthread_mutex_init(&p.dmu, NULL);
        pthread_cond_init(&p.dcv, NULL);
        if (reg_ref_parse(refstr, &ref, err) < 0)
                goto out_nref;
        reg_ref_default_tag(&ref);
        fam = reg_ref_familiar_name(&ref);
        name = reg_ref_familiar_string(&ref);
        if (parse_platform(o ? o->platform : NULL, &os, &arch, &variant, err) < 0 ||
            reg_settings_load(&set, err) < 0)
                goto out;
        const char *what = ref.digest ? ref.digest : ref.tag;
        if (get_creds(ref.domain, o, &user, &secret, err) < 0)
                goto out;
        if (open_endpoint(&ref, &set, user, secret, what, &c, &k, &body, &len, &ctype, err) < 0) {
                if (err->code == ENOENT && strstr(err->msg, "manifest unknown"))
                        err_wrap(err, "manifest for %s not found", name);
                goto out;
        }
        p.c = c;
        if (verify_manifest(body, len, ref.digest, top, err) < 0 ||
            reg_manifest_parse(body, len, ctype, &idx, err) < 0)
                goto out;
        strv_push(&owned, top);
        const char *mbody = body;
        size_t mlen = len;
        if (idx.kind == REG_MF_INDEX) {
                const struct reg_desc *d = reg_manifest_select(&idx, os, arch, variant);
                if (!d) {
                        err_set(err, ENOENT,
                                "no matching manifest for %s/%s%s%s in the manifest list entries",
                                os, arch, variant ? "/" : "", variant ? variant : "");
                        goto out;
                }
                if (reg_fetch_manifest(c, k, d->digest, &body2, &len2, &ctype2, err) < 0 ||
                    verify_manifest(body2, len2, d->digest, mhex, err) < 0 ||
                    reg_manifest_parse(body2, len2, ctype2, &m, err) < 0)
                        goto out;
                if (m.kind != REG_MF_IMAGE) {
                        err_set(err, EPROTO, "%s: an index entry is itself an index", d->digest);
                        goto out;
                }
                strv_push(&owned, mhex);
                mbody = body2;
                mlen = len2;
        } else {
                m = idx;
                memset(&idx, 0, sizeof(idx));
                memcpy(mhex, top, sizeof(mhex));
        }
        (void)mbody;
        (void)mlen;

        /* the config: verified, its diff IDs match the layers */
        bool restarted;
        if (m.config.size > (long long)CONFIG_MAX) {
                err_set(err, EFBIG, "image config %s is larger than %u bytes", m.config.digest,
                        CONFIG_MAX);
                goto out;
        }
        {
                /* a config already in the store (verified when it entered) is
                 * not fetched again */
                struct store rs;
                int ro = store_open(&rs, false, err);
                if (ro < 0)
                        goto out;
                bool local = false;
                if (ro > 0 && blob_exists(&rs, m.config.digest + 7)) {
                        size_t cl = 0;
                        err_t e2;
                        local =
                            image_config_bytes(&rs, m.config.digest + 7, &cfg.data, &cl, &e2) == 0;
                        cfg.len = cl;
                }
                store_close(&rs);
                if (!local &&
                    reg_fetch_blob(c, k, m.config.digest, 0, mem_sink, &cfg, &restarted, err) < 0)
                        goto out;
        }
        char chex[HEX_LEN + 1];
        sha256_hex(cfg.data ? cfg.data : "", cfg.len, chex);
        if (strcmp(chex, m.config.digest + 7) != 0) {
                err_set(err, EBADMSG,
                        "image config verification failed for digest %s (got sha256:%s)",
                        m.config.digest, chex);
                goto out;
        }
        memcpy(idhex, chex, sizeof(idhex));
        json_error_t je;
        cj = json_loadb(cfg.data ? cfg.data : "", cfg.len, 0, &je);
        const json_t *dids = json_object_get(json_object_get(cj, "rootfs"), "diff_ids");
        if (!json_is_object(cj) || !json_is_array(dids)) {
                err_set(err, EINVAL, "image config %s: no rootfs.diff_ids", m.config.digest);
                goto out;
        }
        if (json_array_size(dids) != m.nlayers) {
                err_set(err, EINVAL, "image config %s: %zu diff IDs for %zu layers",
                        m.config.digest, json_array_size(dids), m.nlayers);
                goto out;
        }
        for (size_t i = 0; i < m.nlayers; i++) {
                const char *dv = json_string_value(json_array_get(dids, i));
                if (!dv || !reg_digest_valid(dv) || strncmp(dv, "sha256:", 7) != 0) {
                        err_set(err, EINVAL, "image config %s: invalid diff ID %zu",
                                m.config.digest, i);
                        goto out;
                }
                strv_push(&diffs, dv + 7);
        }
        layer_chain_ids(&diffs, &chains);

        /* the store and the download area */
        if (store_open(&s, true, err) < 0)
                goto out;
        store_close(&s);
        if (store_open(&s, false, err) < 0)
                goto out;
        p.dl = xasprintf("%s/image/downloads", berth_lib_dir());
        static unsigned seq; /* pulls of one process (compose) run in parallel */
        p.tmp = xasprintf("%s/tmp-%d-%u", p.dl, (int)getpid(),
                          __atomic_fetch_add(&seq, 1, __ATOMIC_SEQ_CST));
        if (mkdir_p(p.tmp, 0700, err) < 0)
                goto out;
        clean_stale(p.dl);

        recname = xasprintf("images/%s.json", idhex);
        bool had_image = faccessat(s.dfd, recname, F_OK, 0) == 0;
        p.jobs = xcalloc(m.nlayers ? m.nlayers : 1, sizeof(*p.jobs));
        for (size_t i = 0; i < m.nlayers; i++) {
                struct job *j = &p.jobs[p.njobs];
                j->desc = &m.layers[i];
                memcpy(j->hex, m.layers[i].digest + 7, HEX_LEN + 1);
                memcpy(j->diff, diffs.v[i], HEX_LEN + 1);
                memcpy(j->chain, chains.v[i], HEX_LEN + 1);
                memcpy(j->id, j->hex, 12);
                j->id[12] = '\0';
                strv_push(&owned, j->hex);
                bool dup = false;
                for (size_t q = 0; q < p.njobs; q++)
                        dup = dup || !strcmp(p.jobs[q].chain, j->chain);
                if (dup)
                        continue;
                if (blob_exists(&s, j->diff) && layer_exists(&s, j->chain)) {
                        progress(&p, j->id, REG_L_EXISTS, 0, 0);
                        continue;
                }
                progress(&p, j->id, REG_L_PULLING, 0, 0);
                p.njobs++;
        }
        pthread_t th[WORKERS];
        struct worker w = {&p, &s};
        size_t nth = p.njobs < WORKERS ? p.njobs : WORKERS;
        size_t started = 0;
        for (; started < nth; started++)
                if (pthread_create(&th[started], NULL, worker_main, &w) != 0)
                        break;
        if (nth && !started)
                worker_main(&w);
        for (size_t i = 0; i < started; i++)
                pthread_join(th[i], NULL);
        if (p.failed) {
                *err = p.err;
                goto out;
        }

        /* up to date: the name already pointed at this image (a digest
         * pull: the image was there) */
        bool same = had_image;
        if (!ref.digest) {
                struct rt_image old;
                err_t e2;
                same = false;
                if (rt_image_lookup(name, &old, &e2) == 0) {
                        same = !strcmp(old.id + 7, idhex);
                        rt_image_free(&old); /* also when the name moves to another image */
                }
        }
        /* register: the record and the name appear last */
        store_close(&s);
        if (store_open(&s, true, err) < 0)
                goto out;
        if (!ref.digest)
                strv_push(&names, name);
        repo_digest = xasprintf("%s@sha256:%s", fam, top);
        char got_id[HEX_LEN + 1];
        char ihex[HEX_LEN + 1], mh2[HEX_LEN + 1];
        if (blob_put_bytes(&s, body, len, ihex, err) < 0 ||
            (body2 && blob_put_bytes(&s, body2, len2, mh2, err) < 0) ||
            image_register(&s, cfg.data, cfg.len, &diffs, &names, got_id, err) < 0 ||
            image_record_add_pull(&s, got_id, repo_digest, &owned, err) < 0) {
                err_wrap(err, "register %s", name);
                goto out;
        }
        res->id = xasprintf("sha256:%s", got_id);
        res->digest = xasprintf("sha256:%s", top);
        res->name = ref.digest ? NULL : xstrdup(name);
        res->full = reg_ref_string(&ref);
        res->updated = !same;
        r = 0;
out:
        store_close(&s);
        if (p.tmp) {
                err_t e2;
                rm_rf(p.tmp, &e2);
        }
        free(p.tmp);
        free(p.dl);
        free(p.jobs);
        json_decref(cj);
        free(cfg.data);
        reg_manifest_free(&m);
        reg_manifest_free(&idx);
        reg_conn_free(k);
        reg_client_free(c);
        reg_settings_free(&set);
        reg_ref_free(&ref);
        free(user);
        reg_secret_free(secret);
out_nref:
        strv_free(&diffs);
        strv_free(&chains);
        strv_free(&owned);
        strv_free(&names);
        pthread_mutex_destroy(&p.mu);
        pthread_mutex_destroy(&p.pmu);
        pthread_mutex_destroy(&p.dmu);
        pthread_cond_destroy(&p.dcv);
        return r;
}

int reg_list_tags(const char *refstr, const struct reg_pull_opts *o, strv_t *tags, err_t *err)
{
        struct reg_ref ref;
        struct reg_settings set;
        if (reg_ref_parse(refstr, &ref, err) < 0)
                return -1;
        if (reg_settings_load(&set, err) < 0) {
                reg_ref_free(&ref);
                return -1;
        }
        int r = -1;
        struct reg_client *c = reg_client_new(ref.domain, NULL, ref.path, &set, o ? o->user : NULL,
                                              o ? o->secret : NULL, err);
        struct reg_conn *k = c ? reg_conn_new(c, err) : NULL;
        char *body = NULL;
        size_t len = 0;
        if (k && reg_client_ping(c, k, err) == 0 && reg_fetch_tags(c, k, &body, &len, err) == 0) {
                json_t *j = json_loadb(body, len, 0, NULL);
                const json_t *a = json_object_get(j, "tags");
                size_t i;
                const json_t *v;
                json_array_foreach(a, i, v)
                {
                        const char *t = json_string_value(v);
                        if (t && strlen(t) <= 128 &&
                            strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
                                      "KLMNOPQRSTUVWXYZ0123456789_.-") == strlen(t))
                                strv_push(tags, t);
                }
                strv_sort(tags);
                r = json_is_array(a)
                        ? 0
                        : err_set(err, EPROTO, "%s: tags list without tags", reg_client_host(c));
                json_decref(j);
        }
        free(body);
        reg_conn_free(k);
        reg_client_free(c);
        reg_settings_free(&set);
        reg_ref_free(&ref);
        return r;
}
