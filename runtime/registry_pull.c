/* registry_pull.c - `pull`: manifest resolution, parallel verified layer
 * downloads and registration in the image store (see registry.h).
 *
 * Downloads live in berth_lib_dir()/image/downloads/ (outside the store's
 * tmp/, which store writers wipe):
 *   <hex>.lock      flock(2) held while blob <hex> is fetched, so two pulls
 *                   sharing a layer download it once
 *   <hex>.partial   the bytes received so far; a retry resumes with Range
 *   tmp-<pid>-<n>/  one pull's scratch (layers being unpacked); left-overs
 *                   of dead processes are removed
 * One pass per layer: the download is hashed and written to <hex>.partial,
 * and while it grows one thread decompresses it (from the page cache) and
 * hashes the tar against its diff ID, another unpacks the tar into
 * tmp-.../L<chain> (layer_stream.c).  A layer whose download started over
 * is unpacked from the verified file instead.  Only the compressed blob is
 * kept: the tar is made again from it when `save` or `push` need it.
 * Nothing enters the store before both digests matched and the data is
 * durable (one syncfs for the layers that are ready together); then the
 * blob moves into blobs/sha256/, the layer into layers/ (its layer.json
 * names the blob), and the image record and its name are written last, so
 * an interrupted pull leaves reusable blobs and layers but never a half
 * image. */
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
#include "events.h"
#include "crash.h"
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
#include "workers.h"
#include "xalloc.h"

#define PARALLEL   3 /* downloads at a time, as Docker */
#define WORKERS    6 /* layers in flight: the others decompress and unpack */
#define CONFIG_MAX (16u << 20)
#define BLOB_TRIES 3

/* --- the pull ------------------------------------------------------------------ */

struct job {
        const struct reg_desc *desc;
        char hex[HEX_LEN + 1];   /* compressed blob */
        char diff[HEX_LEN + 1];  /* uncompressed (diff ID) */
        char chain[HEX_LEN + 1]; /* layer chain ID */
        char id[13];
        size_t src; /* where the blob comes from: 0 the registry, i > 0 desc->urls.v[i - 1] */
        bool done;
        struct feed *f;                          /* while it downloads */
        unsigned long long tar_size, files_size; /* once unpacked */
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
        /* group commit: one syncfs for the layers ready when it starts */
        pthread_mutex_t smu;
        pthread_cond_t scv;
        unsigned long sync_started, sync_done, sync_err_gen;
        bool syncing;
        int sync_err;
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

/* --- download -> unpacker --------------------------------------------------------
 * The unpacker reads the download's file as it grows (from the page cache:
 * the download never waits for the unpacker, and nothing else is copied). */

#define CHUNK     (256u << 10)
#define FEED_WAKE (4u << 20)

struct feed {
        pthread_mutex_t mu;
        pthread_cond_t cv;
        unsigned long long avail; /* bytes of the file the producer wrote */
        bool ended;               /* the producer is done: all of the blob, verified */
        bool detached;            /* the download started over: the unpacker gives up */
        bool gone;                /* the unpacker stopped (its failure is the pull's) */
        /* the unpacker sleeps until this many bytes are there (it is woken
         * once per FEED_WAKE bytes, not for every chunk: each wake-up would
         * take the CPU from the download that woke it) */
        unsigned long long want;
        bool sleeping;
        /* the consumer's */
        int fd;
        char *buf;
        unsigned long long off;
};

static void feed_init(struct feed *f, int fd)
{
        memset(f, 0, sizeof(*f));
        pthread_mutex_init(&f->mu, NULL);
        pthread_cond_init(&f->cv, NULL);
        f->fd = fd;
        f->buf = xmalloc(CHUNK);
}

static void feed_destroy(struct feed *f)
{
        free(f->buf);
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
}

/* Producer: the file holds n bytes of the blob; or the end (ok: verified);
 * or a detach (!ok). */
static void feed_set(struct feed *f, unsigned long long n)
{
        pthread_mutex_lock(&f->mu);
        f->avail = n;
        if (f->sleeping && n >= f->want)
                pthread_cond_signal(&f->cv);
        pthread_mutex_unlock(&f->mu);
}

static void feed_end(struct feed *f, bool ok)
{
        pthread_mutex_lock(&f->mu);
        if (ok)
                f->ended = true;
        else
                f->detached = true;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
}

static bool feed_gone(struct feed *f)
{
        pthread_mutex_lock(&f->mu);
        bool g = f->gone;
        pthread_mutex_unlock(&f->mu);
        return g;
}

/* Consumer: the next piece of the blob. */
static long long feed_read(void *ud, const void **buf, err_t *err)
{
        struct feed *f = ud;
        pthread_mutex_lock(&f->mu);
        if (f->off >= f->avail && !f->ended && !f->detached && !f->gone) {
                f->want = f->off + FEED_WAKE;
                f->sleeping = true;
                while (f->avail < f->want && !f->ended && !f->detached && !f->gone)
                        pthread_cond_wait(&f->cv, &f->mu);
                f->sleeping = false;
        }
        bool detached = f->detached || f->gone, ended = f->ended;
        unsigned long long avail = f->avail;
        pthread_mutex_unlock(&f->mu);
        if (detached)
                return err_set(err, ECANCELED, "the download started over");
        if (f->off >= avail && ended)
                return 0;
        size_t want = avail - f->off < CHUNK ? (size_t)(avail - f->off) : CHUNK;
        for (;;) {
                ssize_t n = pread(f->fd, f->buf, want, (off_t)f->off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return err_sys(err, errno, "read download");
                if (n == 0)
                        return err_set(err, EIO, "read download: the file is shorter than written");
                f->off += (unsigned long long)n;
                *buf = f->buf;
                return n;
        }
}

/* Consumer: stop (after a failure); the download stops too. */
static void feed_leave(void *ud)
{
        struct feed *f = ud;
        pthread_mutex_lock(&f->mu);
        f->gone = true;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
}

/* --- a layer's unpacking --------------------------------------------------------- */

/* Unpacking of job j into p->tmp/L<chain> (or, when the layer is there
 * already, only a check of the tar against its diff ID). */
struct unpack {
        struct pull *p;
        struct job *j;
        bool extract;
        char *dir; /* p->tmp/L<chain> */
        int rootfd;
        struct lstream ls;
        struct rt_tar_stats st;
        bool *downloaded; /* for progress: after the download, show extracting */
        int rc;
        err_t err;
};

static int unpack_begin(struct unpack *u, struct pull *p, struct job *j, bool extract, err_t *err)
{
        memset(u, 0, sizeof(*u));
        u->p = p;
        u->j = j;
        u->extract = extract;
        u->rootfd = -1;
        u->dir = xasprintf("%s/L%s", p->tmp, j->chain);
        if (!extract)
                return 0;
        _cleanup_free_ char *diff = xasprintf("%s/diff", u->dir);
        err_t e2;
        rm_rf(u->dir, &e2);
        if (mkdir(u->dir, 0700) < 0 || mkdir(diff, 0755) < 0)
                return err_sys(err, errno, "mkdir %s", diff);
        u->rootfd = open(diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (u->rootfd < 0)
                return err_sys(err, errno, "open %s", diff);
        return 0;
}

static void unpack_end(struct unpack *u, bool keep)
{
        if (u->rootfd >= 0)
                close(u->rootfd);
        u->rootfd = -1;
        if (!keep && u->dir) {
                err_t e2;
                rm_rf(u->dir, &e2);
        }
        free(u->dir);
        u->dir = NULL;
}

/* Unpack (or check) from src; the layer's layer.json is written into the
 * directory when it is complete. */
static int unpack_run(struct unpack *u, lstream_src_fn src, void *ud, err_t *err)
{
        struct job *j = u->j;
        if (lstream_init(&u->ls, src, ud, true, j->diff, j->hex, err) < 0)
                return -1;
        if (src == feed_read)
                u->ls.abort = feed_leave;
        int r = lstream_unpack(&u->ls, u->rootfd, &u->st, err);
        unsigned long long tar_size = u->ls.bytes;
        lstream_free(&u->ls);
        if (r < 0)
                return err->code == ECANCELED || err->code == EBADMSG
                           ? -1
                           : err_wrap(err, "unpack layer sha256:%.12s", j->hex);
        j->tar_size = tar_size;
        j->files_size = u->st.bytes;
        if (!u->extract)
                return 0;
        _cleanup_free_ char *meta = xasprintf("%s/layer.json", u->dir);
        _cleanup_json_ json_t *lj =
            json_pack("{s:s, s:I, s:s, s:I}", "diff_id", j->diff, "size", (json_int_t)u->st.bytes,
                      "blob", j->hex, "tar_size", (json_int_t)tar_size);
        return json_write_atomic(meta, lj, err);
}

static void *unpack_main(void *arg)
{
        struct unpack *u = arg;
        u->rc = unpack_run(u, feed_read, u->j->f, &u->err);
        if (u->rc < 0)
                feed_leave(u->j->f);
        return NULL;
}

/* Unpack (or check) from a verified file. */
static int unpack_file(struct unpack *u, int dirfd, const char *path, err_t *err)
{
        struct lstream_fd f = {.what = path};
        f.fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (f.fd < 0)
                return err_sys(err, errno, "open %s", path);
        f.buf = xmalloc(LSTREAM_FD_BUF);
        progress(u->p, u->j->id, REG_L_EXTRACTING, (unsigned long long)u->j->desc->size,
                 (unsigned long long)u->j->desc->size);
        int r = unpack_run(u, lstream_fd_read, &f, err);
        close(f.fd);
        free(f.buf);
        return r;
}

/* --- download ------------------------------------------------------------------- */

/* Streaming sink: write (in chunks of CHUNK bytes) + hash + bound +
 * progress, and the unpacker told of every chunk while it is attached. */
struct dl {
        struct pull *p;
        struct job *j;
        int fd;
        EVP_MD_CTX *md;
        unsigned long long got, want; /* received (the file: got - len) */
        unsigned long long last_report;
        struct feed *f; /* NULL: nobody unpacks as it downloads */
        char *buf;      /* CHUNK bytes received, not yet written */
        size_t len;
};

/* Write what is received, and tell the unpacker. */
static int dl_flush(struct dl *d, err_t *err)
{
        if (!d->len)
                return 0;
        if (write_all(d->fd, d->buf, d->len, err) < 0)
                return err_wrap(err, "write download sha256:%.12s", d->j->hex);
        d->len = 0;
        if (d->f)
                feed_set(d->f, d->got);
        return 0;
}

/* The download starts over from byte 0 (or was cut back): an unpacker that
 * saw bytes cannot go back, so it is let go, and the layer is unpacked from
 * the file once it is complete. */
static void dl_detach(struct dl *d)
{
        if (d->f) {
                feed_end(d->f, false);
                d->f = NULL;
        }
}

static int dl_sink(const void *buf, size_t n, void *ud, err_t *err)
{
        struct dl *d = ud;
        if (!buf) { /* start over */
                d->len = 0;
                if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0)
                        return err_sys(err, errno, "truncate download sha256:%.12s", d->j->hex);
                EVP_DigestInit_ex(d->md, EVP_sha256(), NULL);
                d->got = 0;
                dl_detach(d);
                return 0;
        }
        if (d->got + n > d->want)
                return err_set(err, EPROTO,
                               "filesystem layer verification failed for digest sha256:%s: the "
                               "registry sent more than the %llu bytes of its descriptor",
                               d->j->hex, d->want);
        if (d->f && feed_gone(d->f))
                return err_set(err, ECANCELED, "unpacking stopped");
        EVP_DigestUpdate(d->md, buf, n);
        const char *b = buf;
        while (n) {
                size_t k = CHUNK - d->len < n ? CHUNK - d->len : n;
                memcpy(d->buf + d->len, b, k);
                d->len += k;
                d->got += k;
                b += k;
                n -= k;
                if (d->len == CHUNK && dl_flush(d, err) < 0)
                        return -1;
        }
        if (d->got - d->last_report >= (512u << 10) || d->got == d->want) {
                d->last_report = d->got;
                progress(d->p, d->j->id, REG_L_DOWNLOADING, d->got, d->want);
        }
        return 0;
}

/* Hash what a partial file already holds. */
static int hash_existing(struct dl *d, err_t *err)
{
        struct stat st;
        d->got = 0;
        d->len = 0;
        EVP_DigestInit_ex(d->md, EVP_sha256(), NULL);
        if (fstat(d->fd, &st) < 0)
                return err_sys(err, errno, "stat download");
        if ((unsigned long long)st.st_size > d->want) {
                /* more than the blob: not a prefix of it */
                if (ftruncate(d->fd, 0) < 0)
                        return err_sys(err, errno, "truncate download");
                dl_detach(d);
        }
        if (lseek(d->fd, 0, SEEK_SET) < 0)
                return err_sys(err, errno, "seek download");
        for (;;) {
                ssize_t n = read(d->fd, d->buf, CHUNK);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return err_sys(err, errno, "read download");
                }
                if (n == 0)
                        break;
                EVP_DigestUpdate(d->md, d->buf, (size_t)n);
                d->got += (unsigned long long)n;
        }
        if (d->f)
                feed_set(d->f, d->got);
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

/* Fetch blob j->hex into downloads/<hex>.partial, verified (not yet
 * durable nor in the store), resuming a partial file. */
static int fetch_blob(struct pull *p, struct reg_conn *k, struct job *j, struct feed *f, bool *fed,
                      err_t *err)
{
        _cleanup_free_ char *part = xasprintf("%s/%s.partial", p->dl, j->hex);
        _cleanup_close_ int fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return err_sys(err, errno, "open %s", part);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
                return err_set(err, ENOMEM, "sha256: out of memory");
        struct dl d = {.p = p,
                       .j = j,
                       .fd = fd,
                       .md = md,
                       .want = (unsigned long long)j->desc->size,
                       .f = f,
                       .buf = xmalloc(CHUNK)};
        int r = -1;
        for (int attempt = 0; attempt < BLOB_TRIES; attempt++) {
                if (hash_existing(&d, err) < 0)
                        goto done;
                bool from_start = false;
                if (d.got < d.want || d.want == 0) {
                        if (lseek(fd, 0, SEEK_END) < 0) {
                                err_sys(err, errno, "seek %s", part);
                                goto done;
                        }
                        int fr = fetch_source(p, k, j, &d, &from_start, err);
                        /* what arrived is kept, for a retry (or a later pull) */
                        err_t e2;
                        if (dl_flush(&d, fr < 0 ? &e2 : err) < 0 && fr == 0)
                                goto done;
                        if (fr < 0) {
                                /* transport errors are retried from where they stopped */
                                if (err->code == EIO || err->code == ETIMEDOUT)
                                        continue;
                                goto done;
                        }
                }
                progress(p, j->id, REG_L_VERIFYING, 0, 0);
                char got[HEX_LEN + 1];
                md_final_hex(md, got);
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
                crash_point("pull.blob.verified");
                progress(p, j->id, REG_L_DOWNLOADED, 0, 0);
                r = 0;
                goto done;
        }
done:
        *fed = d.f != NULL;
        if (d.f)
                feed_end(d.f, r == 0);
        EVP_MD_CTX_free(md);
        free(d.buf);
        return r;
}

/* The layer's files and blob are durable: into place (under the store
 * lock, as store writers rename layers too).  blob: a verified download to
 * move into blobs/; dir: the unpacked layer (NULL: record the blob in the
 * existing layer's layer.json). */
/* Everything this pull wrote so far is durable: a syncfs that started after
 * the call (one for all the layers that are ready by then). */
static int sync_group(struct pull *p, int dfd, err_t *err)
{
        pthread_mutex_lock(&p->smu);
        unsigned long want = p->sync_started + 1;
        while (p->sync_done < want) {
                if (p->syncing) {
                        pthread_cond_wait(&p->scv, &p->smu);
                        continue;
                }
                p->syncing = true;
                unsigned long g = ++p->sync_started;
                pthread_mutex_unlock(&p->smu);
                int e = syncfs(dfd) < 0 ? errno : 0;
                pthread_mutex_lock(&p->smu);
                p->syncing = false;
                p->sync_done = g;
                if (e) {
                        p->sync_err = e;
                        p->sync_err_gen = g;
                }
                pthread_cond_broadcast(&p->scv);
        }
        int e = p->sync_err_gen >= want ? p->sync_err : 0;
        pthread_mutex_unlock(&p->smu);
        if (e)
                return err_sys(err, e, "sync %s/image", berth_lib_dir());
        return 0;
}

static int commit_layer(struct pull *p, struct store *s, struct job *j, const char *blob,
                        const char *dir, err_t *err)
{
        if (sync_group(p, s->dfd, err) < 0)
                return -1;
        if (blob) {
                _cleanup_free_ char *dst = xasprintf("blobs/sha256/%s", j->hex);
                if (renameat(s->dfd, blob, s->dfd, dst) < 0)
                        return err_sys(err, errno, "store blob sha256:%s", j->hex);
                crash_point("pull.blob.stored");
        }
        int lk = rt_image_store_lock(true, err);
        if (lk < 0)
                return -1;
        int r = 0;
        _cleanup_free_ char *dst = xasprintf("layers/%s", j->chain);
        if (dir && !layer_exists(s, j->chain)) {
                err_t e2;
                rm_rf_at(s->dfd, dst, &e2); /* a partial one of an older writer */
                if (renameat(AT_FDCWD, dir, s->dfd, dst) < 0)
                        r = err_sys(err, errno, "rename layer %s", j->chain);
        } else if (!dir) {
                /* the layer was there without a tar to read it from */
                _cleanup_free_ char *meta = xasprintf("%s/layer.json", dst);
                _cleanup_json_ json_t *lj = NULL;
                if (json_read_at(s->dfd, meta, &lj, err) == 0) {
                        json_object_set_new(lj, "blob", json_string(j->hex));
                        json_object_set_new(lj, "tar_size", json_integer((json_int_t)j->tar_size));
                        r = json_write_atomic_at(s->dfd, meta, lj, err);
                } else {
                        r = -1;
                }
        }
        close(lk);
        if (r == 0)
                crash_point("pull.layer.stored");
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
        char src[HEX_LEN + 1];
        unsigned long long tsz;
        bool have_layer = layer_exists(s, j->chain);
        if (have_layer && layer_source(s, j->chain, j->diff, src, &tsz) >= 0) {
                /* another pull made it meanwhile */
                progress(p, j->id, REG_L_COMPLETE, 0, 0);
                return 0;
        }
        _cleanup_free_ char *part = xasprintf("downloads/%s.partial", j->hex);
        _cleanup_free_ char *abspart = xasprintf("%s/%s.partial", p->dl, j->hex);
        struct unpack u;
        int r = -1;
        if (unpack_begin(&u, p, j, !have_layer, err) < 0)
                goto out;
        if (blob_exists(s, j->hex)) {
                progress(p, j->id, REG_L_DOWNLOADED, 0, 0);
                _cleanup_free_ char *b = xasprintf("blobs/sha256/%s", j->hex);
                if (unpack_file(&u, s->dfd, b, err) < 0)
                        goto out;
                crash_point("pull.layer.unpacked");
                if (commit_layer(p, s, j, NULL, have_layer ? NULL : u.dir, err) < 0)
                        goto out;
                r = 0;
                goto out;
        }
        /* at most PARALLEL downloads, each unpacked as it arrives */
        pthread_mutex_lock(&p->dmu);
        while (p->downloading >= PARALLEL)
                pthread_cond_wait(&p->dcv, &p->dmu);
        p->downloading++;
        pthread_mutex_unlock(&p->dmu);
        int rfd = open(abspart, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        struct feed f;
        feed_init(&f, rfd);
        j->f = &f;
        pthread_t th;
        bool threaded = rfd >= 0 && pthread_create(&th, NULL, unpack_main, &u) == 0;
        bool fed = false;
        crash_point("pull.blob.downloading");
        int fr = fetch_blob(p, k, j, threaded ? &f : NULL, &fed, err);
        pthread_mutex_lock(&p->dmu);
        p->downloading--;
        pthread_cond_signal(&p->dcv);
        pthread_mutex_unlock(&p->dmu);
        if (fr == 0 && fed)
                progress(p, j->id, REG_L_EXTRACTING, (unsigned long long)j->desc->size,
                         (unsigned long long)j->desc->size);
        if (threaded) {
                if (fr < 0)
                        feed_end(&f, false);
                pthread_join(th, NULL);
        }
        j->f = NULL;
        feed_destroy(&f);
        if (rfd >= 0)
                close(rfd);
        if (fr < 0) {
                /* the unpacker's failure stopped the download: it is the cause */
                if (threaded && u.rc < 0 && err->code == ECANCELED)
                        *err = u.err;
                goto out;
        }
        if (!threaded || !fed || (u.rc < 0 && u.err.code == ECANCELED)) {
                /* not unpacked while it downloaded: from the verified file */
                unpack_end(&u, false);
                if (unpack_begin(&u, p, j, !have_layer, err) < 0 ||
                    unpack_file(&u, s->dfd, part, err) < 0)
                        goto out;
        } else if (u.rc < 0) {
                *err = u.err;
                if (err->code == EBADMSG)
                        unlinkat(s->dfd, part, 0); /* verified, but not the layer */
                goto out;
        }
        crash_point("pull.layer.unpacked");
        if (commit_layer(p, s, j, part, have_layer ? NULL : u.dir, err) < 0)
                goto out;
        r = 0;
out:
        unpack_end(&u, false);
        if (r == 0) {
                unlink(lockpath); /* the blob is in the store: waiters see it there */
                progress(p, j->id, REG_L_COMPLETE, 0, 0);
        }
        return r;
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
                        workers_fail(&p->mu, &p->failed, &p->err, &e);
                        break;
                }
                j->done = true;
        }
        reg_conn_free(k);
        return NULL;
}

/* Remove the scratch dirs of pulls whose process is gone. */
static void clean_stale(struct store *s, const char *dl)
{
        DIR *d = opendir(dl);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n == HEX_LEN + 5 && !strcmp(de->d_name + HEX_LEN, ".lock")) {
                        /* the lock of a blob that is in the store now, left by
                         * a pull killed after it stored it: gone while held
                         * (a waiter that gets it then finds the blob, as after
                         * a pull that ends well) */
                        char hex[HEX_LEN + 1];
                        memcpy(hex, de->d_name, HEX_LEN);
                        hex[HEX_LEN] = '\0';
                        _cleanup_free_ char *path = xasprintf("%s/%s", dl, de->d_name);
                        _cleanup_close_ int fd =
                            open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
                        if (fd >= 0 && blob_exists(s, hex) && flock(fd, LOCK_EX | LOCK_NB) == 0)
                                unlink(path);
                        continue;
                }
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
        pthread_mutex_init(&p.smu, NULL);
        pthread_cond_init(&p.scv, NULL);
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
        crash_point("pull.manifest");
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
        clean_stale(&s, p.dl);

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
                char src[HEX_LEN + 1];
                unsigned long long tsz;
                if (layer_exists(&s, j->chain) &&
                    layer_source(&s, j->chain, j->diff, src, &tsz) >= 0) {
                        progress(&p, j->id, REG_L_EXISTS, 0, 0);
                        continue;
                }
                progress(&p, j->id, REG_L_PULLING, 0, 0);
                p.njobs++;
        }
        struct worker w = {&p, &s};
        run_workers(p.njobs < WORKERS ? p.njobs : WORKERS, worker_main, &w);
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
            image_register(&s, cfg.data, cfg.len, &diffs, NULL, got_id, err) < 0 ||
            image_record_add_pull(&s, got_id, repo_digest, &owned, err) < 0) {
                err_wrap(err, "register %s", name);
                goto out;
        }
        crash_point("pull.record"); /* the image is there, not yet its name */
        if (image_names_set(&s, &names, got_id, err) < 0) {
                err_wrap(err, "register %s", name);
                goto out;
        }
        crash_point("pull.tagged");
        res->id = xasprintf("sha256:%s", got_id);
        res->digest = xasprintf("sha256:%s", top);
        res->name = ref.digest ? NULL : xstrdup(name);
        res->full = reg_ref_string(&ref);
        res->updated = !same;
        events_logv("image", "pull", name, "name", name, NULL);
        r = 0;
out:
        if (r < 0 && err->code == ENOSPC)
                err_wrap(err,
                         "pull %s: the file system of %s/image is full (free space there and "
                         "pull again: what this pull verified is kept and reused)",
                         name ? name : refstr, berth_lib_dir());
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
        pthread_mutex_destroy(&p.smu);
        pthread_cond_destroy(&p.scv);
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
