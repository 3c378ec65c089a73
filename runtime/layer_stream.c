/* layer_stream.c - layer tars read through their compressed blobs, verified
 * against their diff IDs as they stream (image_internal.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "image_internal.h"
#include "jsonfile.h"
#include "tar.h"
#include "xalloc.h"

void md_final_hex(void *md, char out[HEX_LEN + 1])
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

int lstream_init(struct lstream *ls, lstream_src_fn src, void *ud, bool compressed,
                 const char *diff_hex, const char *blob_hex, err_t *err)
{
        memset(ls, 0, sizeof(*ls));
        ls->in.fn = src;
        ls->in.ud = ud;
        snprintf(ls->diff, sizeof(ls->diff), "%s", diff_hex);
        snprintf(ls->blob, sizeof(ls->blob), "%s", blob_hex ? blob_hex : diff_hex);
        ls->md = EVP_MD_CTX_new();
        if (!ls->md)
                return err_set(err, ENOMEM, "sha256: out of memory");
        EVP_DigestInit_ex(ls->md, EVP_sha256(), NULL);
        if (!compressed)
                return 0;
        ls->a = archive_read_new();
        if (!ls->a) {
                lstream_free(ls);
                return err_set(err, ENOMEM, "libarchive: out of memory");
        }
        archive_read_support_filter_gzip(ls->a);
        archive_read_support_filter_zstd(ls->a);
        archive_read_support_format_raw(ls->a);
        archive_read_support_format_empty(ls->a);
        struct archive_entry *e;
        int hr = archive_read_open(ls->a, &ls->in, NULL, rt_tar_src_read, NULL);
        if (hr == ARCHIVE_OK)
                hr = archive_read_next_header(ls->a, &e);
        if (hr == ARCHIVE_EOF) {
                ls->ended = true; /* an empty stream */
        } else if (hr != ARCHIVE_OK) {
                if (ls->in.failed)
                        *err = ls->in.err;
                else
                        err_set(err, EINVAL, "layer sha256:%.12s: %s", ls->blob,
                                archive_error_string(ls->a));
                lstream_free(ls);
                return -1;
        }
        return 0;
}

/* The end: the content must have the diff ID. */
static long long finish(struct lstream *ls, err_t *err)
{
        if (ls->verified)
                return 0;
        char got[HEX_LEN + 1];
        md_final_hex(ls->md, got);
        if (strcmp(got, ls->diff) != 0)
                return err_set(err, EBADMSG,
                               "layer sha256:%.12s: verification failed: its content has diff ID "
                               "sha256:%s, the image config says sha256:%s",
                               ls->blob, got, ls->diff);
        ls->verified = true;
        return 0;
}

long long lstream_read(struct lstream *ls, const void **buf, err_t *err)
{
        if (ls->ended)
                return finish(ls, err);
        long long n;
        if (!ls->a) {
                n = ls->in.fn(ls->in.ud, buf, err);
                if (n < 0)
                        return -1;
        } else {
                size_t size = 0;
                la_int64_t off;
                int r = archive_read_data_block(ls->a, buf, &size, &off);
                if (r == ARCHIVE_EOF) {
                        n = 0;
                } else if (r != ARCHIVE_OK) {
                        if (ls->in.failed)
                                *err = ls->in.err;
                        else
                                err_set(err, EINVAL, "layer sha256:%.12s: %s", ls->blob,
                                        archive_error_string(ls->a));
                        return -1;
                } else {
                        n = (long long)size;
                }
        }
        if (n == 0) {
                ls->ended = true;
                return finish(ls, err);
        }
        EVP_DigestUpdate(ls->md, *buf, (size_t)n);
        ls->bytes += (unsigned long long)n;
        return n;
}

unsigned long long lstream_compressed_pos(struct lstream *ls)
{
        return ls->a ? (unsigned long long)archive_filter_bytes(ls->a, -1) : ls->bytes;
}

static int unpack_threaded(struct lstream *ls, int rootfd, struct rt_tar_stats *st, err_t *err);

int lstream_unpack(struct lstream *ls, int rootfd, struct rt_tar_stats *st, err_t *err)
{
        if (st)
                memset(st, 0, sizeof(*st));
        if (rootfd >= 0)
                return unpack_threaded(ls, rootfd, st, err);
        /* the tar ends before its padding, and the digest covers it all */
        for (;;) {
                const void *b;
                long long n = lstream_read(ls, &b, err);
                if (n < 0)
                        return -1;
                if (n == 0)
                        return 0;
        }
}

/* --- unpacking in two threads ------------------------------------------------------
 * One thread decompresses and hashes, the other writes the files: a layer
 * keeps two cores busy.  Between them a ring of chunks of tar: the
 * extractor holds at most one (the one libarchive reads), the ones after it
 * are ready, and the decompressor fills the next. */

#define RING_CHUNK (256u << 10)
#define RING_N     8

struct ring {
        pthread_mutex_t mu;
        pthread_cond_t cv;
        char *buf[RING_N];
        size_t len[RING_N];
        size_t head;  /* the consumer's chunk (held) or its next one */
        size_t ready; /* filled chunks after it */
        bool held;
        bool ended;  /* all of the tar, verified */
        bool failed; /* the producer failed: perr */
        bool gone;   /* the consumer stopped */
        /* each side sleeps until half the ring is there for it (a wake-up
         * per chunk would take the CPU from the side that woke it) */
        bool csleep, psleep;
        err_t perr;
        struct lstream *ls;
};

static size_t ring_fill_index(const struct ring *r)
{
        return (r->head + (r->held ? 1 : 0) + r->ready) % RING_N;
}

static void *ring_producer(void *arg)
{
        struct ring *r = arg;
        size_t fill = 0, len = 0;
        char *cur = NULL;
        err_t e;
        for (;;) {
                const void *piece;
                long long n = lstream_read(r->ls, &piece, &e);
                if (n < 0)
                        goto fail;
                const char *p = piece;
                size_t left = (size_t)n;
                /* the end: the last, partly filled chunk goes too */
                bool end = n == 0;
                while (left || (end && cur)) {
                        if (!cur) {
                                pthread_mutex_lock(&r->mu);
                                if (!r->gone && r->ready + (r->held ? 1 : 0) >= RING_N - 1) {
                                        r->psleep = true;
                                        while (!r->gone &&
                                               r->ready + (r->held ? 1 : 0) > RING_N / 2)
                                                pthread_cond_wait(&r->cv, &r->mu);
                                        r->psleep = false;
                                }
                                bool gone = r->gone;
                                fill = ring_fill_index(r);
                                pthread_mutex_unlock(&r->mu);
                                if (gone)
                                        return NULL;
                                cur = r->buf[fill];
                                len = 0;
                        }
                        size_t k = RING_CHUNK - len < left ? RING_CHUNK - len : left;
                        memcpy(cur + len, p, k);
                        len += k;
                        p += k;
                        left -= k;
                        if (len == RING_CHUNK || (end && !left)) {
                                pthread_mutex_lock(&r->mu);
                                r->len[fill] = len;
                                r->ready++;
                                if (r->csleep && (r->ready >= RING_N / 2 || end))
                                        pthread_cond_broadcast(&r->cv);
                                pthread_mutex_unlock(&r->mu);
                                cur = NULL;
                        }
                }
                if (end) {
                        pthread_mutex_lock(&r->mu);
                        r->ended = true;
                        pthread_cond_broadcast(&r->cv);
                        pthread_mutex_unlock(&r->mu);
                        return NULL;
                }
        }
fail:
        pthread_mutex_lock(&r->mu);
        r->failed = true;
        r->perr = e;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        return NULL;
}

static long long ring_take(void *ud, const void **buf, err_t *err)
{
        struct ring *r = ud;
        pthread_mutex_lock(&r->mu);
        if (r->held) {
                r->head = (r->head + 1) % RING_N;
                r->held = false;
                if (r->psleep && r->ready <= RING_N / 2)
                        pthread_cond_broadcast(&r->cv);
        }
        if (!r->ready && !r->ended && !r->failed) {
                r->csleep = true;
                while (!r->ready && !r->ended && !r->failed)
                        pthread_cond_wait(&r->cv, &r->mu);
                r->csleep = false;
        }
        long long n;
        if (r->ready) {
                r->ready--;
                r->held = true;
                *buf = r->buf[r->head];
                n = (long long)r->len[r->head];
        } else if (r->failed) {
                *err = r->perr;
                n = -1;
        } else {
                n = 0; /* ended, verified */
        }
        pthread_mutex_unlock(&r->mu);
        return n;
}

static int unpack_threaded(struct lstream *ls, int rootfd, struct rt_tar_stats *st, err_t *err)
{
        struct ring r = {.ls = ls};
        pthread_mutex_init(&r.mu, NULL);
        pthread_cond_init(&r.cv, NULL);
        for (size_t i = 0; i < RING_N; i++)
                r.buf[i] = xmalloc(RING_CHUNK);
        pthread_t th;
        int ret;
        if (pthread_create(&th, NULL, ring_producer, &r) != 0) {
                ret = err_set(err, EAGAIN, "cannot start a decompression thread");
                goto out;
        }
        const struct rt_tar_opts opts = {RT_TAR_OVERLAY, 0};
        ret = rt_tar_extract_cb(ring_take, &r, rootfd, &opts, st, err);
        if (ret < 0 && ls->abort)
                ls->abort(ls->in.ud); /* a source that waits for more: stop it */
        /* the tar ends before its padding: take the rest (and the digest's
         * verdict) */
        for (;;) {
                const void *b;
                long long n = ret < 0 ? 0 : ring_take(&r, &b, err);
                if (n < 0)
                        ret = -1;
                if (n <= 0)
                        break;
        }
        pthread_mutex_lock(&r.mu);
        r.gone = true;
        pthread_cond_broadcast(&r.cv);
        pthread_mutex_unlock(&r.mu);
        pthread_join(th, NULL);
out:
        for (size_t i = 0; i < RING_N; i++)
                free(r.buf[i]);
        pthread_mutex_destroy(&r.mu);
        pthread_cond_destroy(&r.cv);
        return ret;
}

void lstream_free(struct lstream *ls)
{
        if (ls->a)
                archive_read_free(ls->a);
        if (ls->md)
                EVP_MD_CTX_free(ls->md);
        ls->a = NULL;
        ls->md = NULL;
}

/* --- layer tars of the store --------------------------------------------------- */

struct layer_tar {
        struct lstream ls;
        struct lstream_fd src;
        char what[HEX_LEN + 16];
        unsigned long long size;
        const char *piece;
        size_t avail;
        bool eof;
};

long long lstream_fd_read(void *ud, const void **buf, err_t *err)
{
        struct lstream_fd *f = ud;
        for (;;) {
                ssize_t n = read(f->fd, f->buf, LSTREAM_FD_BUF);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return err_sys(err, errno, "read %s", f->what);
                *buf = f->buf;
                return n;
        }
}

int layer_blob(struct store *s, const char *chain_hex, char blob_hex[HEX_LEN + 1],
               char diff_hex[HEX_LEN + 1], unsigned long long *tar_size)
{
        _cleanup_free_ char *meta = xasprintf("layers/%s/layer.json", chain_hex);
        _cleanup_json_ json_t *lj = NULL;
        err_t e2;
        if (json_read_at(s->dfd, meta, &lj, &e2) < 0)
                return -1;
        const char *b = json_string_value(json_object_get(lj, "blob"));
        const char *d = json_string_value(json_object_get(lj, "diff_id"));
        if (!b || !d || strlen(b) != HEX_LEN || strspn(b, "0123456789abcdef") != HEX_LEN ||
            strlen(d) != HEX_LEN)
                return -1;
        snprintf(blob_hex, HEX_LEN + 1, "%s", b);
        snprintf(diff_hex, HEX_LEN + 1, "%s", d);
        *tar_size = (unsigned long long)json_integer_value(json_object_get(lj, "tar_size"));
        return 0;
}

int layer_source(struct store *s, const char *chain_hex, const char *diff_hex,
                 char blob_hex[HEX_LEN + 1], unsigned long long *tar_size)
{
        if (blob_exists(s, diff_hex)) {
                snprintf(blob_hex, HEX_LEN + 1, "%s", diff_hex);
                struct stat st;
                _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", diff_hex);
                *tar_size = fstatat(s->dfd, p, &st, 0) == 0 ? (unsigned long long)st.st_size : 0;
                return 0;
        }
        char d[HEX_LEN + 1];
        if (!chain_hex || layer_blob(s, chain_hex, blob_hex, d, tar_size) < 0 ||
            strcmp(d, diff_hex) != 0 || !blob_exists(s, blob_hex))
                return -1;
        return 1;
}

/* The length of the tar in compressed blob blob_hex (a pass through it). */
static int count_tar(struct store *s, const char *blob_hex, const char *diff_hex,
                     unsigned long long *size, err_t *err)
{
        struct lstream ls;
        char what[HEX_LEN + 16];
        snprintf(what, sizeof(what), "blob sha256:%s", blob_hex);
        struct lstream_fd f = {.fd = blob_open(s, blob_hex, err), .what = what};
        if (f.fd < 0)
                return -1;
        f.buf = xmalloc(LSTREAM_FD_BUF);
        int r = -1;
        if (lstream_init(&ls, lstream_fd_read, &f, true, diff_hex, blob_hex, err) == 0) {
                r = lstream_unpack(&ls, -1, NULL, err);
                *size = ls.bytes;
                lstream_free(&ls);
        }
        close(f.fd);
        free(f.buf);
        return r;
}

int layer_tar_open(struct store *s, const char *chain_hex, const char *diff_hex,
                   struct layer_tar **out, err_t *err)
{
        char blob[HEX_LEN + 1];
        unsigned long long size = 0;
        int kind = layer_source(s, chain_hex, diff_hex, blob, &size);
        if (kind < 0)
                return err_set(err, ENOENT,
                               "layer sha256:%.12s: neither its tar nor the compressed blob it "
                               "was pulled as is in the store (remove the image and pull it "
                               "again)",
                               diff_hex);
        struct layer_tar *t = xcalloc(1, sizeof(*t));
        t->src.fd = blob_open(s, blob, err);
        if (t->src.fd < 0) {
                free(t);
                return -1;
        }
        t->src.buf = xmalloc(LSTREAM_FD_BUF);
        snprintf(t->what, sizeof(t->what), "blob sha256:%s", blob);
        t->src.what = t->what;
        t->size = size;
        if (lstream_init(&t->ls, lstream_fd_read, &t->src, kind == 1, diff_hex, blob, err) < 0) {
                close(t->src.fd);
                free(t->src.buf);
                free(t);
                return -1;
        }
        if (kind == 1 && !size && count_tar(s, blob, diff_hex, &t->size, err) < 0) {
                layer_tar_close(t);
                return -1;
        }
        *out = t;
        return 0;
}

unsigned long long layer_tar_size(const struct layer_tar *t)
{
        return t->size;
}

long long layer_tar_read(struct layer_tar *t, void *buf, size_t n, err_t *err)
{
        while (!t->avail && !t->eof) {
                long long r = lstream_read(&t->ls, (const void **)&t->piece, err);
                if (r < 0)
                        return -1;
                if (r == 0)
                        t->eof = true;
                t->avail = (size_t)r;
        }
        size_t k = t->avail < n ? t->avail : n;
        memcpy(buf, t->piece, k);
        t->piece += k;
        t->avail -= k;
        return (long long)k;
}

int layer_tar_unpack(struct layer_tar *t, int rootfd, struct rt_tar_stats *st, err_t *err)
{
        return lstream_unpack(&t->ls, rootfd, st, err);
}

void layer_tar_close(struct layer_tar *t)
{
        if (!t)
                return;
        lstream_free(&t->ls);
        close(t->src.fd);
        free(t->src.buf);
        free(t);
}
