/* registry_push.c - push an image to a registry, and check a login.
 *
 * The manifest pushed is the one the image came with when there is one: a
 * pulled (or already pushed) image keeps its manifest bytes and compressed
 * layers in the store (recorded by its repo digests), so it is pushed
 * byte for byte and keeps its digest.  An image made here (import, build,
 * load) gets a Docker v2 schema 2 manifest with gzip layers, compressed once
 * (deterministically) and then kept in the store the same way.
 *
 * Each layer: HEAD (skip when the registry has it), a cross-repository mount
 * from a repository of the same registry the image was pulled from or pushed
 * to, else an upload: monolithic (POST, then PUT with the bytes), or chunked
 * PATCHes when BERTH_PUSH_CHUNK_SIZE (bytes) is set.  Then the config blob,
 * then the manifest under the tag. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "events.h"
#include "fsutil.h"
#include "image.h"
#include "image_internal.h"
#include "jsonfile.h"
#include "paths.h"
#include "registry.h"
#include "registry_creds.h"
#include "registry_internal.h"
#include "tar.h"
#include "registry_ref.h"
#include "strbuf.h"
#include "workers.h"
#include "xalloc.h"

#define MT_DOCKER_CONFIG  "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER   "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define PUSH_CONFIG_MAX   (16u << 20)
#define COMPRESS_BUF      (256u << 10)
#define PUSH_PARALLEL     5

struct push_layer {
        char *digest;   /* "sha256:<hex>" of the blob pushed */
        long long size; /* its size */
        char id[13];    /* shown: 12 hex of the diff ID */
        int remote;     /* not uploaded: 1 the registry has it, 2 mounted, 3 a foreign
                           layer kept as a descriptor with its URLs */
        char *from;     /* mounted from (remote 2), or NULL */
};

struct push {
        const struct reg_push_opts *o;
        struct reg_client *c;
        struct reg_conn *k;
        struct store s;
        const char *id;
        unsigned long long total;
        pthread_mutex_t pmu; /* progress calls, one at a time */
};

static void hexify(const unsigned char *d, char out[HEX_LEN + 1])
{
        static const char digits[] = "0123456789abcdef";
        for (int i = 0; i < 32; i++) {
                out[2 * i] = digits[d[i] >> 4];
                out[2 * i + 1] = digits[d[i] & 15];
        }
        out[HEX_LEN] = '\0';
}

static void progress(struct push *p, const char *id, enum reg_push_state st, unsigned long long cur,
                     unsigned long long total, const char *from)
{
        if (p->o && p->o->progress) {
                pthread_mutex_lock(&p->pmu);
                p->o->progress(p->o->ud, id, st, cur, total, from);
                pthread_mutex_unlock(&p->pmu);
        }
}

void reg_push_result_free(struct reg_push_result *r)
{
        free(r->tag);
        free(r->digest);
        free(r->name);
        memset(r, 0, sizeof(*r));
}

/* --- the original manifest of a pulled or pushed image --------------------------- */

static int read_blob(struct store *s, const char *hex, size_t max, char **out, size_t *len,
                     err_t *err)
{
        _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", hex);
        return read_file_at(s->dfd, p, max, out, len, err);
}

/* The image manifest (bytes and parsed) with config id_hex among the stored
 * manifests of digest hex (itself, or an entry of it when it is an index). */
static bool find_manifest(struct store *s, const char *hex, const char *id_hex, int depth,
                          char **body, size_t *len, struct reg_manifest *m)
{
        char *b = NULL;
        size_t n = 0;
        err_t e;
        if (!blob_exists(s, hex) || read_blob(s, hex, REG_MANIFEST_MAX, &b, &n, &e) < 0)
                return false;
        struct reg_manifest mm;
        if (reg_manifest_parse(b, n, NULL, &mm, &e) < 0) {
                free(b);
                return false;
        }
        bool found = false;
        if (mm.kind == REG_MF_INDEX && depth == 0) {
                for (size_t i = 0; i < mm.nmanifests && !found; i++)
                        found =
                            find_manifest(s, mm.manifests[i].digest + 7, id_hex, 1, body, len, m);
        } else if (mm.kind == REG_MF_IMAGE && !strcmp(mm.config.digest + 7, id_hex)) {
                *body = b;
                *len = n;
                *m = mm;
                return true;
        }
        reg_manifest_free(&mm);
        free(b);
        return found;
}

/* --- compressing a layer made here ------------------------------------------------- */

struct gz_out {
        int fd;
        EVP_MD_CTX *md;
        long long size;
        err_t *err;
        bool failed;
};

static la_ssize_t gz_write(struct archive *a, void *ud, const void *buf, size_t n)
{
        (void)a;
        struct gz_out *g = ud;
        if (write_all(g->fd, buf, n, g->err) < 0) {
                g->failed = true;
                return -1;
        }
        EVP_DigestUpdate(g->md, buf, n);
        g->size += (long long)n;
        return (la_ssize_t)n;
}

/* gzip the uncompressed layer blob diff_hex into the store; its digest and
 * size to hex/size.  gzip without a timestamp: the same layer always
 * compresses to the same bytes. */
static int compress_layer(struct store *s, const char *dir, const char *chain_hex,
                          const char *diff_hex, char hex[HEX_LEN + 1], long long *size, err_t *err)
{
        struct layer_tar *in = NULL;
        if (layer_tar_open(s, chain_hex, diff_hex, &in, err) < 0)
                return -1;
        _cleanup_free_ char *tmp = xasprintf("%s/%s.gz", dir, diff_hex);
        _cleanup_close_ int out =
            open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (out < 0) {
                layer_tar_close(in);
                return err_sys(err, errno, "create %s", tmp);
        }
        struct gz_out g = {.fd = out, .md = EVP_MD_CTX_new(), .err = err};
        char *buf = NULL, *dst = NULL;
        EVP_DigestInit_ex(g.md, EVP_sha256(), NULL);
        struct archive *a = archive_write_new();
        int r = -1;
        archive_write_add_filter_gzip(a);
        archive_write_set_format_raw(a);
        archive_write_set_bytes_per_block(a, 0);
        if (archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
            archive_write_open2(a, &g, NULL, gz_write, NULL, NULL) != ARCHIVE_OK) {
                err_set(err, EIO, "gzip layer sha256:%.12s: %s", diff_hex, archive_error_string(a));
                goto done;
        }
        struct archive_entry *ae = rt_tar_entry("layer.tar", AE_IFREG, 0644, -1, -1);
        int hr = archive_write_header(a, ae);
        archive_entry_free(ae);
        if (hr != ARCHIVE_OK) {
                err_set(err, EIO, "gzip layer sha256:%.12s: %s", diff_hex, archive_error_string(a));
                goto done;
        }
        buf = xmalloc(COMPRESS_BUF);
        for (;;) {
                long long n = layer_tar_read(in, buf, COMPRESS_BUF, err);
                if (n < 0) {
                        err_wrap(err, "read layer sha256:%.12s", diff_hex);
                        goto done;
                }
                if (n == 0)
                        break;
                if (archive_write_data(a, buf, (size_t)n) != n) {
                        if (!g.failed)
                                err_set(err, EIO, "gzip layer sha256:%.12s: %s", diff_hex,
                                        archive_error_string(a));
                        goto done;
                }
        }
        if (archive_write_close(a) != ARCHIVE_OK) {
                if (!g.failed)
                        err_set(err, EIO, "gzip layer sha256:%.12s: %s", diff_hex,
                                archive_error_string(a));
                goto done;
        }
        unsigned char d[32];
        unsigned int dl = 0;
        EVP_DigestFinal_ex(g.md, d, &dl);
        hexify(d, hex);
        *size = g.size;
        if (fsync(out) < 0) {
                err_sys(err, errno, "write %s", tmp);
                goto done;
        }
        dst = xasprintf("%s/image/blobs/sha256/%s", berth_lib_dir(), hex);
        if (rename(tmp, dst) < 0) {
                err_sys(err, errno, "store blob sha256:%s", hex);
                goto done;
        }
        r = 0;
done:
        layer_tar_close(in);
        archive_write_free(a);
        EVP_MD_CTX_free(g.md);
        free(buf);
        free(dst);
        if (r < 0)
                unlink(tmp);
        return r;
}

/* The image's repo digests, most recent first, those of the target
 * repository before those of its registry before the rest. */
static void candidates(struct store *s, const char *id_hex, const struct reg_ref *to, strv_t *out)
{
        _cleanup_free_ char *rec = xasprintf("images/%s.json", id_hex);
        _cleanup_json_ json_t *j = NULL;
        err_t e;
        if (json_read_at(s->dfd, rec, &j, &e) < 0)
                return;
        json_t *rd = json_object_get(j, "repo_digests");
        for (int pass = 0; pass < 3; pass++)
                for (size_t i = json_array_size(rd); i-- > 0;) {
                        const char *v = json_string_value(json_array_get(rd, i));
                        struct reg_ref r;
                        if (!v || reg_ref_parse(v, &r, &e) < 0)
                                continue;
                        bool same_dom = !strcmp(r.domain, to->domain);
                        bool same_repo = same_dom && !strcmp(r.path, to->path);
                        int rank = same_repo ? 0 : same_dom ? 1 : 2;
                        if (rank == pass && r.digest && !strv_contains(out, v))
                                strv_push(out, v);
                        reg_ref_free(&r);
                }
}

/* The gzip blob another local image was pulled or pushed with for a diff
 * ID: pushing it (or mounting it) instead of compressing the layer again
 * lets a registry that has the base image skip its layers, as Docker does. */
struct known {
        char diff[HEX_LEN + 1];
        char *digest, *domain, *path;
        long long size;
        size_t score;  /* layers its image shares with ours from the bottom: the base first */
        bool whole;    /* and nothing else: a base image of ours */
        bool ancestor; /* its image is one ours was built on */
        bool local;    /* the blob is in the store */
        strv_t urls;   /* a foreign gzip layer: its URLs (kept, never uploaded) */
        size_t seq;
};

static int known_cmp(const void *a, const void *b)
{
        const struct known *x = a, *y = b;
        if (x->ancestor != y->ancestor)
                return x->ancestor ? -1 : 1;
        if (x->score != y->score)
                return x->score > y->score ? -1 : 1;
        if (x->whole != y->whole)
                return x->whole ? -1 : 1;
        /* a blob we have: the same bytes whatever registry it goes to */
        if (x->local != y->local)
                return x->local ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void known_scan(struct push *p, const struct rt_image *img, const struct reg_ref *to,
                       struct known **out, size_t *nout)
{
        struct rt_image *v = NULL;
        size_t n = 0;
        err_t e;
        *out = NULL;
        *nout = 0;
        if (rt_image_list(&v, &n, &e) < 0)
                return;
        /* the images ours was built on (build records each step's parent) */
        strv_t anc = STRV_INIT;
        for (char *cur = img->parent ? xstrdup(img->parent) : NULL; cur && anc.n < 256;) {
                strv_push(&anc, cur);
                struct rt_image pi;
                char *next = NULL;
                if (rt_image_lookup(cur, &pi, &e) == 0) {
                        next = pi.parent ? xstrdup(pi.parent) : NULL;
                        rt_image_free(&pi);
                }
                free(cur);
                cur = next;
        }
        for (size_t i = 0; i < n; i++) {
                size_t score = 0;
                while (score < v[i].diff_ids.n && score < img->diff_ids.n &&
                       !strcmp(v[i].diff_ids.v[score], img->diff_ids.v[score]))
                        score++;
                strv_t rds = STRV_INIT;
                candidates(&p->s, v[i].id + 7, to, &rds);
                for (size_t j = 0; j < rds.n; j++) {
                        const char *at = strchr(rds.v[j], '@');
                        struct reg_ref r;
                        char *b = NULL;
                        size_t bl = 0;
                        struct reg_manifest m;
                        if (!at || strncmp(at + 1, "sha256:", 7) || strlen(at + 8) != HEX_LEN ||
                            reg_ref_parse(rds.v[j], &r, &e) < 0)
                                continue;
                        if (find_manifest(&p->s, at + 8, v[i].id + 7, 0, &b, &bl, &m)) {
                                for (size_t k = 0; m.nlayers == v[i].diff_ids.n && k < m.nlayers;
                                     k++) {
                                        const char *mt = m.layers[k].media_type;
                                        size_t ml = mt ? strlen(mt) : 0;
                                        if (ml < 4 || strcmp(mt + ml - 4, "gzip") ||
                                            (m.layers[k].foreign && !m.layers[k].urls.n))
                                                continue;
                                        *out = xrealloc(*out, (*nout + 1) * sizeof(**out));
                                        struct known *kn = &(*out)[(*nout)++];
                                        snprintf(kn->diff, sizeof(kn->diff), "%s",
                                                 v[i].diff_ids.v[k] + 7);
                                        kn->digest = xstrdup(m.layers[k].digest);
                                        kn->size = m.layers[k].size;
                                        kn->domain = xstrdup(r.domain);
                                        kn->path = xstrdup(r.path);
                                        kn->score = score;
                                        kn->whole = score == v[i].diff_ids.n;
                                        kn->ancestor = strv_contains(&anc, v[i].id);
                                        kn->local = blob_exists(&p->s, kn->digest + 7);
                                        kn->seq = *nout;
                                        memset(&kn->urls, 0, sizeof(kn->urls));
                                        if (m.layers[k].foreign)
                                                strv_copy(&kn->urls, &m.layers[k].urls);
                                }
                                reg_manifest_free(&m);
                                free(b);
                        }
                        reg_ref_free(&r);
                }
                strv_free(&rds);
        }
        rt_image_list_free(v, n);
        strv_free(&anc);
        if (*nout)
                qsort(*out, *nout, sizeof(**out), known_cmp);
}

static void known_free(struct known *k, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(k[i].digest);
                free(k[i].domain);
                free(k[i].path);
                strv_free(&k[i].urls);
        }
        free(k);
}

/* A known blob for diff_hex that can be pushed to the target: in the store,
 * in the target repository, or mounted there now (*remote as in
 * struct push_layer). */
static const struct known *known_usable(struct push *p, const struct known *k, size_t n,
                                        const char *diff_hex, const struct reg_ref *to, int *remote)
{
        /* a foreign layer stays one, as Docker keeps its descriptor */
        for (size_t i = 0; i < n; i++) {
                if (!strcmp(k[i].diff, diff_hex) && k[i].urls.n) {
                        *remote = 3;
                        return &k[i];
                }
        }
        for (size_t i = 0; i < n; i++) {
                if (strcmp(k[i].diff, diff_hex) || k[i].urls.n)
                        continue;
                *remote = 0;
                if (blob_exists(&p->s, k[i].digest + 7))
                        return &k[i];
                if (strcmp(k[i].domain, to->domain))
                        continue;
                bool exists = false, mounted = false;
                char *loc = NULL;
                err_t e;
                if (reg_blob_exists(p->c, p->k, k[i].digest, &exists, &e) < 0)
                        continue;
                if (exists) {
                        *remote = 1;
                        return &k[i];
                }
                if (!strcmp(k[i].path, to->path) ||
                    reg_upload_start(p->c, p->k, k[i].digest, k[i].path, &mounted, &loc, &e) < 0)
                        continue;
                free(loc);
                if (mounted) {
                        *remote = 2;
                        return &k[i];
                }
        }
        return NULL;
}

/* A Docker v2 schema 2 manifest for the image, its layers compressed (or
 * the gzip blobs other images brought for them). */
static int build_manifest(struct push *p, const struct rt_image *img, const struct reg_ref *to,
                          const struct known *kn, size_t nkn, const char *dir,
                          struct push_layer *layers, char **body, size_t *len, strv_t *owned,
                          err_t *err)
{
        _cleanup_free_ char *cfg = NULL;
        size_t cfglen = 0;
        if (image_config_bytes(&p->s, img->id + 7, &cfg, &cfglen, err) < 0)
                return -1;
        json_t *ls = json_array();
        strv_t diffs = STRV_INIT, chains = STRV_INIT;
        for (size_t i = 0; i < img->diff_ids.n; i++)
                strv_push(&diffs, img->diff_ids.v[i] + 7);
        layer_chain_ids(&diffs, &chains);
        for (size_t i = 0; i < img->diff_ids.n; i++) {
                char hex[HEX_LEN + 1];
                long long size = 0;
                int remote = 0;
                const struct known *k =
                    known_usable(p, kn, nkn, img->diff_ids.v[i] + 7, to, &remote);
                if (k) {
                        layers[i].digest = xstrdup(k->digest);
                        layers[i].size = k->size;
                        layers[i].remote = remote;
                        if (remote == 3) {
                                /* in a v2s2 manifest: Docker's foreign gzip type */
                                json_t *u = json_array();
                                for (size_t q = 0; q < k->urls.n; q++)
                                        json_array_append_new(u, json_string(k->urls.v[q]));
                                json_array_append_new(
                                    ls, json_pack("{s:s, s:I, s:s, s:o}", "mediaType",
                                                  MT_DOCKER_FOREIGN, "size", (json_int_t)k->size,
                                                  "digest", k->digest, "urls", u));
                                continue;
                        }
                        if (!strcmp(k->domain, to->domain) && strcmp(k->path, to->path))
                                layers[i].from = xstrdup(k->path);
                        json_array_append_new(
                            ls, json_pack("{s:s, s:I, s:s}", "mediaType", MT_DOCKER_LAYER, "size",
                                          (json_int_t)k->size, "digest", k->digest));
                        continue;
                }
                if (compress_layer(&p->s, dir, chains.v[i], img->diff_ids.v[i] + 7, hex, &size,
                                   err) < 0) {
                        json_decref(ls);
                        strv_free(&diffs);
                        strv_free(&chains);
                        return -1;
                }
                strv_push(owned, hex);
                layers[i].digest = xasprintf("sha256:%s", hex);
                layers[i].size = size;
                json_array_append_new(ls, json_pack("{s:s, s:I, s:s}", "mediaType", MT_DOCKER_LAYER,
                                                    "size", (json_int_t)size, "digest",
                                                    layers[i].digest));
        }
        strv_free(&diffs);
        strv_free(&chains);
        json_t *m = json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:o}", "schemaVersion", 2, "mediaType",
                              MT_DOCKER_MANIFEST, "config", "mediaType", MT_DOCKER_CONFIG, "size",
                              (json_int_t)cfglen, "digest", img->id, "layers", ls);
        char *s = json_dumps(m, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
        json_decref(m);
        if (!s)
                return err_set(err, ENOMEM, "manifest of %s", img->id);
        *body = s;
        *len = strlen(s);
        return 0;
}

/* --- uploading ------------------------------------------------------------------- */

struct up_ui {
        struct push *p;
        const char *id;
        unsigned long long base, total;
};

static void on_sent(void *ud, unsigned long long sent)
{
        struct up_ui *u = ud;
        if (u->id)
                progress(u->p, u->id, REG_P_PUSHING, u->base + sent, u->total, NULL);
}

static long long chunk_size(void)
{
        const char *v = getenv("BERTH_PUSH_CHUNK_SIZE");
        long long n = v ? strtoll(v, NULL, 10) : 0;
        return n > 0 ? n : 0;
}

/* Push one blob of the store (hex) unless the registry has it.  id: the
 * progress line (NULL for the config). */
static int push_blob(struct push *p, struct reg_conn *k, const char *digest, long long size,
                     const char *id, const char *from, err_t *err)
{
        bool exists = false;
        if (reg_blob_exists(p->c, k, digest, &exists, err) < 0)
                return -1;
        if (exists) {
                if (id)
                        progress(p, id, REG_P_EXISTS, 0, 0, NULL);
                return 0;
        }
        bool mounted = false;
        _cleanup_free_ char *loc = NULL;
        if (reg_upload_start(p->c, k, digest, from, &mounted, &loc, err) < 0)
                return -1;
        if (mounted) {
                if (id)
                        progress(p, id, REG_P_MOUNTED, 0, 0, from);
                return 0;
        }
        _cleanup_close_ int fd = blob_open(&p->s, digest + 7, err);
        if (fd < 0)
                return -1;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return err_sys(err, errno, "blob %s", digest);
        if (st.st_size != size)
                return err_set(err, EBADMSG,
                               "blob %s in the store has %lld bytes, the manifest says %lld",
                               digest, (long long)st.st_size, size);
        struct up_ui u = {p, id, 0, (unsigned long long)size};
        long long cs = chunk_size(), off = 0;
        if (cs > 0) {
                while (off < size) {
                        long long n = size - off < cs ? size - off : cs;
                        u.base = (unsigned long long)off;
                        if (reg_upload_chunk(p->c, k, &loc, fd, off, n, on_sent, &u, err) < 0)
                                return -1;
                        off += n;
                }
                if (reg_upload_finish(p->c, k, loc, digest, -1, 0, 0, NULL, NULL, err) < 0)
                        return -1;
        } else if (reg_upload_finish(p->c, k, loc, digest, fd, 0, size, on_sent, &u, err) < 0) {
                return -1;
        }
        if (id)
                progress(p, id, REG_P_PUSHED, (unsigned long long)size, (unsigned long long)size,
                         NULL);
        return 0;
}

/* Layers go up PUSH_PARALLEL at a time (Docker's max-concurrent-uploads),
 * each worker on its own connection; the first error stops the others. */
struct pwork {
        struct push *p;
        struct push_layer *layers;
        size_t n, next;
        const char *from;
        pthread_mutex_t mu;
        bool failed;
        err_t err;
};

static void *push_worker(void *arg)
{
        struct pwork *w = arg;
        err_t e;
        struct reg_conn *k = reg_conn_new(w->p->c, &e);
        for (;;) {
                pthread_mutex_lock(&w->mu);
                size_t i = w->next;
                bool stop = w->failed || !k;
                while (!stop && i < w->n && w->layers[i].remote)
                        i++;
                w->next = i + 1;
                if (stop || i >= w->n) {
                        if (!k && !w->failed) {
                                w->failed = true;
                                w->err = e;
                        }
                        pthread_mutex_unlock(&w->mu);
                        break;
                }
                pthread_mutex_unlock(&w->mu);
                const struct push_layer *l = &w->layers[i];
                if (push_blob(w->p, k, l->digest, l->size, l->id, l->from ? l->from : w->from, &e) <
                    0) {
                        err_wrap(&e, "push layer %s", l->id);
                        workers_fail(&w->mu, &w->failed, &w->err, &e);
                        break;
                }
        }
        reg_conn_free(k);
        return NULL;
}

static int push_layers(struct push *p, struct push_layer *layers, size_t n, const char *from,
                       err_t *err)
{
        struct pwork w = {.p = p, .layers = layers, .n = n, .from = from};
        pthread_mutex_init(&w.mu, NULL);
        size_t todo = 0;
        for (size_t i = 0; i < n; i++)
                todo += !layers[i].remote;
        run_workers(todo < PUSH_PARALLEL ? todo : PUSH_PARALLEL, push_worker, &w);
        pthread_mutex_destroy(&w.mu);
        if (w.failed) {
                *err = w.err;
                return -1;
        }
        return 0;
}

/* Repositories of the same registry the image is known in (its repo
 * digests), other than the target: mount sources. */
static void mount_sources(const struct rt_image *img, const struct reg_ref *to, strv_t *out)
{
        for (size_t i = 0; i < img->repo_digests.n; i++) {
                struct reg_ref r;
                err_t e;
                if (reg_ref_parse(img->repo_digests.v[i], &r, &e) < 0)
                        continue;
                if (!strcmp(r.domain, to->domain) && strcmp(r.path, to->path) &&
                    !strv_contains(out, r.path))
                        strv_push(out, r.path);
                reg_ref_free(&r);
        }
}

/* Can the layers of manifest m be pushed?  Those in the store can; the
 * others must be in the target repository already or be mounted there
 * from from (a repository of the same registry, may be NULL); *remote[i]
 * says which layers need no upload (1 exists, 2 mounted). */
static bool layers_available(struct push *p, const struct reg_manifest *m, const char *from,
                             int *remote)
{
        for (size_t i = 0; i < m->nlayers; i++) {
                remote[i] = 0;
                const struct reg_desc *d = &m->layers[i];
                if (d->foreign || blob_exists(&p->s, d->digest + 7))
                        continue;
                bool exists = false, mounted = false;
                char *loc = NULL;
                err_t e;
                if (reg_blob_exists(p->c, p->k, d->digest, &exists, &e) < 0)
                        return false;
                if (exists) {
                        remote[i] = 1;
                        continue;
                }
                if (!from || reg_upload_start(p->c, p->k, d->digest, from, &mounted, &loc, &e) < 0)
                        return false;
                free(loc);
                if (!mounted)
                        return false;
                remote[i] = 2;
        }
        return true;
}

/* push --platform: berth keeps one platform per image (pull picks one entry of
 * an index), so the image must be that platform's; its manifest is then
 * pushed alone, as Docker pushes a platform-specific manifest. */
static int check_platform(struct store *s, const struct rt_image *img, const char *name,
                          const char *spec, err_t *err)
{
        _cleanup_free_ char *os = NULL, *arch = NULL, *variant = NULL;
        if (reg_platform_parse(spec, &os, &arch, &variant, err) < 0)
                return -1;
        char *data = NULL;
        size_t len = 0;
        if (image_config_bytes(s, img->id + 7, &data, &len, err) < 0)
                return -1;
        json_t *j = json_loadb(data, len, 0, NULL);
        free(data);
        const char *iv = json_string_value(json_object_get(j, "variant"));
        const char *ios = img->os ? img->os : "linux";
        const char *iarch = img->architecture ? img->architecture : "";
        bool ok = !strcmp(ios, os) && !strcmp(iarch, arch);
        if (ok && variant) {
                /* arm64 images often say nothing for v8 */
                ok = iv && *iv ? !strcmp(iv, variant)
                               : !strcmp(arch, "arm64") && !strcmp(variant, "v8");
        }
        int r = 0;
        if (!ok)
                r = err_set(err, ENOENT,
                            "image with reference %s was found but does not provide the "
                            "specified platform (%s): it is %s/%s%s%s (berth keeps the platform "
                            "it pulled; pull it with --platform %s first)",
                            name, spec, ios, iarch, iv && *iv ? "/" : "", iv && *iv ? iv : "",
                            spec);
        json_decref(j);
        return r;
}

int reg_push(const char *refstr, const struct reg_push_opts *o, struct reg_push_result *res,
             err_t *err)
{
        struct reg_ref ref;
        memset(res, 0, sizeof(*res));
        if (reg_ref_parse(refstr, &ref, err) < 0)
                return -1;
        if (ref.digest) {
                reg_ref_free(&ref);
                return err_set(err, EINVAL,
                               "cannot push a digest reference %s: tag the image and push the tag",
                               refstr);
        }
        reg_ref_default_tag(&ref);
        struct push p = {.o = o, .s = {.dfd = -1, .lockfd = -1}};
        pthread_mutex_init(&p.pmu, NULL);
        struct rt_image img;
        struct reg_settings set = {0};
        struct reg_manifest m = {0};
        struct push_layer *layers = NULL;
        size_t nlayers = 0;
        strv_t owned = STRV_INIT, sources = STRV_INIT, cands = STRV_INIT, skipped = STRV_INIT;
        int *remote = NULL;
        struct known *kn = NULL;
        size_t nkn = 0;
        char *orig_from = NULL;
        char *body = NULL, *user = NULL, *secret = NULL, *dir = NULL, *scopes = NULL;
        size_t len = 0;
        int r = -1;
        bool have_img = false, original = false;
        _cleanup_free_ char *local = reg_ref_familiar_string(&ref);
        _cleanup_free_ char *fam = reg_ref_familiar_name(&ref);

        if (rt_image_lookup(local, &img, err) < 0) {
                if (err->code == ENOENT)
                        err_set(err, ENOENT, "An image does not exist locally with the tag: %s",
                                fam);
                goto out;
        }
        have_img = true;
        p.id = img.id;
        if (store_open(&p.s, false, err) < 0)
                goto out;
        if (p.s.dfd < 0) {
                err_set(err, ENOENT, "An image does not exist locally with the tag: %s", fam);
                goto out;
        }
        if (o && o->platform && check_platform(&p.s, &img, local, o->platform, err) < 0)
                goto out;

        /* credentials, the client, scopes for the target and mount sources */
        if (o && o->user) {
                user = xstrdup(o->user);
                secret = xstrdup(o->secret ? o->secret : "");
        } else if (reg_creds_get(ref.domain, &user, &secret, err) < 0) {
                goto out;
        }
        if (reg_settings_load(&set, err) < 0)
                goto out;
        mount_sources(&img, &ref, &sources);
        strbuf_t sc = STRBUF_INIT;
        sb_appendf(&sc, "repository:%s:pull,push", ref.path);
        known_scan(&p, &img, &ref, &kn, &nkn);
        strv_t pulls = STRV_INIT;
        strv_copy(&pulls, &sources);
        for (size_t i = 0; i < nkn; i++)
                if (!strcmp(kn[i].domain, ref.domain) && strcmp(kn[i].path, ref.path) &&
                    !strv_contains(&pulls, kn[i].path))
                        strv_push(&pulls, kn[i].path);
        for (size_t i = 0; i < pulls.n; i++)
                sb_appendf(&sc, " repository:%s:pull", pulls.v[i]);
        strv_free(&pulls);
        scopes = sb_steal(&sc);
        p.c = reg_client_new(ref.domain, NULL, ref.path, &set, user, secret, err);
        if (!p.c)
                goto out;
        reg_client_set_scopes(p.c, scopes);
        p.k = reg_conn_new(p.c, err);
        if (!p.k || reg_client_ping(p.c, p.k, err) < 0)
                goto out;

        /* the manifest: the original one when the store has it and its
         * layers can be pushed, else one made here */
        candidates(&p.s, img.id + 7, &ref, &cands);
        for (size_t ci = 0; ci < cands.n && !original; ci++) {
                const char *at = strchr(cands.v[ci], '@');
                struct reg_ref cr;
                err_t e;
                if (!at || strncmp(at + 1, "sha256:", 7) || strlen(at + 8) != HEX_LEN ||
                    reg_ref_parse(cands.v[ci], &cr, &e) < 0)
                        continue;
                if (find_manifest(&p.s, at + 8, img.id + 7, 0, &body, &len, &m)) {
                        const char *from =
                            !strcmp(cr.domain, ref.domain) && strcmp(cr.path, ref.path) ? cr.path
                                                                                        : NULL;
                        remote = xcalloc(m.nlayers ? m.nlayers : 1, sizeof(*remote));
                        original = layers_available(&p, &m, from, remote);
                        if (original && from)
                                orig_from = xstrdup(from);
                        if (!original) {
                                free(remote);
                                remote = NULL;
                                free(body);
                                body = NULL;
                                reg_manifest_free(&m);
                                memset(&m, 0, sizeof(m));
                        }
                }
                reg_ref_free(&cr);
        }
        if (original) {
                for (size_t i = 0; i < m.nlayers; i++)
                        if (!m.layers[i].foreign)
                                nlayers++;
                layers = xcalloc(nlayers ? nlayers : 1, sizeof(*layers));
                for (size_t i = 0, j = 0; i < m.nlayers; i++) {
                        if (m.layers[i].foreign) {
                                /* not uploaded: the manifest keeps its descriptor and
                                 * URLs (Docker's "Skipped foreign layer") */
                                const char *show = m.nlayers == img.diff_ids.n
                                                       ? img.diff_ids.v[i] + 7
                                                       : m.layers[i].digest + 7;
                                strv_take(&skipped, xstrndup(show, 12));
                                continue;
                        }
                        layers[j].digest = xstrdup(m.layers[i].digest);
                        layers[j].size = m.layers[i].size;
                        layers[j].remote = remote[i];
                        /* shown by diff ID when the counts match, else by digest */
                        const char *show = m.nlayers == img.diff_ids.n ? img.diff_ids.v[i] + 7
                                                                       : m.layers[i].digest + 7;
                        memcpy(layers[j].id, show, 12);
                        layers[j].id[12] = '\0';
                        j++;
                }
        } else {
                nlayers = img.diff_ids.n;
                layers = xcalloc(nlayers ? nlayers : 1, sizeof(*layers));
                for (size_t i = 0; i < nlayers; i++) {
                        memcpy(layers[i].id, img.diff_ids.v[i] + 7, 12);
                        layers[i].id[12] = '\0';
                }
                dir = xasprintf("%s/image/downloads/tmp-%d-push", berth_lib_dir(), (int)getpid());
                if (mkdir_p(dir, 0700, err) < 0)
                        goto out;
                if (build_manifest(&p, &img, &ref, kn, nkn, dir, layers, &body, &len, &owned, err) <
                    0)
                        goto out;
        }
        for (size_t i = 0; i < nlayers; i++)
                p.total += (unsigned long long)layers[i].size;

        for (size_t i = 0; i < skipped.n; i++)
                progress(&p, skipped.v[i], REG_P_PREPARING, 0, 0, NULL);
        for (size_t i = 0; i < nlayers; i++)
                progress(&p, layers[i].id, REG_P_PREPARING, 0, 0, NULL);
        for (size_t i = 0; i < skipped.n; i++)
                progress(&p, skipped.v[i], REG_P_SKIPPED, 0, 0, NULL);
        for (size_t i = 0; i < nlayers; i++)
                progress(&p, layers[i].id, REG_P_WAITING, 0, 0, NULL);
        for (size_t i = 0; i < nlayers; i++)
                if (layers[i].remote)
                        progress(&p, layers[i].id,
                                 layers[i].remote == 1   ? REG_P_EXISTS
                                 : layers[i].remote == 3 ? REG_P_SKIPPED
                                                         : REG_P_MOUNTED,
                                 0, 0, layers[i].from ? layers[i].from : orig_from);
        if (push_layers(&p, layers, nlayers, sources.n ? sources.v[0] : NULL, err) < 0)
                goto out;
        /* the config */
        {
                _cleanup_free_ char *cfgpath = xasprintf("blobs/sha256/%s", img.id + 7);
                struct stat st;
                if (fstatat(p.s.dfd, cfgpath, &st, 0) < 0) {
                        err_sys(err, errno, "config of %s", img.id);
                        goto out;
                }
                if (push_blob(&p, p.k, img.id, (long long)st.st_size, NULL, NULL, err) < 0) {
                        err_wrap(err, "push config");
                        goto out;
                }
        }
        const char *mt = original ? m.media_type : MT_DOCKER_MANIFEST;
        if (reg_put_manifest(p.c, p.k, ref.tag, mt, body, len, err) < 0)
                goto out;
        char mhex[HEX_LEN + 1];
        sha256_hex(body, len, mhex);
        res->digest = xasprintf("sha256:%s", mhex);
        res->tag = xstrdup(ref.tag);
        res->name = xstrdup(fam);
        res->size = len;

        /* remember the manifest and the repo digest: the next push of this
         * image sends the same bytes, and may mount from here */
        {
                store_close(&p.s);
                char h2[HEX_LEN + 1];
                _cleanup_free_ char *rd = xasprintf("%s@sha256:%s", fam, mhex);
                strv_push(&owned, mhex);
                err_t e2;
                if (store_open(&p.s, true, &e2) >= 0 &&
                    blob_put_bytes(&p.s, body, len, h2, &e2) == 0)
                        image_record_add_pull(&p.s, img.id + 7, rd, &owned, &e2);
        }
        events_logv("image", "push", local, "name", local, NULL);
        r = 0;
out:
        if (r < 0 && owned.n && have_img) {
                /* compressed layers stay with the image (removed with it) */
                err_t e2;
                store_close(&p.s);
                if (store_open(&p.s, true, &e2) >= 0)
                        image_record_add_pull(&p.s, img.id + 7, NULL, &owned, &e2);
        }
        store_close(&p.s);
        if (dir) {
                err_t e2;
                rm_rf(dir, &e2);
                free(dir);
        }
        for (size_t i = 0; layers && i < nlayers; i++) {
                free(layers[i].digest);
                free(layers[i].from);
        }
        free(layers);
        free(body);
        free(scopes);
        free(user);
        reg_secret_free(secret);
        reg_manifest_free(&m);
        reg_conn_free(p.k);
        reg_client_free(p.c);
        reg_settings_free(&set);
        strv_free(&owned);
        strv_free(&sources);
        strv_free(&cands);
        strv_free(&skipped);
        free(remote);
        free(orig_from);
        known_free(kn, nkn);
        if (have_img)
                rt_image_free(&img);
        reg_ref_free(&ref);
        pthread_mutex_destroy(&p.pmu);
        return r;
}

int reg_login_check(const char *server, const char *user, const char *secret, err_t *err)
{
        struct reg_settings set = {0};
        if (reg_settings_load(&set, err) < 0)
                return -1;
        struct reg_client *c = reg_client_new(server, NULL, "", &set, user, secret, err);
        struct reg_conn *k = NULL;
        int r = -1;
        if (!c)
                goto out;
        reg_client_set_scopes(c, "");
        k = reg_conn_new(c, err);
        if (!k)
                goto out;
        if (reg_client_ping(c, k, err) < 0 || reg_client_check_login(c, k, err) < 0) {
                if (err->code == EACCES && !strstr(err->msg, "check the user name")) {
                        char m[ERR_MSG_MAX];
                        snprintf(m, sizeof(m), "%s", err->msg);
                        err_set(err, EACCES, "%.1900s (check the user name and password)", m);
                }
                goto out;
        }
        r = 0;
out:
        reg_conn_free(k);
        reg_client_free(c);
        reg_settings_free(&set);
        return r;
}
