/* image_store.c - content-addressed image store (layout in image.h). */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "events.h"
#include "crash.h"
#include "fsutil.h"
#include "image.h"
#include "image_internal.h"
#include "jsonfile.h"
#include "paths.h"
#include "registry_ref.h"
#include "strbuf.h"
#include "tar.h"
#include "xalloc.h"

#define REPOS_FILE "repositories.json"

/* --- helpers ---------------------------------------------------------------- */

static void hex_encode(const unsigned char *md, size_t n, char *out)
{
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[md[i] >> 4];
                out[2 * i + 1] = digits[md[i] & 15];
        }
        out[2 * n] = '\0';
}

void sha256_hex(const void *data, size_t n, char hex[HEX_LEN + 1])
{
        unsigned char md[32];
        unsigned int mdlen = 0;
        EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL);
        hex_encode(md, 32, hex);
}

static bool is_hex(const char *s, size_t minlen, size_t maxlen)
{
        size_t n = 0;
        for (; s[n]; n++)
                if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
                        return false;
        return n >= minlen && n <= maxlen;
}

const char *digest_hex(const char *digest)
{
        if (!digest || strncmp(digest, "sha256:", 7) != 0 || !is_hex(digest + 7, 64, 64))
                return NULL;
        return digest + 7;
}

/* --- store ------------------------------------------------------------------ */

/* A layer blob stored by a commit or an import is used by no image until the
 * image is registered: its hex is kept in PENDING_BLOB (written and removed
 * under the store lock), so a writer killed in between leaves a note the next
 * writer acts on (pending_recover), not an orphan blob. */
#define PENDING_BLOB "pending-blob"

static int pending_set(struct store *s, const char *hex, err_t *err)
{
        _cleanup_close_ int fd = openat(
            s->dfd, PENDING_BLOB, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return err_sys(err, errno, "create %s/image/%s", berth_lib_dir(), PENDING_BLOB);
        if (write_all(fd, hex, strlen(hex), err) < 0 || fsync(fd) < 0) {
                int e = err->code ? err->code : errno;
                unlinkat(s->dfd, PENDING_BLOB, 0);
                return err_sys(err, e, "write %s/image/%s", berth_lib_dir(), PENDING_BLOB);
        }
        return 0;
}

static void pending_clear(struct store *s)
{
        unlinkat(s->dfd, PENDING_BLOB, 0);
}

/* A writer died between storing a layer blob and registering its image:
 * drop the blob unless an image uses it after all. */
static void pending_recover(struct store *s)
{
        char hex[HEX_LEN + 2] = {0};
        _cleanup_close_ int fd = openat(s->dfd, PENDING_BLOB, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return;
        ssize_t n = read(fd, hex, HEX_LEN + 1);
        if (n == HEX_LEN && strspn(hex, "0123456789abcdef") == HEX_LEN) {
                strv_t one = STRV_INIT;
                strv_push(&one, hex);
                blob_drop_unused(s, &one);
                strv_free(&one);
        }
        pending_clear(s);
}

int store_open(struct store *s, bool write, err_t *err)
{
        s->dfd = s->lockfd = -1;
        _cleanup_free_ char *path = xasprintf("%s/image", berth_lib_dir());
        if (write) {
                static const char *const dirs[] = {"blobs", "blobs/sha256", "images", "layers",
                                                   "tmp"};
                if (mkdir_p(path, 0700, err) < 0)
                        return -1;
                s->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (s->dfd < 0)
                        return err_sys(err, errno, "open %s", path);
                for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
                        if (mkdirat(s->dfd, dirs[i], 0700) < 0 && errno != EEXIST) {
                                err_sys(err, errno, "mkdir %s/%s", path, dirs[i]);
                                store_close(s);
                                return -1;
                        }
                s->lockfd = openat(s->dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (s->lockfd < 0 || flock(s->lockfd, LOCK_EX) < 0) {
                        err_sys(err, errno, "lock %s/lock", path);
                        store_close(s);
                        return -1;
                }
                /* Only lock holders use tmp/: whatever is there now was left by
                 * an interrupted writer. */
                if (rm_rf_at(s->dfd, "tmp", err) < 0) {
                        store_close(s);
                        return err_wrap(err, "clean %s/tmp", path);
                }
                /* (a writer still waiting for the lock may have made it again
                 * in the first loop: empty, so as good as ours) */
                if (mkdirat(s->dfd, "tmp", 0700) < 0 && errno != EEXIST) {
                        err_sys(err, errno, "mkdir %s/tmp", path);
                        store_close(s);
                        return -1;
                }
                pending_recover(s);
                return 1;
        }
        s->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dfd < 0) {
                if (errno == ENOENT)
                        return 0;
                return err_sys(err, errno, "open %s", path);
        }
        return 1;
}

/* Open for writing a store that exists: 0 when there is none, with nothing
 * made (an image removal on a deleted state root must not make it again). */
int store_open_existing(struct store *s, err_t *err)
{
        _cleanup_free_ char *path = xasprintf("%s/image", berth_lib_dir());
        s->dfd = s->lockfd = -1;
        if (access(path, F_OK) < 0 && errno == ENOENT)
                return 0;
        return store_open(s, true, err);
}

void store_close(struct store *s)
{
        if (s->lockfd >= 0)
                close(s->lockfd);
        if (s->dfd >= 0)
                close(s->dfd);
        s->dfd = s->lockfd = -1;
}

int rt_image_store_lock(bool exclusive, err_t *err)
{
        _cleanup_free_ char *path = xasprintf("%s/image", berth_lib_dir());
        if (mkdir_p(path, 0700, err) < 0)
                return -1;
        _cleanup_free_ char *lock = xasprintf("%s/lock", path);
        _cleanup_close_ int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
                return err_sys(err, errno, "lock %s", lock);
        return TAKE_FD(fd);
}

/* --- blobs ------------------------------------------------------------------ */

static char *tmp_name(const char *what)
{
        static unsigned seq;
        return xasprintf("tmp/%s-%d-%u-%ld", what, (int)getpid(), seq++, (long)time(NULL));
}

/* Move tmp/<name> into blobs/sha256/<hex> (dropping it when already there). */
static int blob_commit(struct store *s, int fd, const char *tmp, const char *hex, err_t *err)
{
        _cleanup_free_ char *dst = xasprintf("blobs/sha256/%s", hex);
        if (fsync(fd) < 0) {
                int e = errno;
                unlinkat(s->dfd, tmp, 0);
                return err_sys(err, e, "fsync blob");
        }
        if (faccessat(s->dfd, dst, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                unlinkat(s->dfd, tmp, 0);
                return 0;
        }
        if (renameat(s->dfd, tmp, s->dfd, dst) < 0) {
                int e = errno;
                unlinkat(s->dfd, tmp, 0);
                return err_sys(err, e, "store blob %s", hex);
        }
        return 0;
}

int blob_put_bytes(struct store *s, const void *data, size_t n, char hex[HEX_LEN + 1], err_t *err)
{
        sha256_hex(data, n, hex);
        _cleanup_free_ char *dst = xasprintf("blobs/sha256/%s", hex);
        if (faccessat(s->dfd, dst, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        return atomic_write_at(s->dfd, dst, data, n, 0600, err);
}

int blob_put_stream(struct store *s, int fd, char hex[HEX_LEN + 1], err_t *err)
{
        struct archive *a = archive_read_new();
        if (!a)
                return err_set(err, ENOMEM, "libarchive: out of memory");
        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        archive_read_support_format_empty(a);

        _cleanup_free_ char *tmp = tmp_name("blob");
        _cleanup_close_ int out =
            openat(s->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        struct archive_entry *e;
        int r = -1;

        if (out < 0) {
                err_sys(err, errno, "create %s", tmp);
                goto done;
        }
        if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
                err_set(err, ENOMEM, "sha256: cannot initialise");
                goto done;
        }
        if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
                err_set(err, EINVAL, "cannot read archive: %s", archive_error_string(a));
                goto done;
        }
        int hr = archive_read_next_header(a, &e);
        if (hr == ARCHIVE_OK) {
                const void *buf;
                size_t size;
                la_int64_t off;
                while ((hr = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
                        if (write_all(out, buf, size, err) < 0) {
                                err_wrap(err, "write %s", tmp);
                                goto done;
                        }
                        EVP_DigestUpdate(md, buf, size);
                }
                if (hr != ARCHIVE_EOF) {
                        err_set(err, EIO, "cannot read archive: %s", archive_error_string(a));
                        goto done;
                }
        } else if (hr != ARCHIVE_EOF) {
                err_set(err, EINVAL, "cannot read archive: %s", archive_error_string(a));
                goto done;
        }
        unsigned char dig[32];
        unsigned int dlen = 0;
        EVP_DigestFinal_ex(md, dig, &dlen);
        hex_encode(dig, 32, hex);
        r = blob_commit(s, out, tmp, hex, err);
done:
        if (r < 0 && out >= 0)
                unlinkat(s->dfd, tmp, 0);
        EVP_MD_CTX_free(md);
        archive_read_free(a);
        return r;
}

int blob_open(struct store *s, const char *hex, err_t *err)
{
        _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", hex);
        int fd = openat(s->dfd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return err_sys(err, errno, "open blob sha256:%s", hex);
        return fd;
}

/* --- references ------------------------------------------------------------ */

int rt_image_ref_normalize(const char *ref, char **out, err_t *err)
{
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, err) < 0)
                return -1;
        if (r.digest) {
                reg_ref_free(&r);
                return err_set(err, EINVAL, "invalid reference format: \"%s\" has a digest", ref);
        }
        reg_ref_default_tag(&r);
        *out = reg_ref_familiar_string(&r);
        reg_ref_free(&r);
        return 0;
}

static int refs_read(struct store *s, json_t **out, err_t *err)
{
        json_t *j = NULL;
        if (s->dfd < 0 || faccessat(s->dfd, REPOS_FILE, F_OK, 0) < 0) {
                *out = json_pack("{s:{}}", "refs");
                return 0;
        }
        err_t e;
        bool bad = json_read_at(s->dfd, REPOS_FILE, &j, &e) < 0;
        if (bad && e.code != EINVAL) {
                *err = e;
                return -1;
        }
        if (!bad && !json_is_object(json_object_get(j, "refs"))) {
                json_decref(j);
                err_set(&e, EINVAL, "%s: no \"refs\" object", REPOS_FILE);
                bad = true;
        }
        if (bad) {
                /* the tags live only here: say where and how to go on
                 * without them (the images and their layers stay) */
                _cleanup_free_ char *path = xasprintf("%s/image/%s", berth_lib_dir(), REPOS_FILE);
                return err_set(err, EUCLEAN,
                               "image store: %s/image/%s: the tag index is damaged; to go on "
                               "with every image untagged, run: mv %s %s.bad (then berth tag "
                               "IMAGE-ID NAME to name them again)",
                               berth_lib_dir(), e.msg, path, path);
        }
        *out = j;
        return 0;
}

static json_t *refs_obj(json_t *repos)
{
        return json_object_get(repos, "refs");
}

static void refs_tags_of(json_t *repos, const char *id, strv_t *tags)
{
        const char *k;
        json_t *v;
        json_object_foreach(refs_obj(repos), k, v)
        {
                if (json_is_string(v) && !strcmp(json_string_value(v), id))
                        strv_push(tags, k);
        }
        strv_sort(tags);
}

/* --- image records ----------------------------------------------------------- */

static int read_record(struct store *s, const char *hex, json_t **out, err_t *err)
{
        _cleanup_free_ char *p = xasprintf("images/%s.json", hex);
        return json_read_at(s->dfd, p, out, err);
}

int image_config_bytes(struct store *s, const char *hex, char **out, size_t *len, err_t *err)
{
        _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", hex);
        return read_file_at(s->dfd, p, 0, out, len, err);
}

static int load_image(struct store *s, const char *hex, json_t *repos, struct rt_image *img,
                      err_t *err)
{
        _cleanup_free_ char *cfg = NULL;
        size_t cfglen = 0;
        _cleanup_json_ json_t *rec = NULL;
        _cleanup_json_ json_t *cj = NULL;
        json_error_t je;

        memset(img, 0, sizeof(*img));
        if (read_record(s, hex, &rec, err) < 0 ||
            image_config_bytes(s, hex, &cfg, &cfglen, err) < 0)
                return err_wrap(err, "image sha256:%.12s", hex);
        cj = json_loadb(cfg, cfglen, 0, &je);
        if (!json_is_object(cj))
                return err_set(err, EINVAL, "image sha256:%.12s: invalid config: %s", hex, je.text);

        img->id = xasprintf("sha256:%s", hex);
        if (rt_image_config_from_json(json_object_get(cj, "config"), &img->config, err) < 0) {
                rt_image_free(img);
                return err_wrap(err, "image sha256:%.12s", hex);
        }
        refs_tags_of(repos, img->id, &img->repo_tags);
        strv_push_json(&img->repo_digests, json_object_get(rec, "repo_digests"));
        strv_sort(&img->repo_digests);
        const json_t *layers = json_object_get(rec, "layers");
        for (size_t i = json_array_size(layers); i-- > 0;)
                strv_pushf(&img->layer_dirs, "%s/image/layers/%s/diff", berth_lib_dir(),
                           json_string_value(json_array_get(layers, i)));
        strv_push_json(&img->diff_ids, json_object_get(json_object_get(cj, "rootfs"), "diff_ids"));
        const char *arch = json_string_value(json_object_get(cj, "architecture"));
        const char *os = json_string_value(json_object_get(cj, "os"));
        const char *comment = json_string_value(json_object_get(cj, "comment"));
        img->architecture = xstrdup(arch ? arch : "");
        img->os = xstrdup(os ? os : "");
        img->comment = comment ? xstrdup(comment) : NULL;
        json_t *hist = json_object_get(cj, "history");
        img->history = json_is_array(hist) ? json_incref(hist) : json_array();
        const char *parent = json_string_value(json_object_get(rec, "parent"));
        img->parent = digest_hex(parent) ? xstrdup(parent) : NULL;
        long long created_s = 0;
        time_parse_rfc3339(json_string_value(json_object_get(cj, "created")), &created_s, NULL);
        img->created = created_s;
        img->size = (unsigned long long)json_integer_value(json_object_get(rec, "size"));
        _cleanup_free_ char *recname = xasprintf("images/%s.json", hex);
        struct stat rst;
        if (fstatat(s->dfd, recname, &rst, 0) == 0)
                img->last_tag_time = (long long)rst.st_mtime;
        return 0;
}

void rt_image_free(struct rt_image *img)
{
        if (!img)
                return;
        free(img->id);
        json_decref(img->history);
        strv_free(&img->repo_tags);
        strv_free(&img->repo_digests);
        rt_image_config_free(&img->config);
        strv_free(&img->layer_dirs);
        strv_free(&img->diff_ids);
        free(img->architecture);
        free(img->os);
        free(img->comment);
        free(img->parent);
        memset(img, 0, sizeof(*img));
}

/* All image IDs (hex) in the store. */
static int list_ids(struct store *s, strv_t *ids, err_t *err)
{
        if (s->dfd < 0)
                return 0;
        int fd = openat(s->dfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return err_sys(err, errno, "open image records");
        }
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return err_sys(err, errno, "open image records");
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n == HEX_LEN + 5 && !strcmp(de->d_name + HEX_LEN, ".json")) {
                        char *h = xstrndup(de->d_name, HEX_LEN);
                        if (is_hex(h, HEX_LEN, HEX_LEN))
                                strv_take(ids, h);
                        else
                                free(h);
                }
        }
        strv_sort(ids);
        return 0;
}

/* name@digest: the image a pull recorded that repo digest for. */
static int resolve_digest(struct store *s, const char *ref, char **hex, err_t *err)
{
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, err) < 0)
                return -1;
        _cleanup_free_ char *fam = reg_ref_familiar_name(&r);
        _cleanup_free_ char *want = xasprintf("%s@%s", fam, r.digest ? r.digest : "");
        reg_ref_free(&r);
        strv_t ids = STRV_INIT;
        int rc = err_set(err, ENOENT, "No such image: %s", ref);
        if (list_ids(s, &ids, err) < 0)
                return -1;
        for (size_t i = 0; i < ids.n && rc < 0; i++) {
                _cleanup_json_ json_t *rec = NULL;
                err_t e2;
                if (read_record(s, ids.v[i], &rec, &e2) < 0)
                        continue;
                size_t k;
                json_t *v;
                json_array_foreach(json_object_get(rec, "repo_digests"), k, v)
                {
                        if (json_is_string(v) && !strcmp(json_string_value(v), want)) {
                                *hex = xstrdup(ids.v[i]);
                                rc = 0;
                                break;
                        }
                }
        }
        strv_free(&ids);
        return rc;
}

/* Resolve ref to an image ID hex.  *by_name tells whether a tag matched. */
static int resolve(struct store *s, json_t *repos, const char *ref, char **hex, char **name,
                   err_t *err)
{
        _cleanup_free_ char *norm = NULL;
        err_t tmp;

        *name = NULL;
        if (strchr(ref, '@'))
                return resolve_digest(s, ref, hex, err);
        if (rt_image_ref_normalize(ref, &norm, &tmp) == 0) {
                const char *id = json_string_value(json_object_get(refs_obj(repos), norm));
                if (id && digest_hex(id)) {
                        *hex = xstrdup(digest_hex(id));
                        *name = TAKE_PTR(norm);
                        return 0;
                }
        }
        const char *p = !strncmp(ref, "sha256:", 7) ? ref + 7 : ref;
        if (*p && is_hex(p, 1, HEX_LEN)) {
                strv_t ids = STRV_INIT;
                if (list_ids(s, &ids, err) < 0)
                        return -1;
                char *found = NULL;
                int nfound = 0;
                for (size_t i = 0; i < ids.n; i++)
                        if (!strncmp(ids.v[i], p, strlen(p))) {
                                nfound++;
                                found = ids.v[i];
                        }
                if (nfound == 1)
                        *hex = xstrdup(found);
                strv_free(&ids);
                if (nfound > 1)
                        return err_set(err, EINVAL, "ambiguous image ID prefix: %s", ref);
                if (nfound == 1)
                        return 0;
        }
        return err_set(err, ENOENT, "No such image: %s", ref);
}

int rt_image_lookup(const char *ref, struct rt_image *out, err_t *err)
{
        struct store s;
        _cleanup_json_ json_t *repos = NULL;
        _cleanup_free_ char *hex = NULL, *name = NULL;
        int r = store_open(&s, false, err);

        memset(out, 0, sizeof(*out));
        if (r < 0)
                return -1;
        if (r == 0)
                return err_set(err, ENOENT, "No such image: %s", ref);
        r = -1;
        if (refs_read(&s, &repos, err) == 0 && resolve(&s, repos, ref, &hex, &name, err) == 0)
                r = load_image(&s, hex, repos, out, err);
        store_close(&s);
        return r;
}

static int cmp_created(const void *a, const void *b)
{
        const struct rt_image *x = a, *y = b;
        if (x->created != y->created)
                return x->created < y->created ? 1 : -1;
        return strcmp(x->id, y->id);
}

int rt_image_list(struct rt_image **out, size_t *n, err_t *err)
{
        struct store s;
        strv_t ids = STRV_INIT;
        _cleanup_json_ json_t *repos = NULL;
        int r = store_open(&s, false, err);

        *out = NULL;
        *n = 0;
        if (r <= 0)
                return r;
        r = -1;
        if (refs_read(&s, &repos, err) < 0 || list_ids(&s, &ids, err) < 0)
                goto done;
        struct rt_image *v = xcalloc(ids.n ? ids.n : 1, sizeof(*v));
        size_t k = 0;
        for (size_t i = 0; i < ids.n; i++) {
                err_t e2;
                /* an image removed concurrently is simply not listed */
                if (load_image(&s, ids.v[i], repos, &v[k], &e2) == 0)
                        k++;
        }
        qsort(v, k, sizeof(*v), cmp_created);
        *out = v;
        *n = k;
        r = 0;
done:
        strv_free(&ids);
        store_close(&s);
        return r;
}

void rt_image_list_free(struct rt_image *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                rt_image_free(&v[i]);
        free(v);
}

/* --- layers ---------------------------------------------------------------- */

/* chain(1) = diff(1); chain(n) = sha256("sha256:<chain(n-1)> sha256:<diff(n)>") */
static void chain_next(const char *parent, const char *diff, char out[HEX_LEN + 1])
{
        if (!parent) {
                memcpy(out, diff, HEX_LEN + 1);
                return;
        }
        _cleanup_free_ char *s = xasprintf("sha256:%s sha256:%s", parent, diff);
        sha256_hex(s, strlen(s), out);
}

static int layer_ensure(struct store *s, const char *chain, const char *diff,
                        unsigned long long *size, err_t *err)
{
        _cleanup_free_ char *meta = xasprintf("layers/%s/layer.json", chain);
        _cleanup_json_ json_t *lj = NULL;

        if (faccessat(s->dfd, meta, F_OK, 0) == 0) {
                if (json_read_at(s->dfd, meta, &lj, err) < 0)
                        return -1;
                *size = (unsigned long long)json_integer_value(json_object_get(lj, "size"));
                return 0;
        }
        _cleanup_free_ char *tmp = tmp_name("layer");
        _cleanup_free_ char *tmpdiff = xasprintf("%s/diff", tmp);
        _cleanup_free_ char *dst = xasprintf("layers/%s", chain);
        _cleanup_free_ char *tmpmeta = xasprintf("%s/layer.json", tmp);
        _cleanup_close_ int rootfd = -1;
        struct rt_tar_stats st;
        struct layer_tar *lt = NULL;

        /* a partial layer from an interrupted run */
        if (rm_rf_at(s->dfd, dst, err) < 0)
                return -1;
        if (mkdirat(s->dfd, tmp, 0700) < 0)
                return err_sys(err, errno, "mkdir %s", tmp);
        if (mkdirat(s->dfd, tmpdiff, 0755) < 0) {
                err_sys(err, errno, "mkdir %s", tmpdiff);
                goto fail;
        }
        rootfd = openat(s->dfd, tmpdiff, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (rootfd < 0) {
                err_sys(err, errno, "open %s", tmpdiff);
                goto fail;
        }
        if (layer_tar_open(s, chain, diff, &lt, err) < 0)
                goto fail;
        int xr = layer_tar_unpack(lt, rootfd, &st, err);
        layer_tar_close(lt);
        if (xr < 0) {
                err_wrap(err, "layer sha256:%.12s", diff);
                goto fail;
        }
        lj = json_pack("{s:s, s:I}", "diff_id", diff, "size", (json_int_t)st.bytes);
        if (json_write_atomic_at(s->dfd, tmpmeta, lj, err) < 0)
                goto fail;
        if (syncfs(rootfd) < 0) {
                err_sys(err, errno, "sync layer");
                goto fail;
        }
        if (renameat(s->dfd, tmp, s->dfd, dst) < 0) {
                err_sys(err, errno, "rename layer %s", chain);
                goto fail;
        }
        *size = st.bytes;
        return 0;
fail:;
        err_t e2;
        rm_rf_at(s->dfd, tmp, &e2);
        return -1;
}

static int refs_write(struct store *s, json_t *repos, err_t *err)
{
        return json_write_atomic_at(s->dfd, REPOS_FILE, repos, err);
}

int image_register(struct store *s, const char *config, size_t config_len, const strv_t *diff_hex,
                   const strv_t *names, char id_hex[HEX_LEN + 1], err_t *err)
{
        return image_register_child(s, config, config_len, diff_hex, names, NULL, id_hex, err);
}

int image_register_child(struct store *s, const char *config, size_t config_len,
                         const strv_t *diff_hex, const strv_t *names, const char *parent_hex,
                         char id_hex[HEX_LEN + 1], err_t *err)
{
        char chain[HEX_LEN + 1], prev[HEX_LEN + 1];
        unsigned long long total = 0;
        _cleanup_json_ json_t *layers = json_array();
        _cleanup_json_ json_t *diffs = json_array();

        for (size_t i = 0; i < diff_hex->n; i++) {
                unsigned long long sz = 0;
                chain_next(i ? prev : NULL, diff_hex->v[i], chain);
                if (layer_ensure(s, chain, diff_hex->v[i], &sz, err) < 0)
                        return -1;
                total += sz;
                json_array_append_new(layers, json_string(chain));
                json_array_append_new(diffs, json_string(diff_hex->v[i]));
                memcpy(prev, chain, sizeof(prev));
        }
        if (blob_put_bytes(s, config, config_len, id_hex, err) < 0)
                return err_wrap(err, "store image config");
        _cleanup_json_ json_t *rec = json_pack("{s:O, s:O, s:I}", "layers", layers, "diff_ids",
                                               diffs, "size", (json_int_t)total);
        _cleanup_free_ char *recname = xasprintf("images/%s.json", id_hex);
        {
                /* the same image again: keep what pulls and commits recorded */
                _cleanup_json_ json_t *old = NULL;
                err_t e2;
                static const char *const keep[] = {"repo_digests", "blobs", "parent"};
                if (faccessat(s->dfd, recname, F_OK, 0) == 0 &&
                    json_read_at(s->dfd, recname, &old, &e2) == 0)
                        for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
                                if (json_object_get(old, keep[i]))
                                        json_object_set(rec, keep[i],
                                                        json_object_get(old, keep[i]));
        }
        /* the record remembers the parent (`images` hides build steps), in
         * the same write: a registered step is never shown as dangling */
        if (parent_hex)
                json_object_set_new(rec, "parent", json_sprintf("sha256:%s", parent_hex));
        if (json_write_atomic_at(s->dfd, recname, rec, err) < 0)
                return -1;
        return image_names_set(s, names, id_hex, err);
}

int image_names_set(struct store *s, const strv_t *names, const char *id_hex, err_t *err)
{
        if (!names || !names->n)
                return 0;
        _cleanup_json_ json_t *repos = NULL;
        if (refs_read(s, &repos, err) < 0)
                return -1;
        for (size_t i = 0; i < names->n; i++)
                json_object_set_new(refs_obj(repos), names->v[i],
                                    json_sprintf("sha256:%s", id_hex));
        return refs_write(s, repos, err);
}

/* Remove the layer blobs of a failed import/load that no image uses. */
void blob_drop_unused(struct store *s, const strv_t *diff_hex)
{
        strv_t ids = STRV_INIT, keep = STRV_INIT;
        err_t e2;

        if (list_ids(s, &ids, &e2) < 0)
                goto done;
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_json_ json_t *o = NULL;
                if (read_record(s, ids.v[i], &o, &e2) < 0)
                        goto done; /* unsure: keep everything */
                strv_push_json(&keep, json_object_get(o, "diff_ids"));
        }
        for (size_t i = 0; i < diff_hex->n; i++) {
                if (strv_contains(&keep, diff_hex->v[i]))
                        continue;
                _cleanup_free_ char *b = xasprintf("blobs/sha256/%s", diff_hex->v[i]);
                unlinkat(s->dfd, b, 0);
        }
done:
        strv_free(&ids);
        strv_free(&keep);
}

bool blob_exists(struct store *s, const char *hex)
{
        _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", hex);
        return faccessat(s->dfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

bool layer_exists(struct store *s, const char *chain_hex)
{
        _cleanup_free_ char *p = xasprintf("layers/%s/layer.json", chain_hex);
        return faccessat(s->dfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

void layer_chain_ids(const strv_t *diff_hex, strv_t *chains)
{
        char chain[HEX_LEN + 1], prev[HEX_LEN + 1];
        for (size_t i = 0; i < diff_hex->n; i++) {
                chain_next(i ? prev : NULL, diff_hex->v[i], chain);
                strv_push(chains, chain);
                memcpy(prev, chain, sizeof(prev));
        }
}

static void json_add_unique(json_t *arr, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
        {
                if (json_is_string(v) && !strcmp(json_string_value(v), s))
                        return;
        }
        json_array_append_new(arr, json_string(s));
}

int image_record_add_pull(struct store *s, const char *id_hex, const char *repo_digest,
                          const strv_t *blobs_hex, err_t *err)
{
        _cleanup_json_ json_t *rec = NULL;
        if (read_record(s, id_hex, &rec, err) < 0)
                return -1;
        json_t *rd = json_object_get(rec, "repo_digests");
        if (!json_is_array(rd)) {
                rd = json_array();
                json_object_set_new(rec, "repo_digests", rd);
        }
        if (repo_digest) {
                const char *at = strchr(repo_digest, '@');
                size_t nl = at ? (size_t)(at - repo_digest) : strlen(repo_digest);
                for (size_t i = json_array_size(rd); i-- > 0;) {
                        const char *v = json_string_value(json_array_get(rd, i));
                        if (v && !strncmp(v, repo_digest, nl) && v[nl] == '@')
                                json_array_remove(rd, i);
                }
                json_array_append_new(rd, json_string(repo_digest));
        }
        json_t *bl = json_object_get(rec, "blobs");
        if (!json_is_array(bl)) {
                bl = json_array();
                json_object_set_new(rec, "blobs", bl);
        }
        for (size_t i = 0; blobs_hex && i < blobs_hex->n; i++)
                json_add_unique(bl, blobs_hex->v[i]);
        _cleanup_free_ char *recname = xasprintf("images/%s.json", id_hex);
        return json_write_atomic_at(s->dfd, recname, rec, err);
}

/* --- tag / remove / prune ---------------------------------------------------- */

void image_event(const char *hex, const char *name, const char *action)
{
        _cleanup_free_ char *id = xasprintf("sha256:%s", hex);
        events_logv("image", action, id, "name", name ? name : id, NULL);
}

int rt_image_tag(const char *src, const char *dst, err_t *err)
{
        struct store s;
        _cleanup_json_ json_t *repos = NULL;
        _cleanup_free_ char *hex = NULL, *name = NULL, *norm = NULL;
        int r;

        if (rt_image_ref_normalize(dst, &norm, err) < 0)
                return -1;
        if ((r = store_open(&s, true, err)) < 0)
                return -1;
        r = -1;
        if (refs_read(&s, &repos, err) == 0 && resolve(&s, repos, src, &hex, &name, err) == 0) {
                json_object_set_new(refs_obj(repos), norm, json_sprintf("sha256:%s", hex));
                r = refs_write(&s, repos, err);
                if (r == 0)
                        image_event(hex, norm, "tag");
        }
        store_close(&s);
        return r;
}

/* Delete image hex (already untagged): record, unused layers and blobs. */
static int delete_image(struct store *s, const char *hex, unsigned long long *reclaimed, err_t *err)
{
        _cleanup_json_ json_t *rec = NULL;
        strv_t ids = STRV_INIT, keep_chains = STRV_INIT, keep_diffs = STRV_INIT;
        _cleanup_free_ char *cb = xasprintf("blobs/sha256/%s", hex);
        int r = -1;
        bool unknown = false;

        if (read_record(s, hex, &rec, err) < 0)
                return -1;
        _cleanup_free_ char *recname = xasprintf("images/%s.json", hex);
        if (unlinkat(s->dfd, recname, 0) < 0)
                return err_sys(err, errno, "remove image record %s", hex);
        if (list_ids(s, &ids, err) < 0)
                goto done;
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_json_ json_t *o = NULL;
                size_t k;
                json_t *v;
                err_t e2;
                if (read_record(s, ids.v[i], &o, &e2) < 0) {
                        if (e2.code == ENOENT)
                                continue; /* removed meanwhile */
                        if (e2.code != EINVAL) {
                                *err = e2;
                                goto done;
                        }
                        /* a damaged record: which layers it uses is unknown,
                         * so none is reclaimed (kept, not lost) */
                        unknown = true;
                        continue;
                }
                json_array_foreach(json_object_get(o, "layers"), k, v)
                {
                        if (json_is_string(v) && !strv_contains(&keep_chains, json_string_value(v)))
                                strv_push(&keep_chains, json_string_value(v));
                }
                strv_push_json(&keep_diffs, json_object_get(o, "diff_ids"));
                strv_push_json(&keep_diffs, json_object_get(o, "blobs"));
        }
        /* a layer kept keeps the compressed blob its tar is read from
         * (layer_stream.c), whichever image pulled it */
        for (size_t i = 0; i < keep_chains.n; i++) {
                char b[HEX_LEN + 1], d[HEX_LEN + 1];
                unsigned long long sz;
                if (layer_blob(s, keep_chains.v[i], b, d, &sz) == 0)
                        strv_push(&keep_diffs, b);
        }
        size_t k;
        json_t *v;
        json_t *own = json_array();
        json_array_foreach(json_object_get(rec, "layers"), k, v)
        {
                const char *chain = json_string_value(v);
                if (unknown || !chain || strv_contains(&keep_chains, chain) ||
                    !is_hex(chain, 64, 64))
                        continue;
                _cleanup_free_ char *meta = xasprintf("layers/%s/layer.json", chain);
                _cleanup_json_ json_t *lj = NULL;
                err_t e2;
                if (json_read_at(s->dfd, meta, &lj, &e2) == 0) {
                        if (reclaimed)
                                *reclaimed += (unsigned long long)json_integer_value(
                                    json_object_get(lj, "size"));
                        /* its compressed blob goes with it, unless kept */
                        const char *b = json_string_value(json_object_get(lj, "blob"));
                        if (b)
                                json_array_append_new(own, json_string(b));
                }
                _cleanup_free_ char *dir = xasprintf("layers/%s", chain);
                if (rm_rf_at(s->dfd, dir, err) < 0) {
                        json_decref(own);
                        goto done;
                }
        }
        json_array_extend(own, json_object_get(rec, "diff_ids"));
        json_array_extend(own, json_object_get(rec, "blobs"));
        json_object_set_new(rec, "own_blobs", own);
        json_array_foreach(own, k, v)
        {
                const char *diff = json_string_value(v);
                if (unknown || !diff || strv_contains(&keep_diffs, diff) || !is_hex(diff, 64, 64) ||
                    !strcmp(diff, hex))
                        continue;
                _cleanup_free_ char *b = xasprintf("blobs/sha256/%s", diff);
                if (unlinkat(s->dfd, b, 0) < 0 && errno != ENOENT) {
                        err_sys(err, errno, "remove blob %s", diff);
                        goto done;
                }
        }
        if (unlinkat(s->dfd, cb, 0) < 0 && errno != ENOENT) {
                err_sys(err, errno, "remove config blob %s", hex);
                goto done;
        }
        r = 0;
done:
        strv_free(&ids);
        strv_free(&keep_chains);
        strv_free(&keep_diffs);
        return r;
}

int rt_image_remove(const char *ref, bool force, rt_image_in_use_fn in_use, void *ud,
                    strv_t *report, err_t *err)
{
        struct store s;
        _cleanup_json_ json_t *repos = NULL;
        _cleanup_free_ char *hex = NULL, *name = NULL, *id = NULL;
        strv_t tags = STRV_INIT;
        int r = store_open_existing(&s, err);

        if (r <= 0)
                return r < 0 ? -1 : err_set(err, ENOENT, "No such image: %s", ref);
        r = -1;
        if (refs_read(&s, &repos, err) < 0 || resolve(&s, repos, ref, &hex, &name, err) < 0)
                goto done;
        id = xasprintf("sha256:%s", hex);
        refs_tags_of(repos, id, &tags);
        bool running = false;
        const char *user = in_use ? in_use(id, &running, ud) : NULL;

        if (name) {
                if (user && tags.n == 1 && !force) {
                        err_set(err, EBUSY,
                                "conflict: unable to remove repository reference \"%s\" (must "
                                "force) - container %.12s is using its referenced image %.12s",
                                ref, user, hex);
                        goto done;
                }
                json_object_del(refs_obj(repos), name);
                if (refs_write(&s, repos, err) < 0)
                        goto done;
                strv_pushf(report, "Untagged: %s", name);
                image_event(hex, NULL, "untag");
                if (tags.n > 1 || user) {
                        r = 0;
                        goto done;
                }
        } else {
                if (user && (running || !force)) {
                        err_set(err, EBUSY,
                                "conflict: unable to delete %.12s (%s) - image is being used by "
                                "%s container %.12s",
                                hex, running ? "cannot be forced" : "must be forced",
                                running ? "running" : "stopped", user);
                        goto done;
                }
                if (tags.n > 1 && !force) {
                        err_set(err, EBUSY,
                                "conflict: unable to delete %.12s (must be forced) - image is "
                                "referenced in multiple repositories",
                                hex);
                        goto done;
                }
                for (size_t i = 0; i < tags.n; i++)
                        json_object_del(refs_obj(repos), tags.v[i]);
                if (tags.n && refs_write(&s, repos, err) < 0)
                        goto done;
                for (size_t i = 0; i < tags.n; i++) {
                        strv_pushf(report, "Untagged: %s", tags.v[i]);
                        image_event(hex, NULL, "untag");
                }
                if (user) { /* forced: the names go, the layers stay for the container */
                        r = 0;
                        goto done;
                }
        }
        if (delete_image(&s, hex, NULL, err) < 0)
                goto done;
        strv_pushf(report, "Deleted: sha256:%s", hex);
        image_event(hex, NULL, "delete");
        r = 0;
done:
        strv_free(&tags);
        store_close(&s);
        return r;
}

/* One pass of prune; *deleted counts the images it deleted. */
static int prune_pass(struct store *s, bool all, rt_image_in_use_fn in_use, void *ud,
                      strv_t *report, unsigned long long *reclaimed, int *deleted, err_t *err)
{
        _cleanup_json_ json_t *repos = NULL;
        strv_t ids = STRV_INIT, parents = STRV_INIT;
        int r = -1;

        if (refs_read(s, &repos, err) < 0 || list_ids(s, &ids, err) < 0)
                goto done;
        /* an untagged build step another image was committed on is not
         * dangling (docker keeps it while it has a child) */
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_json_ json_t *rec = NULL;
                err_t e2;
                const char *ph = read_record(s, ids.v[i], &rec, &e2) == 0
                                     ? digest_hex(json_string_value(json_object_get(rec, "parent")))
                                     : NULL;
                if (ph && !strv_contains(&parents, ph))
                        strv_push(&parents, ph);
        }
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_free_ char *id = xasprintf("sha256:%s", ids.v[i]);
                strv_t tags = STRV_INIT;
                refs_tags_of(repos, id, &tags);
                bool running;
                bool skip = (tags.n && !all) || (!all && strv_contains(&parents, ids.v[i])) ||
                            (in_use && in_use(id, &running, ud));
                if (!skip && tags.n) {
                        for (size_t k = 0; k < tags.n; k++) {
                                json_object_del(refs_obj(repos), tags.v[k]);
                                strv_pushf(report, "untagged: %s", tags.v[k]);
                                image_event(ids.v[i], NULL, "untag");
                        }
                        if (refs_write(s, repos, err) < 0) {
                                strv_free(&tags);
                                goto done;
                        }
                }
                strv_free(&tags);
                if (skip)
                        continue;
                if (delete_image(s, ids.v[i], reclaimed, err) < 0)
                        goto done;
                strv_pushf(report, "deleted: %s", id);
                image_event(ids.v[i], NULL, "delete");
                (*deleted)++;
        }
        r = 0;
done:
        strv_free(&parents);
        strv_free(&ids);
        return r;
}

int rt_image_prune(bool all, rt_image_in_use_fn in_use, void *ud, strv_t *report,
                   unsigned long long *reclaimed, err_t *err)
{
        struct store s;
        int r = store_open_existing(&s, err), deleted;

        if (r <= 0)
                return r; /* no store: nothing to prune */
        /* A dangling image's untagged parents (build steps) become dangling
         * once it is gone: they go in the same prune, as docker's do. */
        do {
                deleted = 0;
                r = prune_pass(&s, all, in_use, ud, report, reclaimed, &deleted, err);
        } while (r == 0 && deleted > 0);
        store_close(&s);
        return r;
}

/* --- import ---------------------------------------------------------------- */

const char *host_arch(void)
{
        static struct utsname u;
        if (uname(&u) < 0)
                return "amd64";
        if (!strcmp(u.machine, "x86_64"))
                return "amd64";
        if (!strcmp(u.machine, "aarch64"))
                return "arm64";
        if (!strncmp(u.machine, "armv", 4))
                return "arm";
        if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
                return "386";
        return u.machine;
}

int rt_image_import(int fd, const char *name, const struct rt_image_config *cfg,
                    const char *comment, char **id_out, err_t *err)
{
        struct store s;
        _cleanup_free_ char *norm = NULL;
        char diff[HEX_LEN + 1], id[HEX_LEN + 1];
        strv_t diffs = STRV_INIT, names = STRV_INIT;
        _cleanup_free_ char *created = NULL, *diff_id = NULL, *bytes = NULL;
        _cleanup_json_ json_t *config = NULL;
        struct rt_image_config empty = {0};
        struct timespec now;
        int r = -1;

        if (name && rt_image_ref_normalize(name, &norm, err) < 0)
                return -1;
        if (store_open(&s, true, err) < 0)
                return -1;
        if (blob_put_stream(&s, fd, diff, err) < 0) {
                err_wrap(err, "import");
                goto done;
        }
        clock_gettime(CLOCK_REALTIME, &now);
        created = time_rfc3339(now.tv_sec, now.tv_nsec);
        diff_id = xasprintf("sha256:%s", diff);
        json_t *cj = rt_image_config_to_json(cfg ? cfg : &empty);
        config = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "architecture",
                           host_arch(), "os", "linux", "created", created, "config", cj, "rootfs",
                           "type", "layers", "diff_ids", diff_id, "history", "created", created,
                           "created_by", "berth import");
        if (!config) {
                err_set(err, EINVAL, "import: cannot build the image config");
                goto done;
        }
        if (comment && *comment) {
                json_object_set_new(config, "comment", json_string(comment));
                json_object_set_new(json_array_get(json_object_get(config, "history"), 0),
                                    "comment", json_string(comment));
        }
        bytes = json_dumps(config, JSON_SORT_KEYS | JSON_COMPACT);
        strv_push(&diffs, diff);
        if (norm)
                strv_push(&names, norm);
        if (image_register(&s, bytes, strlen(bytes), &diffs, &names, id, err) < 0) {
                err_wrap(err, "import");
                blob_drop_unused(&s, &diffs);
                goto done;
        }
        *id_out = xasprintf("sha256:%s", id);
        image_event(id, norm, "import");
        r = 0;
done:
        strv_free(&diffs);
        strv_free(&names);
        store_close(&s);
        return r;
}

/* --- commit ---------------------------------------------------------------- */

int rt_image_commit(const struct rt_image_commit *c, char **id_out, err_t *err)
{
        struct store s;
        char diff[HEX_LEN + 1], id[HEX_LEN + 1];
        strv_t diffs = STRV_INIT, names = STRV_INIT;
        _cleanup_json_ json_t *config = NULL, *repos = NULL;
        _cleanup_free_ char *created = NULL, *bytes = NULL, *phex = NULL, *pname = NULL;
        bool new_blob = false;
        struct timespec now;
        int r = -1;

        for (size_t i = 0; c->tags && i < c->tags->n; i++) {
                char *norm;
                if (rt_image_ref_normalize(c->tags->v[i], &norm, err) < 0)
                        goto done;
                strv_take(&names, norm);
        }
        if (store_open(&s, true, err) < 0)
                goto done;
        if (c->parent) {
                _cleanup_free_ char *pbytes = NULL;
                size_t plen = 0;
                json_error_t je;
                if (refs_read(&s, &repos, err) < 0 ||
                    resolve(&s, repos, c->parent, &phex, &pname, err) < 0 ||
                    image_config_bytes(&s, phex, &pbytes, &plen, err) < 0)
                        goto close;
                config = json_loadb(pbytes, plen, 0, &je);
                if (!json_is_object(config)) {
                        err_set(err, EINVAL, "image %.12s: bad config: %s", phex, je.text);
                        goto close;
                }
        } else {
                config =
                    json_pack("{s:s, s:s, s:{s:s, s:[]}, s:[]}", "architecture", host_arch(), "os",
                              "linux", "rootfs", "type", "layers", "diff_ids", "history");
        }
        json_t *rootfs = json_object_get(config, "rootfs");
        json_t *dids = json_object_get(rootfs, "diff_ids");
        if (!json_is_array(dids)) {
                dids = json_array();
                if (!json_is_object(rootfs)) {
                        rootfs = json_pack("{s:s}", "type", "layers");
                        json_object_set_new(config, "rootfs", rootfs);
                }
                json_object_set_new(rootfs, "diff_ids", dids);
        }
        size_t i;
        json_t *v;
        json_array_foreach(dids, i, v)
        {
                const char *h = digest_hex(json_string_value(v));
                if (!h) {
                        err_set(err, EINVAL, "image %.12s: bad diff ID", phex ? phex : "");
                        goto close;
                }
                strv_push(&diffs, h);
        }
        if (c->layer_fd >= 0) {
                if (lseek(c->layer_fd, 0, SEEK_SET) < 0 && errno != ESPIPE) {
                        err_sys(err, errno, "seek layer");
                        goto close;
                }
                if (blob_put_stream(&s, c->layer_fd, diff, err) < 0) {
                        err_wrap(err, "store layer");
                        goto close;
                }
                new_blob = !strv_contains(&diffs, diff);
                if (new_blob && pending_set(&s, diff, err) < 0) {
                        strv_t one = STRV_INIT;
                        strv_push(&one, diff);
                        blob_drop_unused(&s, &one);
                        strv_free(&one);
                        goto close;
                }
                crash_point("build.blob");
                strv_push(&diffs, diff);
                json_array_append_new(dids, json_sprintf("sha256:%s", diff));
        }
        clock_gettime(CLOCK_REALTIME, &now);
        created = time_rfc3339(now.tv_sec, now.tv_nsec);
        json_object_set_new(config, "created", json_string(created));
        struct rt_image_config empty = {0};
        json_object_set_new(config, "config",
                            rt_image_config_to_json(c->config ? c->config : &empty));
        json_t *hist = json_object_get(config, "history");
        if (!json_is_array(hist)) {
                hist = json_array();
                json_object_set_new(config, "history", hist);
        }
        for (size_t k = 0; c->empty_history && k < c->empty_history->n; k++)
                json_array_append_new(hist,
                                      json_pack("{s:s, s:s, s:b}", "created", created, "created_by",
                                                c->empty_history->v[k], "empty_layer", 1));
        if (c->created_by || c->layer_fd >= 0) {
                json_t *h = json_pack("{s:s, s:s}", "created", created, "created_by",
                                      c->created_by ? c->created_by : "");
                if (c->layer_fd < 0)
                        json_object_set_new(h, "empty_layer", json_true());
                if (c->comment && *c->comment)
                        json_object_set_new(h, "comment", json_string(c->comment));
                if (c->author && *c->author)
                        json_object_set_new(h, "author", json_string(c->author));
                json_array_append_new(hist, h);
        }
        /* commit passes both (maybe ""): the parent's are not the new image's */
        if (c->comment && *c->comment)
                json_object_set_new(config, "comment", json_string(c->comment));
        else if (c->comment)
                json_object_del(config, "comment");
        if (c->author && *c->author)
                json_object_set_new(config, "author", json_string(c->author));
        else if (c->author)
                json_object_del(config, "author");
        bytes = json_dumps(config, JSON_SORT_KEYS | JSON_COMPACT);
        if (c->registering) { /* the ID is the digest of the config blob */
                char pre[HEX_LEN + 1];
                sha256_hex(bytes, strlen(bytes), pre);
                _cleanup_free_ char *full = xasprintf("sha256:%s", pre);
                c->registering(full, c->ud);
        }
        if (image_register_child(&s, bytes, strlen(bytes), &diffs, &names, phex, id, err) < 0) {
                if (new_blob) {
                        strv_t one = STRV_INIT;
                        strv_push(&one, diff);
                        blob_drop_unused(&s, &one);
                        strv_free(&one);
                        pending_clear(&s);
                }
                goto close;
        }
        if (new_blob)
                pending_clear(&s);
        crash_point("build.registered");
        *id_out = xasprintf("sha256:%s", id);
        r = 0;
close:
        store_close(&s);
done:
        strv_free(&diffs);
        strv_free(&names);
        return r;
}

/* --- inspect --------------------------------------------------------------- */

json_t *rt_image_inspect_json(const struct rt_image *img)
{
        json_t *tags = json_array(), *layers = json_array(), *digests = json_array();
        for (size_t i = 0; i < img->repo_tags.n; i++)
                json_array_append_new(tags, json_string(img->repo_tags.v[i]));
        for (size_t i = 0; i < img->repo_digests.n; i++)
                json_array_append_new(digests, json_string(img->repo_digests.v[i]));
        for (size_t i = 0; i < img->diff_ids.n; i++)
                json_array_append_new(layers, json_string(img->diff_ids.v[i]));
        _cleanup_free_ char *created = time_rfc3339(img->created, 0);
        return json_pack(
            "{s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:{s:s, s:o}}", "Id", img->id,
            "RepoTags", tags, "RepoDigests", digests, "Parent", img->parent ? img->parent : "",
            "Comment", img->comment ? img->comment : "", "Created", created, "Config",
            rt_image_config_to_json(&img->config), "Architecture", img->architecture, "Os", img->os,
            "Size", (json_int_t)img->size, "RootFS", "Type", "layers", "Layers", layers);
}
