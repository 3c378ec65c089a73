/* registry_manifest.c - image manifests and indexes (Docker v2 schema 2,
 * manifest list, OCI image manifest and index), parsed defensively: every
 * descriptor's digest is validated before anything uses it as a file name
 * or URL. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry_internal.h"
#include "registry_ref.h"
#include "xalloc.h"

#define MAX_ENTRIES 1024

static const char *const layer_types[] = {
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
};
static const char *const foreign_types[] = {
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
};

static bool in_list(const char *s, const char *const *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(s, v[i]))
                        return true;
        return false;
}

static void desc_free(struct reg_desc *d)
{
        free(d->media_type);
        free(d->digest);
        strv_free(&d->urls);
        free(d->os);
        free(d->arch);
        free(d->variant);
        memset(d, 0, sizeof(*d));
}

void reg_manifest_free(struct reg_manifest *m)
{
        if (!m)
                return;
        free(m->media_type);
        desc_free(&m->config);
        for (size_t i = 0; i < m->nlayers; i++)
                desc_free(&m->layers[i]);
        free(m->layers);
        for (size_t i = 0; i < m->nmanifests; i++)
                desc_free(&m->manifests[i]);
        free(m->manifests);
        memset(m, 0, sizeof(*m));
}

/* An http(s) URL with no byte a request line could be split on. */
static bool url_ok(const char *u)
{
        size_t n = strlen(u);
        if (n > REG_URL_LEN_MAX ||
            (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0))
                return false;
        for (const unsigned char *p = (const unsigned char *)u; *p; p++)
                if (*p <= 0x20 || *p == 0x7f)
                        return false;
        const char *h = strstr(u, "://") + 3;
        return *h && *h != '/';
}

static int desc_parse(const json_t *j, const char *what, size_t idx, struct reg_desc *d, err_t *err)
{
        memset(d, 0, sizeof(*d));
        if (!json_is_object(j))
                return err_set(err, EINVAL, "manifest: %s %zu is not an object", what, idx);
        const char *mt = json_string_value(json_object_get(j, "mediaType"));
        const char *dg = json_string_value(json_object_get(j, "digest"));
        const json_t *sz = json_object_get(j, "size");
        if (!dg || !reg_digest_valid(dg) || strncmp(dg, "sha256:", 7) != 0)
                return err_set(err, EINVAL, "manifest: %s %zu has an invalid digest", what, idx);
        if (!json_is_integer(sz) || json_integer_value(sz) < 0)
                return err_set(err, EINVAL, "manifest: %s %zu has an invalid size", what, idx);
        d->media_type = xstrdup(mt ? mt : "");
        d->digest = xstrdup(dg);
        d->size = (long long)json_integer_value(sz);
        const json_t *urls = json_object_get(j, "urls");
        size_t ui;
        const json_t *uv;
        json_array_foreach(urls, ui, uv)
        {
                const char *u = json_string_value(uv);
                if (u && d->urls.n < REG_URLS_MAX && url_ok(u))
                        strv_push(&d->urls, u);
        }
        const json_t *pl = json_object_get(j, "platform");
        if (json_is_object(pl)) {
                const char *os = json_string_value(json_object_get(pl, "os"));
                const char *arch = json_string_value(json_object_get(pl, "architecture"));
                const char *var = json_string_value(json_object_get(pl, "variant"));
                d->os = os ? xstrdup(os) : NULL;
                d->arch = arch ? xstrdup(arch) : NULL;
                d->variant = var && *var ? xstrdup(var) : NULL;
        }
        return 0;
}

/* A layer of an image manifest: one berth unpacks, or a foreign one it
 * skips. */
static int layer_check(struct reg_desc *d, size_t i, err_t *err)
{
        if (in_list(d->media_type, foreign_types, sizeof(foreign_types) / sizeof(char *)))
                d->foreign = true;
        else if (!in_list(d->media_type, layer_types, sizeof(layer_types) / sizeof(char *)))
                return err_set(err, EINVAL, "manifest: layer %zu has unsupported media type %s", i,
                               *d->media_type ? d->media_type : "(none)");
        return 0;
}

/* The descriptors of array a (each named what in messages, at most
 * MAX_ENTRIES: else "manifest: <too_many>"), each passed to check (may be
 * NULL) once parsed; *n counts the ones parsed, also on failure, for the
 * free. */
static int desc_list(const json_t *a, const char *what, const char *too_many,
                     int (*check)(struct reg_desc *d, size_t i, err_t *err), struct reg_desc **out,
                     size_t *n, err_t *err)
{
        size_t len = json_array_size(a);
        if (len > MAX_ENTRIES)
                return err_set(err, EINVAL, "manifest: %s", too_many);
        *out = xcalloc(len ? len : 1, sizeof(**out));
        for (size_t i = 0; i < len; i++) {
                if (desc_parse(json_array_get(a, i), what, i, &(*out)[i], err) < 0)
                        return -1;
                (*n)++;
                if (check && check(&(*out)[i], i, err) < 0)
                        return -1;
        }
        return 0;
}

int reg_manifest_parse(const char *body, size_t len, const char *content_type,
                       struct reg_manifest *m, err_t *err)
{
        json_error_t je;
        memset(m, 0, sizeof(*m));
        if (len > REG_MANIFEST_MAX)
                return err_set(err, EFBIG, "manifest: larger than %u bytes", REG_MANIFEST_MAX);
        json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(j)) {
                json_decref(j);
                return err_set(err, EINVAL, "manifest: invalid JSON: %s", je.text);
        }
        int r = -1;
        json_int_t schema = json_integer_value(json_object_get(j, "schemaVersion"));
        if (schema == 1) {
                err_set(err, EINVAL,
                        "manifest: Docker Image Format v1 (schema 1) is not supported; push the "
                        "image again in a current format");
                goto done;
        }
        if (schema != 2) {
                err_set(err, EINVAL, "manifest: unsupported schemaVersion");
                goto done;
        }
        const char *mt = json_string_value(json_object_get(j, "mediaType"));
        if (!mt && content_type) {
                /* the header may carry parameters ("; charset=utf-8") */
                size_t n = strcspn(content_type, "; ");
                m->media_type = xstrndup(content_type, n);
        } else {
                m->media_type = xstrdup(mt ? mt : "");
        }
        const json_t *manifests = json_object_get(j, "manifests");
        const json_t *layers = json_object_get(j, "layers");
        if (json_is_array(manifests) && !layers) {
                m->kind = REG_MF_INDEX;
                if (desc_list(manifests, "entry", "index has too many entries", NULL, &m->manifests,
                              &m->nmanifests, err) == 0)
                        r = 0;
                goto done;
        }
        if (!json_is_array(layers) || manifests) {
                err_set(err, EINVAL, "manifest: neither an image manifest nor an index");
                goto done;
        }
        m->kind = REG_MF_IMAGE;
        if (desc_parse(json_object_get(j, "config"), "config", 0, &m->config, err) < 0)
                goto done;
        if (desc_list(layers, "layer", "too many layers", layer_check, &m->layers, &m->nlayers,
                      err) < 0)
                goto done;
        r = 0;
done:
        json_decref(j);
        if (r < 0)
                reg_manifest_free(m);
        return r;
}

const struct reg_desc *reg_manifest_select(const struct reg_manifest *m, const char *os,
                                           const char *arch, const char *variant)
{
        const struct reg_desc *any = NULL;
        for (size_t i = 0; i < m->nmanifests; i++) {
                const struct reg_desc *d = &m->manifests[i];
                if (!d->os || !d->arch || strcmp(d->os, os) != 0 || strcmp(d->arch, arch) != 0)
                        continue;
                /* attestation manifests ("unknown/unknown") never match */
                if (variant) {
                        if (d->variant && !strcmp(d->variant, variant))
                                return d;
                        /* arm64 entries often have no variant for v8 */
                        if (!d->variant && !strcmp(arch, "arm64") && !strcmp(variant, "v8"))
                                any = any ? any : d;
                        continue;
                }
                if (!any)
                        any = d;
        }
        return any;
}

int reg_platform_parse(const char *spec, char **os, char **arch, char **variant, err_t *err)
{
        *os = *arch = *variant = NULL;
        strv_t parts = STRV_INIT;
        const char *p = spec ? spec : "";
        for (;;) {
                const char *sl = strchr(p, '/');
                strv_take(&parts, sl ? xstrndup(p, (size_t)(sl - p)) : xstrdup(p));
                if (!sl)
                        break;
                p = sl + 1;
        }
        bool ok = parts.n >= 2 && parts.n <= 3;
        for (size_t i = 0; ok && i < parts.n; i++)
                ok = *parts.v[i] && strspn(parts.v[i], "abcdefghijklmnopqrstuvwxyz0123456789_") ==
                                        strlen(parts.v[i]);
        if (!ok) {
                strv_free(&parts);
                return err_set(err, EINVAL,
                               "invalid platform \"%s\": expected os/arch[/variant], e.g. "
                               "linux/amd64 or linux/arm/v7",
                               spec ? spec : "");
        }
        *os = xstrdup(parts.v[0]);
        *arch = xstrdup(parts.v[1]);
        *variant = parts.n == 3 ? xstrdup(parts.v[2]) : NULL;
        strv_free(&parts);
        return 0;
}
