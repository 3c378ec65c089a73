/* image_archive.c - `load` (docker-save and OCI layout archives) and `save`. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "image.h"
#include "image_internal.h"
#include "jsonfile.h"
#include "paths.h"
#include "tar.h"
#include "xalloc.h"

#define MT_OCI_INDEX    "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG   "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER    "application/vnd.oci.image.layer.v1.tar"
#define MT_DOCKER_LIST  "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIF "application/vnd.docker.distribution.manifest.v2+json"

/* Small JSON documents of an archive (manifests, configs) stay below this. */
#define META_MAX (16u << 20)

struct loader {
        struct store *s;
        int dfd; /* the unpacked archive */
        strv_t *report;
        strv_t all_diffs; /* layer blobs stored so far, for cleanup on failure */
};

/* Open a file named by the archive itself, confined to the unpacked archive.
 * Only a regular file: the archive may hold a FIFO (or a device) under any
 * name, and opening or reading one would block while the store lock is held. */
static int open_in(int dfd, const char *path, err_t *err)
{
        int fd = open_regular_at(dfd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, err);
        if (fd < 0)
                return err_wrap(err, "archive member");
        return fd;
}

static int read_in(int dfd, const char *path, char **out, size_t *len, err_t *err)
{
        _cleanup_close_ int fd = open_in(dfd, path, err);
        if (fd < 0)
                return -1;
        if (read_fd_all(fd, META_MAX, out, len, err) < 0)
                return err_wrap(err, "archive member \"%s\"", path);
        return 0;
}

static int parse_json(const char *what, const char *buf, size_t len, json_t **out, err_t *err)
{
        json_error_t je;
        *out = json_loadb(buf, len, 0, &je);
        if (!*out)
                return err_set(err, EINVAL, "%s: invalid JSON: %s", what, je.text);
        return 0;
}

/* Store the layers (paths in the unpacked archive), check them against the
 * config's diff IDs and register the image under names. */
static int load_one(struct loader *l, const char *config, size_t config_len,
                    const strv_t *layer_paths, const strv_t *names, err_t *err)
{
        _cleanup_json_ json_t *cj = NULL;
        strv_t diffs = STRV_INIT;
        char id[HEX_LEN + 1];
        int r = -1;

        if (parse_json("image config", config, config_len, &cj, err) < 0)
                return -1;
        struct rt_image_config ic;
        if (rt_image_config_from_json(json_object_get(cj, "config"), &ic, err) < 0)
                return -1;
        r = rt_image_config_check_volumes(&ic, names->n ? names->v[0] : "(unnamed)", err);
        rt_image_config_free(&ic);
        if (r < 0)
                return -1;
        r = -1;
        const json_t *want = json_object_get(json_object_get(cj, "rootfs"), "diff_ids");
        if (!json_is_array(want) || json_array_size(want) != layer_paths->n) {
                return err_set(err, EINVAL, "image config lists %zu layers, the manifest %zu",
                               json_array_size(want), layer_paths->n);
        }
        for (size_t i = 0; i < layer_paths->n; i++) {
                char hex[HEX_LEN + 1];
                _cleanup_close_ int fd = open_in(l->dfd, layer_paths->v[i], err);
                if (fd < 0 || blob_put_stream(l->s, fd, hex, err) < 0) {
                        err_wrap(err, "layer %zu", i + 1);
                        goto done;
                }
                strv_push(&l->all_diffs, hex);
                strv_push(&diffs, hex);
                const char *w = digest_hex(json_string_value(json_array_get(want, i)));
                if (!w || strcmp(w, hex) != 0) {
                        err_set(err, EINVAL,
                                "layer %zu (%s): content digest sha256:%s does not match the "
                                "config's diff ID %s",
                                i + 1, layer_paths->v[i], hex,
                                json_string_value(json_array_get(want, i))
                                    ? json_string_value(json_array_get(want, i))
                                    : "(none)");
                        goto done;
                }
        }
        if (image_register(l->s, config, config_len, &diffs, names, id, err) < 0)
                goto done;
        if (names->n == 0) {
                strv_pushf(l->report, "Loaded image ID: sha256:%s", id);
                image_event(id, NULL, "load");
        }
        for (size_t i = 0; i < names->n; i++) {
                strv_pushf(l->report, "Loaded image: %s", names->v[i]);
                image_event(id, names->v[i], "load");
        }
        r = 0;
done:
        strv_free(&diffs);
        return r;
}

static void push_name(strv_t *names, const char *ref)
{
        char *norm = NULL;
        err_t e2;
        if (ref && rt_image_ref_normalize(ref, &norm, &e2) == 0 && !strv_contains(names, norm))
                strv_take(names, norm);
        else
                free(norm);
}

/* docker save: manifest.json = [{"Config", "RepoTags", "Layers"}] */
static int load_docker(struct loader *l, err_t *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        _cleanup_json_ json_t *m = NULL;
        size_t i;
        json_t *e;

        if (read_in(l->dfd, "manifest.json", &buf, &len, err) < 0 ||
            parse_json("manifest.json", buf, len, &m, err) < 0)
                return -1;
        if (!json_is_array(m))
                return err_set(err, EINVAL, "manifest.json: expected an array");
        json_array_foreach(m, i, e)
        {
                const char *cfgpath = json_string_value(json_object_get(e, "Config"));
                const json_t *layers = json_object_get(e, "Layers");
                if (!cfgpath || !json_is_array(layers))
                        return err_set(err, EINVAL, "manifest.json[%zu]: no Config or Layers", i);
                _cleanup_free_ char *cfg = NULL;
                size_t cfglen;
                if (read_in(l->dfd, cfgpath, &cfg, &cfglen, err) < 0)
                        return -1;
                strv_t paths = STRV_INIT, names = STRV_INIT;
                size_t k;
                json_t *v;
                json_array_foreach(layers, k, v) strv_push(&paths, json_string_value(v) ?: "");
                json_array_foreach(json_object_get(e, "RepoTags"), k, v)
                    push_name(&names, json_string_value(v));
                int r = load_one(l, cfg, cfglen, &paths, &names, err);
                strv_free(&paths);
                strv_free(&names);
                if (r < 0)
                        return err_wrap(err, "manifest.json[%zu]", i);
        }
        return 0;
}

/* Read the blob a descriptor points at and check its digest. */
static int read_desc(struct loader *l, const json_t *desc, char **out, size_t *len, err_t *err)
{
        const char *digest = json_string_value(json_object_get(desc, "digest"));
        const char *hex = digest_hex(digest);
        if (!hex)
                return err_set(err, EINVAL, "unsupported digest \"%s\"", digest ? digest : "");
        _cleanup_free_ char *path = xasprintf("blobs/sha256/%s", hex);
        if (read_in(l->dfd, path, out, len, err) < 0)
                return -1;
        char got[HEX_LEN + 1];
        sha256_hex(*out, *len, got);
        if (strcmp(got, hex) != 0) {
                free(*out);
                *out = NULL;
                return err_set(err, EINVAL, "blob %s: content has digest sha256:%s", digest, got);
        }
        return 0;
}

static bool platform_ok(const json_t *desc)
{
        const json_t *p = json_object_get(desc, "platform");
        if (!p)
                return true;
        const char *arch = json_string_value(json_object_get(p, "architecture"));
        const char *os = json_string_value(json_object_get(p, "os"));
        return (!arch || !strcmp(arch, host_arch())) && (!os || !strcmp(os, "linux"));
}

/* The image name an index entry carries: containerd's full name, or an OCI
 * ref.name that is a full reference (a bare tag names nothing). */
static const char *desc_name(const json_t *desc)
{
        const json_t *a = json_object_get(desc, "annotations");
        const char *n = json_string_value(json_object_get(a, "io.containerd.image.name"));
        if (n)
                return n;
        n = json_string_value(json_object_get(a, "org.opencontainers.image.ref.name"));
        if (n && (strchr(n, ':') || strchr(n, '/')))
                return n;
        return NULL;
}

/* The manifests an OCI layout's index tree names: each distinct manifest
 * once, with every name it is listed under.  An index may list the same child
 * (manifest or nested index) any number of times, so the walk keeps what it
 * has seen and the whole tree has a budget of descriptors. */
#define OCI_MAX_DESCRIPTORS 4096

struct oci_pick {
        json_t *desc; /* the manifest descriptor (a reference) */
        strv_t names; /* normalised names, may be empty */
};

struct oci_walk {
        struct oci_pick *v;
        size_t n;
        size_t descriptors; /* visited so far, against OCI_MAX_DESCRIPTORS */
        strv_t seen_index;  /* "digest name" of every nested index walked */
};

static void oci_walk_free(struct oci_walk *w)
{
        for (size_t i = 0; i < w->n; i++) {
                json_decref(w->v[i].desc);
                strv_free(&w->v[i].names);
        }
        free(w->v);
        strv_free(&w->seen_index);
}

static void oci_pick_add(struct oci_walk *w, json_t *desc, const char *name)
{
        const char *dg = json_string_value(json_object_get(desc, "digest"));
        struct oci_pick *p = NULL;
        for (size_t i = 0; i < w->n && !p; i++)
                if (!strcmp(json_string_value(json_object_get(w->v[i].desc, "digest")), dg))
                        p = &w->v[i];
        if (!p) {
                w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
                p = &w->v[w->n++];
                *p = (struct oci_pick){json_incref(desc), STRV_INIT};
        }
        push_name(&p->names, name);
}

static int oci_collect(struct loader *l, struct oci_walk *w, const json_t *index,
                       const char *outer_name, int depth, err_t *err)
{
        size_t i;
        json_t *d;

        if (depth > 4)
                return err_set(err, EINVAL, "image index nested too deeply");
        json_array_foreach(json_object_get(index, "manifests"), i, d)
        {
                if (++w->descriptors > OCI_MAX_DESCRIPTORS)
                        return err_set(err, E2BIG,
                                       "image index lists more than %d manifests in all",
                                       OCI_MAX_DESCRIPTORS);
                const char *mt = json_string_value(json_object_get(d, "mediaType"));
                const char *name = desc_name(d) ? desc_name(d) : outer_name;
                const char *dg = json_string_value(json_object_get(d, "digest"));
                if (!platform_ok(d))
                        continue;
                if (!dg || !digest_hex(dg))
                        return err_set(err, EINVAL,
                                       "index manifests[%zu]: unsupported digest \"%s\"", i,
                                       dg ? dg : "");
                if (mt && (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST))) {
                        _cleanup_free_ char *key = xasprintf("%s %s", dg, name ? name : "");
                        if (strv_contains(&w->seen_index, key))
                                continue;
                        strv_take(&w->seen_index, TAKE_PTR(key));
                        _cleanup_free_ char *buf = NULL;
                        size_t len;
                        _cleanup_json_ json_t *sub = NULL;
                        if (read_desc(l, d, &buf, &len, err) < 0 ||
                            parse_json("index", buf, len, &sub, err) < 0 ||
                            oci_collect(l, w, sub, name, depth + 1, err) < 0)
                                return err_wrap(err, "index manifests[%zu]", i);
                        continue;
                }
                if (mt && strcmp(mt, MT_OCI_MANIFEST) && strcmp(mt, MT_DOCKER_MANIF))
                        continue;
                oci_pick_add(w, d, name);
        }
        return 0;
}

static int load_oci_manifest(struct loader *l, const json_t *desc, const strv_t *names, err_t *err)
{
        _cleanup_free_ char *buf = NULL, *cfg = NULL;
        size_t len, cfglen;
        _cleanup_json_ json_t *m = NULL;

        if (read_desc(l, desc, &buf, &len, err) < 0 ||
            parse_json("manifest", buf, len, &m, err) < 0)
                return -1;
        const json_t *cd = json_object_get(m, "config");
        if (!cd || read_desc(l, cd, &cfg, &cfglen, err) < 0)
                return err_wrap(err, "manifest config");
        strv_t paths = STRV_INIT;
        size_t k;
        json_t *v;
        int r = 0;
        json_array_foreach(json_object_get(m, "layers"), k, v)
        {
                const char *hex = digest_hex(json_string_value(json_object_get(v, "digest")));
                if (!hex) {
                        r = err_set(err, EINVAL, "layer %zu: unsupported digest", k + 1);
                        break;
                }
                strv_pushf(&paths, "blobs/sha256/%s", hex);
        }
        if (r == 0)
                r = load_one(l, cfg, cfglen, &paths, names, err);
        strv_free(&paths);
        return r;
}

static int load_oci(struct loader *l, err_t *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        _cleanup_json_ json_t *idx = NULL;
        struct oci_walk w = {0};
        int r = -1;
        if (read_in(l->dfd, "index.json", &buf, &len, err) < 0 ||
            parse_json("index.json", buf, len, &idx, err) < 0)
                return -1;
        if (oci_collect(l, &w, idx, NULL, 0, err) < 0) {
                err_wrap(err, "index.json");
                goto done;
        }
        if (!w.n) {
                err_set(err, EINVAL, "index.json: no image for linux/%s", host_arch());
                goto done;
        }
        for (size_t i = 0; i < w.n; i++)
                if (load_oci_manifest(l, w.v[i].desc, &w.v[i].names, err) < 0) {
                        err_wrap(err, "index.json manifest %s",
                                 json_string_value(json_object_get(w.v[i].desc, "digest")));
                        goto done;
                }
        r = 0;
done:
        oci_walk_free(&w);
        return r;
}

/* A copy of the stream fd in an unnamed file of the store's directory (gone
 * with its last fd, whatever happens), rewound.  `berth save | berth load`:
 * save holds the store's lock while it writes, so load must not wait for
 * the lock before it has read all of its input. */
static int spool_stream(int fd, err_t *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/image", berth_lib_dir());
        if (mkdir_p(dir, 0700, err) < 0)
                return -1;
        _cleanup_close_ int out = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (out < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
                _cleanup_free_ char *tmp = xasprintf("%s/.load-XXXXXX", dir);
                out = mkostemp(tmp, O_CLOEXEC);
                if (out >= 0)
                        unlink(tmp);
        }
        if (out < 0)
                return err_sys(err, errno, "load: cannot make a temporary file in %s", dir);
        char buf[65536];
        for (;;) {
                ssize_t r = read(fd, buf, sizeof(buf));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return err_sys(err, errno, "load: read the archive");
                if (r == 0)
                        break;
                if (write_all(out, buf, (size_t)r, err) < 0)
                        return err_wrap(err, "load: keep the archive in %s", dir);
        }
        if (lseek(out, 0, SEEK_SET) < 0)
                return err_sys(err, errno, "load: rewind the archive");
        return TAKE_FD(out);
}

int rt_image_load(int fd, strv_t *report, err_t *err)
{
        /* a pipe is read whole before the store is locked; a file is not
         * going anywhere */
        struct stat in;
        _cleanup_close_ int spool = -1;
        if (fstat(fd, &in) == 0 && !S_ISREG(in.st_mode)) {
                spool = spool_stream(fd, err);
                if (spool < 0)
                        return -1;
                fd = spool;
        }
        struct store s;
        struct loader l = {.s = &s, .dfd = -1, .report = report};
        static unsigned seq;
        int r = -1;

        if (store_open(&s, true, err) < 0)
                return -1;
        _cleanup_free_ char *tmp =
            xasprintf("tmp/load-%d-%u-%ld", (int)getpid(), seq++, (long)time(NULL));
        if (mkdirat(s.dfd, tmp, 0700) < 0) {
                err_sys(err, errno, "mkdir %s", tmp);
                goto done;
        }
        l.dfd = openat(s.dfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (l.dfd < 0) {
                err_sys(err, errno, "open %s", tmp);
                goto done;
        }
        const struct rt_tar_opts opts = {RT_TAR_DECOMPRESS, 0};
        if (rt_tar_extract_fd(fd, l.dfd, &opts, NULL, err) < 0) {
                err_wrap(err, "load");
                goto done;
        }
        struct stat st;
        if (fstatat(l.dfd, "manifest.json", &st, AT_SYMLINK_NOFOLLOW) == 0)
                r = load_docker(&l, err);
        else if (fstatat(l.dfd, "index.json", &st, AT_SYMLINK_NOFOLLOW) == 0)
                r = load_oci(&l, err);
        else
                r = err_set(err, EINVAL,
                            "not an image archive: neither manifest.json nor index.json found");
        if (r < 0) {
                err_wrap(err, "load");
                blob_drop_unused(&s, &l.all_diffs);
        }
done:
        if (l.dfd >= 0)
                close(l.dfd);
        err_t e2;
        rm_rf_at(s.dfd, tmp, &e2);
        strv_free(&l.all_diffs);
        store_close(&s);
        return r;
}

/* --- save ------------------------------------------------------------------ */

static int write_entry(struct archive *a, const char *name, const void *data, size_t n, err_t *err)
{
        struct archive_entry *e = rt_tar_entry(name, AE_IFREG, 0644, (long long)n, 0);
        int r = 0;
        if (archive_write_header(a, e) != ARCHIVE_OK ||
            (n && archive_write_data(a, data, n) != (la_ssize_t)n))
                r = err_set(err, EIO, "write %s: %s", name, archive_error_string(a));
        archive_entry_free(e);
        return r;
}

static int write_dir(struct archive *a, const char *name, err_t *err)
{
        struct archive_entry *e = rt_tar_entry(name, AE_IFDIR, 0755, -1, 0);
        int r = 0;
        if (archive_write_header(a, e) != ARCHIVE_OK)
                r = err_set(err, EIO, "write %s: %s", name, archive_error_string(a));
        archive_entry_free(e);
        return r;
}

/* The tar of layer chain_hex (diff dh) as blobs/sha256/<dh>. */
static int write_layer_file(struct archive *a, struct store *s, const char *chain_hex,
                            const char *dh, unsigned long long *size, err_t *err)
{
        struct layer_tar *t = NULL;
        if (layer_tar_open(s, chain_hex, dh, &t, err) < 0)
                return -1;
        *size = layer_tar_size(t);
        _cleanup_free_ char *name = xasprintf("blobs/sha256/%s", dh);
        struct archive_entry *e = rt_tar_entry(name, AE_IFREG, 0644, (long long)*size, 0);
        int r = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
        archive_entry_free(e);
        if (r < 0) {
                layer_tar_close(t);
                return err_set(err, EIO, "write %s: %s", name, archive_error_string(a));
        }
        char buf[64 * 1024];
        unsigned long long done = 0;
        for (;;) {
                long long n = layer_tar_read(t, buf, sizeof(buf), err);
                if (n < 0) {
                        r = err_wrap(err, "read layer sha256:%s", dh);
                        break;
                }
                if (n == 0)
                        break;
                done += (unsigned long long)n;
                if (done > *size || archive_write_data(a, buf, (size_t)n) != n) {
                        r = err_set(err, EIO, "write %s: %s", name,
                                    done > *size ? "the layer is longer than recorded"
                                                 : archive_error_string(a));
                        break;
                }
        }
        if (r == 0 && done != *size)
                r = err_set(err, EIO, "write %s: the layer is shorter than recorded", name);
        layer_tar_close(t);
        return r;
}

static json_t *descriptor(const char *mt, const char *hex, unsigned long long size)
{
        return json_pack("{s:s, s:s+, s:I}", "mediaType", mt, "digest", "sha256:", hex, "size",
                         (json_int_t)size);
}

/* "busybox:latest" -> the fully qualified name containerd records. */
static char *full_name(const char *name)
{
        const char *slash = strchr(name, '/');
        if (!slash)
                return xasprintf("docker.io/library/%s", name);
        if (!memchr(name, '.', (size_t)(slash - name)) &&
            !memchr(name, ':', (size_t)(slash - name)) && strncmp(name, "localhost/", 10) != 0)
                return xasprintf("docker.io/%s", name);
        return xstrdup(name);
}

static int save_images(struct archive *a, struct store *s, const char *const *refs, size_t n,
                       err_t *err)
{
        _cleanup_json_ json_t *manifest = json_array();
        _cleanup_json_ json_t *index = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2,
                                                 "mediaType", MT_OCI_INDEX, "manifests");
        strv_t written = STRV_INIT;
        _cleanup_free_ char *ms = NULL, *is = NULL;
        int r = -1;

        if (write_dir(a, "blobs/", err) < 0 || write_dir(a, "blobs/sha256/", err) < 0)
                goto done;
        for (size_t i = 0; i < n; i++) {
                struct rt_image img;
                _cleanup_free_ char *norm = NULL;
                err_t e2;
                if (rt_image_lookup(refs[i], &img, err) < 0)
                        goto done;
                const char *hex = img.id + 7;
                strv_t tags = STRV_INIT;
                /* saved by name: that name; by ID: no name (as docker does) */
                if (rt_image_ref_normalize(refs[i], &norm, &e2) == 0 &&
                    strv_contains(&img.repo_tags, norm))
                        strv_push(&tags, norm);
                _cleanup_free_ char *cfg = NULL;
                size_t cfglen = 0;
                json_t *layers = json_array(), *mlayers = json_array();
                int ok = image_config_bytes(s, hex, &cfg, &cfglen, err) == 0;
                if (ok && !strv_contains(&written, hex)) {
                        _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", hex);
                        ok = write_entry(a, p, cfg, cfglen, err) == 0;
                        strv_push(&written, hex);
                }
                strv_t dhs = STRV_INIT, chains = STRV_INIT;
                for (size_t k = 0; ok && k < img.diff_ids.n; k++) {
                        const char *dh = digest_hex(img.diff_ids.v[k]);
                        if (!dh) {
                                ok = err_set(err, EINVAL, "bad diff ID %s", img.diff_ids.v[k]) == 0;
                                break;
                        }
                        strv_push(&dhs, dh);
                }
                layer_chain_ids(&dhs, &chains);
                for (size_t k = 0; ok && k < dhs.n; k++) {
                        const char *dh = dhs.v[k];
                        unsigned long long size = 0;
                        if (!strv_contains(&written, dh)) {
                                ok = write_layer_file(a, s, chains.v[k], dh, &size, err) == 0;
                                strv_push(&written, dh);
                        } else {
                                char b[HEX_LEN + 1];
                                layer_source(s, chains.v[k], dh, b, &size);
                        }
                        json_array_append_new(layers, json_sprintf("blobs/sha256/%s", dh));
                        json_array_append_new(mlayers, descriptor(MT_OCI_LAYER, dh, size));
                }
                strv_free(&dhs);
                strv_free(&chains);
                _cleanup_free_ char *mbytes = NULL;
                char mhex[HEX_LEN + 1];
                if (ok) {
                        _cleanup_json_ json_t *m =
                            json_pack("{s:i, s:s, s:o, s:O}", "schemaVersion", 2, "mediaType",
                                      MT_OCI_MANIFEST, "config",
                                      descriptor(MT_OCI_CONFIG, hex, cfglen), "layers", mlayers);
                        mbytes = json_dumps(m, JSON_COMPACT);
                        sha256_hex(mbytes, strlen(mbytes), mhex);
                        if (!strv_contains(&written, mhex)) {
                                _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", mhex);
                                ok = write_entry(a, p, mbytes, strlen(mbytes), err) == 0;
                                strv_push(&written, mhex);
                        }
                }
                if (ok) {
                        json_t *rt = json_array();
                        for (size_t k = 0; k < tags.n; k++) {
                                json_array_append_new(rt, json_string(tags.v[k]));
                                json_t *d = descriptor(MT_OCI_MANIFEST, mhex, strlen(mbytes));
                                _cleanup_free_ char *fn = full_name(tags.v[k]);
                                const char *colon = strrchr(tags.v[k], ':');
                                json_object_set_new(
                                    d, "annotations",
                                    json_pack("{s:s, s:s}", "io.containerd.image.name", fn,
                                              "org.opencontainers.image.ref.name", colon + 1));
                                json_array_append_new(json_object_get(index, "manifests"), d);
                        }
                        if (!tags.n)
                                json_array_append_new(
                                    json_object_get(index, "manifests"),
                                    descriptor(MT_OCI_MANIFEST, mhex, strlen(mbytes)));
                        /* one manifest.json entry per image, all its saved names */
                        _cleanup_free_ char *cfgpath = xasprintf("blobs/sha256/%s", hex);
                        json_t *prev = NULL, *m;
                        size_t k;
                        json_array_foreach(manifest, k, m)
                        {
                                if (!strcmp(json_string_value(json_object_get(m, "Config")),
                                            cfgpath))
                                        prev = m;
                        }
                        if (prev) {
                                json_t *ptags = json_object_get(prev, "RepoTags");
                                json_t *t;
                                json_array_foreach(rt, k, t)
                                {
                                        bool dup = false;
                                        json_t *pt;
                                        size_t q;
                                        json_array_foreach(ptags, q, pt) dup |= json_equal(pt, t);
                                        if (!dup)
                                                json_array_append(ptags, t);
                                }
                                json_decref(rt);
                        } else {
                                json_array_append_new(
                                    manifest, json_pack("{s:s, s:o, s:O}", "Config", cfgpath,
                                                        "RepoTags", rt, "Layers", layers));
                        }
                }
                json_decref(layers);
                json_decref(mlayers);
                strv_free(&tags);
                rt_image_free(&img);
                if (!ok)
                        goto done;
        }
        ms = json_dumps(manifest, JSON_COMPACT);
        is = json_dumps(index, JSON_COMPACT);
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        if (write_entry(a, "oci-layout", layout, strlen(layout), err) < 0 ||
            write_entry(a, "index.json", is, strlen(is), err) < 0 ||
            write_entry(a, "manifest.json", ms, strlen(ms), err) < 0)
                goto done;
        r = 0;
done:
        strv_free(&written);
        return r;
}

int rt_image_save(const char *const *refs, size_t n, int fd, err_t *err)
{
        struct store s;
        int r = store_open(&s, false, err);
        if (r < 0)
                return -1;
        if (r == 0)
                return err_set(err, ENOENT, "No such image: %s", n ? refs[0] : "");
        /* a shared lock keeps writers (rmi, prune) from removing blobs meanwhile */
        _cleanup_close_ int lock = rt_image_store_lock(false, err);
        if (lock < 0) {
                store_close(&s);
                return -1;
        }
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        archive_write_set_bytes_in_last_block(a, 1);
        r = -1;
        if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
                err_set(err, EIO, "save: %s", archive_error_string(a));
        else if (save_images(a, &s, refs, n, err) == 0)
                r = 0;
        if (archive_write_close(a) != ARCHIVE_OK && r == 0)
                r = err_set(err, EIO, "save: %s", archive_error_string(a));
        archive_write_free(a);
        for (size_t i = 0; r == 0 && i < n; i++) {
                struct rt_image img;
                err_t e2;
                if (rt_image_lookup(refs[i], &img, &e2) == 0) {
                        image_event(img.id + 7, refs[i], "save");
                        rt_image_free(&img);
                }
        }
        store_close(&s);
        return r;
}
