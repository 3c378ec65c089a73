#include "mountspec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "size.h"
#include "strbuf.h"
#include "xalloc.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const propagations[] = {"shared", "rshared", "slave",
                                           "rslave", "private", "rprivate"};
static const char *const consistencies[] = {"consistent", "cached", "delegated"};

static bool one_of(const char *s, const char *const *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(s, v[i]))
                        return true;
        return false;
}

const char *mount_type_name(enum mount_type t)
{
        return t == MOUNT_BIND ? "bind" : t == MOUNT_TMPFS ? "tmpfs" : "volume";
}

void mountspec_free(struct mountspec *m)
{
        free(m->source);
        free(m->target);
        free(m->propagation);
        free(m->tmpfs_opts);
        memset(m, 0, sizeof(*m));
}

bool mountspec_volume_name_valid(const char *name)
{
        size_t n = name ? strlen(name) : 0;
        if (n < 2 || n > 255)
                return false;
        for (const char *p = name; *p; p++) {
                char c = *p;
                bool alnum =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (!alnum && (p == name || (c != '_' && c != '.' && c != '-')))
                        return false;
        }
        return true;
}

/* A source the docker CLI makes absolute: "." or "./...". */
static char *resolve_dot(const char *src, const char *cwd)
{
        if (!cwd || (strcmp(src, ".") && strncmp(src, "./", 2)))
                return xstrdup(src);
        _cleanup_free_ char *joined = xasprintf("%s/%s", cwd, src);
        return path_clean_abs(joined);
}

static int config_err(err_t *err, int fault, enum mount_type t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int config_err(err_t *err, int fault, enum mount_type t, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        err_set(err, EINVAL, "invalid mount config for type \"%s\": %s", mount_type_name(t), msg);
        return -fault;
}

int mountspec_check(const struct mountspec *m, err_t *err)
{
        const char *t = m->target ? m->target : "";
        if (!*t)
                return config_err(err, MOUNTSPEC_BAD_TARGET, m->type,
                                  "field Target must not be empty");
        if (t[0] == '/') {
                _cleanup_free_ char *c = path_clean_abs(t);
                if (!strcmp(c, "/"))
                        return config_err(err, MOUNTSPEC_BAD_TARGET, m->type,
                                          "invalid specification: destination can't be '/'%s", "");
        } else {
                return config_err(err, MOUNTSPEC_BAD_TARGET, m->type,
                                  "invalid mount path: '%s' mount path must be absolute", t);
        }
        if (m->propagation && !one_of(m->propagation, propagations, N_OF(propagations)))
                return config_err(err, MOUNTSPEC_BAD_MODE, m->type, "invalid propagation mode: %s",
                                  m->propagation);
        switch (m->type) {
        case MOUNT_BIND:
                if (!m->source || !*m->source)
                        return config_err(err, MOUNTSPEC_BAD_SOURCE, m->type,
                                          "field Source must not be empty");
                if (m->nocopy)
                        return config_err(err, MOUNTSPEC_MIXED, m->type,
                                          "field VolumeOptions must not be specified");
                if (m->source[0] != '/')
                        return config_err(err, MOUNTSPEC_BAD_SOURCE, m->type,
                                          "invalid mount path: '%s' mount path must be absolute",
                                          m->source);
                return 0;
        case MOUNT_VOLUME:
                if (m->propagation)
                        return config_err(err, MOUNTSPEC_MIXED, m->type,
                                          "field BindOptions must not be specified");
                if (!m->source && m->read_only)
                        return config_err(
                            err, MOUNTSPEC_BAD_MODE, m->type,
                            "must not set ReadOnly mode when using anonymous volumes");
                if (m->source && !mountspec_volume_name_valid(m->source)) {
                        err_set(err, EINVAL,
                                "create %s: \"%s\" includes invalid characters for a local volume "
                                "name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you "
                                "intended to pass a host directory, use absolute path",
                                m->source, m->source);
                        return -MOUNTSPEC_BAD_SOURCE;
                }
                return 0;
        case MOUNT_TMPFS:
                if (m->propagation || m->nocopy)
                        return config_err(err, MOUNTSPEC_MIXED, m->type,
                                          "field %s must not be specified",
                                          m->nocopy ? "VolumeOptions" : "BindOptions");
                if (m->source)
                        return config_err(err, MOUNTSPEC_BAD_SOURCE, m->type,
                                          "field Source must not be specified");
                return 0;
        }
        return config_err(err, MOUNTSPEC_BAD_TYPE, m->type, "mount type unknown");
}

/* --- -v and compose's short syntax -------------------------------------- */

/* MODE's options into m.  Docker's rules: each class at most once, no empty
 * option; compose's: empty options skipped, a later one wins.  Returns 0, or
 * -1 with *bad the first option not understood (NULL: a class repeated). */
static int mode_parse(const char *mode, bool strict, struct mountspec *m, const char **bad,
                      char **dup)
{
        int rw = 0, label = 0, prop = 0, copy = 0, cons = 0;
        *dup = xstrdup(mode);
        *bad = NULL;
        if (!*mode)
                return 0;
        for (char *o = *dup, *next; o; o = next) {
                next = strchr(o, ',');
                if (next)
                        *next++ = '\0';
                if (!*o && !strict)
                        continue;
                if (!strcmp(o, "ro") || !strcmp(o, "rw")) {
                        m->read_only = o[1] == 'o';
                        rw++;
                } else if (!strcmp(o, "z") || !strcmp(o, "Z")) {
                        m->selinux = o[0];
                        label++;
                } else if (one_of(o, propagations, N_OF(propagations))) {
                        free(m->propagation);
                        m->propagation = xstrdup(o);
                        prop++;
                } else if (!strcmp(o, "nocopy")) {
                        m->nocopy = true;
                        copy++;
                } else if (one_of(o, consistencies, N_OF(consistencies))) {
                        cons++;
                } else {
                        *bad = o;
                        return -1;
                }
        }
        if (strict && (rw > 1 || label > 1 || prop > 1 || copy > 1 || cons > 1))
                return -1;
        return 0;
}

static bool mode_valid(const char *mode)
{
        struct mountspec m = {0};
        const char *bad;
        _cleanup_free_ char *dup = NULL;
        int r = mode_parse(mode, true, &m, &bad, &dup);
        mountspec_free(&m);
        return r == 0;
}

static int compose_volume(const char *spec, struct mountspec *out, err_t *err)
{
        const char *part[3] = {0};
        size_t len[3] = {0}, n = 0;
        for (const char *p = spec;; n++) {
                const char *e = strchr(p, ':');
                if (n == 3) {
                        err_set(err, EINVAL, "invalid volume \"%s\": too many colons", spec);
                        return -MOUNTSPEC_BAD_SPEC;
                }
                part[n] = p;
                len[n] = e ? (size_t)(e - p) : strlen(p);
                if (!e) {
                        n++;
                        break;
                }
                p = e + 1;
        }
        _cleanup_free_ char *src = n >= 2 ? xstrndup(part[0], len[0]) : xstrdup("");
        _cleanup_free_ char *dst = n >= 2 ? xstrndup(part[1], len[1]) : xstrdup(part[0]);
        _cleanup_free_ char *opts = n == 3 ? xstrndup(part[2], len[2]) : xstrdup("");
        if (!*dst || (n >= 2 && !*src)) {
                err_set(err, EINVAL, "invalid volume \"%s\": empty section between colons", spec);
                return -MOUNTSPEC_BAD_SPEC;
        }
        if (dst[0] != '/') {
                err_set(err, EINVAL,
                        "invalid volume \"%s\": the target \"%s\" must be an absolute path", spec,
                        dst);
                return -MOUNTSPEC_BAD_TARGET;
        }
        const char *bad;
        _cleanup_free_ char *dup = NULL;
        if (mode_parse(opts, false, out, &bad, &dup) < 0) {
                err_set(err, EINVAL, "invalid volume \"%s\": unknown option \"%s\"", spec, bad);
                mountspec_free(out);
                return -MOUNTSPEC_BAD_MODE;
        }
        bool path = src[0] == '.' || src[0] == '/' || src[0] == '~';
        out->type = *src && path ? MOUNT_BIND : MOUNT_VOLUME;
        out->create_source = out->type == MOUNT_BIND;
        out->source = *src ? TAKE_PTR(src) : NULL;
        out->target = TAKE_PTR(dst);
        return 0;
}

int mountspec_parse_volume(const char *spec, enum mountspec_syntax syn, const char *cwd,
                           struct mountspec *out, err_t *err)
{
        memset(out, 0, sizeof(*out));
        if (syn == MOUNTSPEC_COMPOSE)
                return compose_volume(spec, out, err);

        const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if ((c2 && strchr(c2 + 1, ':')) || c1 == spec || !*spec) {
                err_set(err, EINVAL, "invalid volume specification: '%s'", spec);
                return -MOUNTSPEC_BAD_SPEC;
        }
        _cleanup_free_ char *src = NULL, *dst = NULL, *mode = NULL;
        if (!c1) {
                dst = xstrdup(spec);
        } else {
                src = xstrndup(spec, c1 - spec);
                dst = c2 ? xstrndup(c1 + 1, c2 - c1 - 1) : xstrdup(c1 + 1);
                mode = c2 ? xstrdup(c2 + 1) : NULL;
                if (!c2 && mode_valid(dst)) { /* "/foo:rw": a mode with no target */
                        err_set(err, EINVAL, "invalid volume specification: '%s'", spec);
                        return -MOUNTSPEC_BAD_SPEC;
                }
        }
        const char *bad;
        _cleanup_free_ char *dup = NULL;
        if (mode_parse(mode ? mode : "", true, out, &bad, &dup) < 0) {
                err_set(err, EINVAL, "invalid mode: %s", mode);
                mountspec_free(out);
                return -MOUNTSPEC_BAD_MODE;
        }
        if (src) {
                char *abs = resolve_dot(src, cwd);
                free(src);
                src = abs;
        }
        out->type = src && src[0] == '/' ? MOUNT_BIND : MOUNT_VOLUME;
        out->create_source = out->type == MOUNT_BIND;
        out->source = TAKE_PTR(src);
        out->target = TAKE_PTR(dst);
        int r = mountspec_check(out, err);
        if (r < 0) {
                if (r != -MOUNTSPEC_BAD_SOURCE || out->type != MOUNT_VOLUME)
                        err_wrap(err, "invalid volume specification: '%s'", spec);
                mountspec_free(out);
        }
        return r;
}

/* --- --mount ------------------------------------------------------------ */

/* Go's strconv.ParseBool. */
static int parse_bool(const char *s, bool *out)
{
        static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
        if (one_of(s, t, N_OF(t)))
                *out = true;
        else if (one_of(s, f, N_OF(f)))
                *out = false;
        else
                return -1;
        return 0;
}

static int mount_fail(err_t *err, int fault, const char *spec, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int mount_fail(err_t *err, int fault, const char *spec, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        err_set(err, EINVAL, "invalid argument \"%s\" for \"--mount\" flag: %s", spec, msg);
        return -fault;
}

static int mount_fields(const char *spec, const char *cwd, struct mountspec *out, char **type,
                        strbuf_t *topts, err_t *err)
{
        bool volopt = false, bindopt = false, tmpfsopt = false;
        _cleanup_free_ char *s = xstrdup(spec);
        for (char *f = s, *next; f; f = next) {
                next = strchr(f, ',');
                if (next)
                        *next++ = '\0';
                char *val = strchr(f, '=');
                if (val)
                        *val++ = '\0';
                for (char *k = f; *k; k++)
                        if (*k >= 'A' && *k <= 'Z')
                                *k = (char)(*k - 'A' + 'a');
                if (!val) {
                        if (!strcmp(f, "readonly") || !strcmp(f, "ro"))
                                out->read_only = true;
                        else if (!strcmp(f, "volume-nocopy"))
                                out->nocopy = volopt = true;
                        else if (!strcmp(f, "bind-nonrecursive"))
                                return mount_fail(err, MOUNTSPEC_UNSUPPORTED, spec,
                                                  "%s is not supported by berth", f);
                        else
                                return mount_fail(err, MOUNTSPEC_BAD_FIELD, spec,
                                                  "invalid field '%s' must be a key=value pair", f);
                        continue;
                }
                bool b;
                if (!strcmp(f, "type")) {
                        free(*type);
                        *type = xstrdup(val);
                        for (char *k = *type; *k; k++)
                                if (*k >= 'A' && *k <= 'Z')
                                        *k = (char)(*k - 'A' + 'a');
                } else if (!strcmp(f, "source") || !strcmp(f, "src")) {
                        free(out->source);
                        out->source = resolve_dot(val, cwd);
                } else if (!strcmp(f, "target") || !strcmp(f, "dst") || !strcmp(f, "destination")) {
                        free(out->target);
                        out->target = xstrdup(val);
                } else if (!strcmp(f, "readonly") || !strcmp(f, "ro") ||
                           !strcmp(f, "volume-nocopy")) {
                        if (parse_bool(val, &b) < 0)
                                return mount_fail(err, MOUNTSPEC_BAD_FIELD, spec,
                                                  "invalid value for %s: %s", f, val);
                        if (f[0] == 'v')
                                out->nocopy = b, volopt = true;
                        else
                                out->read_only = b;
                } else if (!strcmp(f, "consistency")) {
                        continue; /* docker on Linux ignores it */
                } else if (!strcmp(f, "bind-propagation")) {
                        free(out->propagation);
                        out->propagation = xstrdup(val);
                        for (char *k = out->propagation; *k; k++)
                                if (*k >= 'A' && *k <= 'Z')
                                        *k = (char)(*k - 'A' + 'a');
                        bindopt = true;
                } else if (!strcmp(f, "volume-driver") && !strcmp(val, "local")) {
                        volopt = true;
                } else if (!strcmp(f, "volume-driver") || !strcmp(f, "volume-label") ||
                           !strcmp(f, "volume-opt") || !strcmp(f, "volume-subpath") ||
                           !strcmp(f, "bind-recursive") || !strcmp(f, "bind-nonrecursive") ||
                           !strcmp(f, "image-subpath")) {
                        return mount_fail(err, MOUNTSPEC_UNSUPPORTED, spec,
                                          "%s=%s is not supported by berth", f, val);
                } else if (!strcmp(f, "tmpfs-size")) {
                        int64_t sz;
                        if (bytes_parse(val, &sz, NULL) < 0)
                                return mount_fail(err, MOUNTSPEC_BAD_FIELD, spec,
                                                  "invalid value for %s: %s", f, val);
                        sb_appendf(topts, "%ssize=%s", topts->len ? "," : "", val);
                        tmpfsopt = true;
                } else if (!strcmp(f, "tmpfs-mode")) {
                        char *end;
                        errno = 0;
                        unsigned long long m = strtoull(val, &end, 8);
                        if (!*val || *end || errno || m > 0xffffffffULL || val[0] == '-' ||
                            val[0] == '+' || val[0] == ' ')
                                return mount_fail(err, MOUNTSPEC_BAD_FIELD, spec,
                                                  "invalid value for %s: %s", f, val);
                        sb_appendf(topts, "%smode=%s", topts->len ? "," : "", val);
                        tmpfsopt = true;
                } else {
                        _cleanup_free_ char *field = xasprintf("%s=%s", f, val);
                        return mount_fail(err, MOUNTSPEC_BAD_FIELD, spec,
                                          "unexpected key '%s' in '%s'", f, field);
                }
        }
        if (!**type)
                return mount_fail(err, MOUNTSPEC_BAD_TYPE, spec, "type is required");
        if (!out->target || !*out->target)
                return mount_fail(err, MOUNTSPEC_BAD_TARGET, spec, "target is required");
        const char *mixed = volopt && strcmp(*type, "volume")    ? "volume"
                            : bindopt && strcmp(*type, "bind")   ? "bind"
                            : tmpfsopt && strcmp(*type, "tmpfs") ? "tmpfs"
                                                                 : NULL;
        if (mixed)
                return mount_fail(err, MOUNTSPEC_MIXED, spec,
                                  "cannot mix '%s-*' options with mount type '%s'", mixed, *type);
        return 0;
}

int mountspec_parse_mount(const char *spec, const char *cwd, struct mountspec *out, err_t *err)
{
        memset(out, 0, sizeof(*out));
        _cleanup_free_ char *type = xstrdup("volume");
        strbuf_t topts = STRBUF_INIT;
        int r = mount_fields(spec, cwd, out, &type, &topts, err);
        if (r == 0) {
                if (!strcmp(type, "bind")) {
                        out->type = MOUNT_BIND;
                } else if (!strcmp(type, "volume")) {
                        out->type = MOUNT_VOLUME;
                } else if (!strcmp(type, "tmpfs")) {
                        out->type = MOUNT_TMPFS;
                        if (out->read_only)
                                sb_appendf(&topts, "%sro", topts.len ? "," : "");
                        out->tmpfs_opts = sb_steal(&topts);
                } else if (!strcmp(type, "npipe") || !strcmp(type, "cluster") ||
                           !strcmp(type, "image")) {
                        err_set(err, ENOTSUP, "--mount type=%s is not supported by berth", type);
                        r = -MOUNTSPEC_UNSUPPORTED;
                } else {
                        err_set(err, EINVAL, "invalid mount config for type \"%s\": %s", type,
                                "mount type unknown");
                        r = -MOUNTSPEC_BAD_TYPE;
                }
        }
        if (r == 0)
                r = mountspec_check(out, err);
        sb_free(&topts);
        if (r < 0)
                mountspec_free(out);
        return r;
}

/* --- --tmpfs ------------------------------------------------------------ */

int mountspec_parse_tmpfs(const char *spec, struct mountspec *out, err_t *err)
{
        memset(out, 0, sizeof(*out));
        const char *c = strchr(spec, ':');
        out->type = MOUNT_TMPFS;
        out->target = c ? xstrndup(spec, c - spec) : xstrdup(spec);
        out->tmpfs_opts = xstrdup(c ? c + 1 : "");
        int r = mountspec_check(out, err);
        if (r < 0)
                mountspec_free(out);
        return r;
}
