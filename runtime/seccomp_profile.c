/* seccomp_profile.c - Docker's seccomp profile JSON -> struct rt_seccomp_profile
 * and back (see seccomp_profile.h). */
#include "seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "xalloc.h"

/* Where in the document: "syscalls[3].args[0].op". */
#define PATH_MAX_LEN 128

/* Format a JSON path into buf (PATH_MAX_LEN bytes); cut when too long. */
static void at(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void at(char *buf, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, PATH_MAX_LEN, fmt, ap);
        va_end(ap);
}

struct ctx {
        const char *name; /* file name for messages */
        err_t *err;
};

static int bad(struct ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct ctx *c, const char *path, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return err_set(c->err, EINVAL, "seccomp profile %s: %s: %s", c->name, path, msg);
}

static const char *const action_names[] = {
    [RT_SCMP_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
    [RT_SCMP_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
    [RT_SCMP_TRAP] = "SCMP_ACT_TRAP",
    [RT_SCMP_ERRNO] = "SCMP_ACT_ERRNO",
    [RT_SCMP_TRACE] = "SCMP_ACT_TRACE",
    [RT_SCMP_ALLOW] = "SCMP_ACT_ALLOW",
    [RT_SCMP_LOG] = "SCMP_ACT_LOG",
};

static const char *const op_names[] = {
    [RT_SCMP_NE] = "SCMP_CMP_NE",
    [RT_SCMP_LT] = "SCMP_CMP_LT",
    [RT_SCMP_LE] = "SCMP_CMP_LE",
    [RT_SCMP_EQ] = "SCMP_CMP_EQ",
    [RT_SCMP_GE] = "SCMP_CMP_GE",
    [RT_SCMP_GT] = "SCMP_CMP_GT",
    [RT_SCMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* libseccomp's architecture names, as profiles spell them */
static const char *const arch_names[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

static const struct {
        const char *name;
        unsigned flag;
} flag_names[] = {
    {"SECCOMP_FILTER_FLAG_LOG", RT_SCMP_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", RT_SCMP_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_TSYNC", RT_SCMP_FLAG_TSYNC},
};

const char *rt_scmp_action_name(enum rt_scmp_action a)
{
        return (size_t)a < ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

/* Every key of o must be one of keys (NULL-terminated). */
static int only_keys(struct ctx *c, const char *path, json_t *o, const char *const *keys)
{
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
                bool known = false;
                for (size_t i = 0; keys[i] && !known; i++)
                        known = !strcmp(k, keys[i]);
                if (!known)
                        return bad(c, path, "unknown key \"%s\"", k);
        }
        return 0;
}

/* Optional member: NULL when absent or JSON null. */
static json_t *member(json_t *o, const char *k)
{
        json_t *v = json_object_get(o, k);
        return json_is_null(v) ? NULL : v;
}

static int get_string(struct ctx *c, const char *path, json_t *v, const char **out)
{
        if (!json_is_string(v))
                return bad(c, path, "must be a string");
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
                return bad(c, path, "contains a NUL byte");
        *out = s;
        return 0;
}

static int get_strings(struct ctx *c, const char *path, json_t *a, strv_t *out)
{
        if (!a)
                return 0;
        if (!json_is_array(a))
                return bad(c, path, "must be an array of strings");
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
                char p[PATH_MAX_LEN];
                at(p, "%s[%zu]", path, i);
                const char *s;
                if (get_string(c, p, v, &s) < 0)
                        return -1;
                if (!*s)
                        return bad(c, p, "must not be empty");
                strv_push(out, s);
        }
        return 0;
}

static int get_uint(struct ctx *c, const char *path, json_t *v, uint64_t max, uint64_t *out)
{
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return bad(c, path, "must be an unsigned integer");
        uint64_t u = (uint64_t)json_integer_value(v);
        if (u > max)
                return bad(c, path, "%llu is out of range (at most %llu)", (unsigned long long)u,
                           (unsigned long long)max);
        *out = u;
        return 0;
}

static int get_action(struct ctx *c, const char *path, json_t *v, enum rt_scmp_action *out)
{
        const char *s;
        if (!v)
                return bad(c, path, "is required");
        if (get_string(c, path, v, &s) < 0)
                return -1;
        if (!strcmp(s, "SCMP_ACT_KILL")) {
                *out = RT_SCMP_KILL_THREAD;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(action_names); i++)
                if (!strcmp(s, action_names[i])) {
                        *out = (enum rt_scmp_action)i;
                        return 0;
                }
        if (!strcmp(s, "SCMP_ACT_NOTIFY"))
                return bad(c, path,
                           "SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath), which berth "
                           "does not have");
        return bad(c, path, "unknown action \"%s\"", s);
}

/* errnoRet / defaultErrnoRet: only with an action that returns it */
static int get_errno(struct ctx *c, const char *path, json_t *v, enum rt_scmp_action a, int *out)
{
        *out = -1;
        if (!v)
                return 0;
        uint64_t u;
        if (get_uint(c, path, v, 4095, &u) < 0)
                return -1;
        if (a != RT_SCMP_ERRNO && a != RT_SCMP_TRACE)
                return bad(c, path, "is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
                           rt_scmp_action_name(a));
        *out = (int)u;
        return 0;
}

static int get_arch(struct ctx *c, const char *path, json_t *v, const char **out)
{
        if (get_string(c, path, v, out) < 0)
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++)
                if (!strcmp(*out, arch_names[i]))
                        return 0;
        return bad(c, path, "unknown architecture \"%s\"", *out);
}

static int get_filter(struct ctx *c, const char *path, json_t *o, struct rt_scmp_filter *f)
{
        static const char *const keys[] = {"caps", "arches", "minKernel", NULL};
        char p[PATH_MAX_LEN];
        if (!o)
                return 0;
        if (!json_is_object(o))
                return bad(c, path, "must be an object");
        if (only_keys(c, path, o, keys) < 0)
                return -1;
        at(p, "%s.caps", path);
        if (get_strings(c, p, member(o, "caps"), &f->caps) < 0)
                return -1;
        at(p, "%s.arches", path);
        if (get_strings(c, p, member(o, "arches"), &f->arches) < 0)
                return -1;
        json_t *mk = member(o, "minKernel");
        if (mk) {
                at(p, "%s.minKernel", path);
                const char *s;
                if (get_string(c, p, mk, &s) < 0)
                        return -1;
                int n = -1;
                if (sscanf(s, "%u.%u%n", &f->min_major, &f->min_minor, &n) != 2 ||
                    n != (int)strlen(s) || s[0] < '0' || s[0] > '9')
                        return bad(c, p, "\"%s\" is not a kernel version MAJOR.MINOR", s);
                f->has_min_kernel = true;
        }
        return 0;
}

static int get_arg(struct ctx *c, const char *path, json_t *o, struct rt_scmp_arg *a)
{
        static const char *const keys[] = {"index", "value", "valueTwo", "op", NULL};
        char p[PATH_MAX_LEN];
        if (!json_is_object(o))
                return bad(c, path, "must be an object");
        if (only_keys(c, path, o, keys) < 0)
                return -1;
        uint64_t u = 0;
        at(p, "%s.index", path);
        if (!member(o, "index"))
                return bad(c, p, "is required");
        if (get_uint(c, p, member(o, "index"), 5, &u) < 0)
                return -1;
        a->index = (unsigned)u;
        at(p, "%s.value", path);
        if (member(o, "value") && get_uint(c, p, member(o, "value"), UINT64_MAX, &a->value) < 0)
                return -1;
        at(p, "%s.valueTwo", path);
        if (member(o, "valueTwo") &&
            get_uint(c, p, member(o, "valueTwo"), UINT64_MAX, &a->value_two) < 0)
                return -1;
        at(p, "%s.op", path);
        const char *op;
        if (!member(o, "op"))
                return bad(c, p, "is required");
        if (get_string(c, p, member(o, "op"), &op) < 0)
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(op_names); i++)
                if (!strcmp(op, op_names[i])) {
                        a->op = (enum rt_scmp_op)i;
                        return 0;
                }
        return bad(c, p, "unknown operator \"%s\"", op);
}

static int get_rule(struct ctx *c, const char *path, json_t *o, struct rt_scmp_rule *r)
{
        static const char *const keys[] = {"name",    "names",    "action",   "errnoRet", "args",
                                           "comment", "includes", "excludes", NULL};
        char p[PATH_MAX_LEN];
        r->errno_ret = -1;
        if (!json_is_object(o))
                return bad(c, path, "must be an object");
        if (only_keys(c, path, o, keys) < 0)
                return -1;
        json_t *name = member(o, "name"), *names = member(o, "names");
        if (name && names)
                return bad(c, path, "\"name\" and \"names\" are mutually exclusive");
        if (name) {
                const char *s;
                at(p, "%s.name", path);
                if (get_string(c, p, name, &s) < 0)
                        return -1;
                if (!*s)
                        return bad(c, p, "must not be empty");
                strv_push(&r->names, s);
        }
        at(p, "%s.names", path);
        if (get_strings(c, p, names, &r->names) < 0)
                return -1;
        at(p, "%s.action", path);
        if (get_action(c, p, member(o, "action"), &r->action) < 0)
                return -1;
        at(p, "%s.errnoRet", path);
        if (get_errno(c, p, member(o, "errnoRet"), r->action, &r->errno_ret) < 0)
                return -1;
        json_t *args = member(o, "args");
        if (args) {
                at(p, "%s.args", path);
                if (!json_is_array(args))
                        return bad(c, p, "must be an array");
                if (json_array_size(args) > 6)
                        return bad(c, p, "has %zu entries; a syscall has at most 6 arguments",
                                   json_array_size(args));
                r->args = xcalloc(json_array_size(args) + 1, sizeof(*r->args));
                size_t i;
                json_t *a;
                json_array_foreach(args, i, a)
                {
                        at(p, "%s.args[%zu]", path, i);
                        if (get_arg(c, p, a, &r->args[i]) < 0)
                                return -1;
                        r->nargs++;
                }
        }
        json_t *cm = member(o, "comment");
        at(p, "%s.comment", path);
        const char *s;
        if (cm && get_string(c, p, cm, &s) < 0)
                return -1;
        at(p, "%s.includes", path);
        if (get_filter(c, p, member(o, "includes"), &r->includes) < 0)
                return -1;
        at(p, "%s.excludes", path);
        return get_filter(c, p, member(o, "excludes"), &r->excludes);
}

static int get_profile(struct ctx *c, json_t *root, struct rt_seccomp_profile *p)
{
        static const char *const keys[] = {"defaultAction", "defaultErrnoRet",  "architectures",
                                           "archMap",       "syscalls",         "flags",
                                           "listenerPath",  "listenerMetadata", NULL};
        char path[PATH_MAX_LEN];
        if (!json_is_object(root))
                return bad(c, "(top level)", "must be an object");
        if (only_keys(c, "(top level)", root, keys) < 0)
                return -1;
        if (get_action(c, "defaultAction", member(root, "defaultAction"), &p->default_action) < 0)
                return -1;
        if (get_errno(c, "defaultErrnoRet", member(root, "defaultErrnoRet"), p->default_action,
                      &p->default_errno) < 0)
                return -1;
        const char *s;
        json_t *lp = member(root, "listenerPath");
        if (lp && (get_string(c, "listenerPath", lp, &s) < 0 ||
                   (*s && bad(c, "listenerPath",
                              "seccomp agents (SCMP_ACT_NOTIFY) are not supported by berth") < 0)))
                return -1;
        json_t *lm = member(root, "listenerMetadata");
        if (lm && get_string(c, "listenerMetadata", lm, &s) < 0)
                return -1;
        json_t *ar = member(root, "architectures"), *am = member(root, "archMap");
        if (ar && am && json_array_size(ar) && json_array_size(am))
                return bad(c, "archMap", "use either \"architectures\" or \"archMap\", not both");
        if (ar) {
                if (!json_is_array(ar))
                        return bad(c, "architectures", "must be an array of strings");
                size_t i;
                json_t *v;
                json_array_foreach(ar, i, v)
                {
                        at(path, "architectures[%zu]", i);
                        if (get_arch(c, path, v, &s) < 0)
                                return -1;
                        strv_push(&p->arches, s);
                }
        }
        if (am) {
                if (!json_is_array(am))
                        return bad(c, "archMap", "must be an array");
                p->archmap = xcalloc(json_array_size(am) + 1, sizeof(*p->archmap));
                size_t i, k;
                json_t *e, *v;
                json_array_foreach(am, i, e)
                {
                        static const char *const akeys[] = {"architecture", "subArchitectures",
                                                            NULL};
                        struct rt_scmp_archmap *m = &p->archmap[p->narchmap];
                        at(path, "archMap[%zu]", i);
                        if (!json_is_object(e))
                                return bad(c, path, "must be an object");
                        if (only_keys(c, path, e, akeys) < 0)
                                return -1;
                        at(path, "archMap[%zu].architecture", i);
                        if (!member(e, "architecture"))
                                return bad(c, path, "is required");
                        if (get_arch(c, path, member(e, "architecture"), &s) < 0)
                                return -1;
                        m->arch = xstrdup(s);
                        p->narchmap++;
                        json_t *sub = member(e, "subArchitectures");
                        at(path, "archMap[%zu].subArchitectures", i);
                        if (sub && !json_is_array(sub))
                                return bad(c, path, "must be an array of strings");
                        json_array_foreach(sub, k, v)
                        {
                                at(path, "archMap[%zu].subArchitectures[%zu]", i, k);
                                if (get_arch(c, path, v, &s) < 0)
                                        return -1;
                                strv_push(&m->sub, s);
                        }
                }
        }
        strv_t flags = STRV_INIT;
        int r = get_strings(c, "flags", member(root, "flags"), &flags);
        for (size_t i = 0; i < flags.n && r == 0; i++) {
                size_t k;
                for (k = 0; k < ARRAY_SIZE(flag_names); k++)
                        if (!strcmp(flags.v[i], flag_names[k].name))
                                break;
                at(path, "flags[%zu]", i);
                if (k == ARRAY_SIZE(flag_names))
                        r = bad(c, path, "unknown flag \"%s\"", flags.v[i]);
                else
                        p->flags |= flag_names[k].flag;
        }
        strv_free(&flags);
        if (r < 0)
                return -1;
        json_t *sc = member(root, "syscalls");
        if (!sc)
                return 0;
        if (!json_is_array(sc))
                return bad(c, "syscalls", "must be an array");
        p->rules = xcalloc(json_array_size(sc) + 1, sizeof(*p->rules));
        size_t i;
        json_t *v;
        json_array_foreach(sc, i, v)
        {
                at(path, "syscalls[%zu]", i);
                p->nrules++;
                if (get_rule(c, path, v, &p->rules[i]) < 0)
                        return -1;
        }
        return 0;
}

int rt_seccomp_profile_parse(const char *text, size_t len, const char *name,
                             struct rt_seccomp_profile *p, err_t *err)
{
        memset(p, 0, sizeof(*p));
        p->default_errno = -1;
        struct ctx c = {name, err};
        if (len > RT_SECCOMP_PROFILE_MAX)
                return err_set(err, EFBIG, "seccomp profile %s: larger than %d bytes", name,
                               RT_SECCOMP_PROFILE_MAX);
        json_error_t je;
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!root)
                return err_set(err, EINVAL, "seccomp profile %s:%d:%d: %s", name, je.line,
                               je.column, je.text);
        int r = get_profile(&c, root, p);
        json_decref(root);
        if (r < 0)
                rt_seccomp_profile_free(p);
        return r;
}

int rt_seccomp_profile_read(const char *path, struct rt_seccomp_profile *p, err_t *err)
{
        memset(p, 0, sizeof(*p));
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return err_sys(err, errno, "seccomp profile %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return err_sys(err, errno, "seccomp profile %s", path);
        if (!S_ISREG(st.st_mode))
                return err_set(err, EINVAL, "seccomp profile %s: not a regular file", path);
        if (st.st_size > RT_SECCOMP_PROFILE_MAX)
                return err_set(err, EFBIG, "seccomp profile %s: larger than %d bytes", path,
                               RT_SECCOMP_PROFILE_MAX);
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        if (read_fd_all(fd, RT_SECCOMP_PROFILE_MAX + 1, &buf, &n, err) < 0)
                return err_wrap(err, "seccomp profile %s", path);
        return rt_seccomp_profile_parse(buf, n, path, p, err);
}

static json_t *filter_json(const struct rt_scmp_filter *f)
{
        json_t *o = json_object();
        if (f->caps.n)
                json_object_set_new(o, "caps", json_strv(&f->caps));
        if (f->arches.n)
                json_object_set_new(o, "arches", json_strv(&f->arches));
        if (f->has_min_kernel)
                json_object_set_new(o, "minKernel",
                                    json_sprintf("%u.%u", f->min_major, f->min_minor));
        return o;
}

json_t *rt_seccomp_profile_json(const struct rt_seccomp_profile *p)
{
        json_t *o = json_object();
        json_object_set_new(o, "defaultAction",
                            json_string(rt_scmp_action_name(p->default_action)));
        if (p->default_errno >= 0)
                json_object_set_new(o, "defaultErrnoRet", json_integer(p->default_errno));
        if (p->arches.n)
                json_object_set_new(o, "architectures", json_strv(&p->arches));
        if (p->narchmap) {
                json_t *am = json_array();
                for (size_t i = 0; i < p->narchmap; i++)
                        json_array_append_new(am, json_pack("{s:s,s:o}", "architecture",
                                                            p->archmap[i].arch, "subArchitectures",
                                                            json_strv(&p->archmap[i].sub)));
                json_object_set_new(o, "archMap", am);
        }
        json_t *fl = json_array();
        for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
                if (p->flags & flag_names[i].flag)
                        json_array_append_new(fl, json_string(flag_names[i].name));
        json_object_set_new(o, "flags", fl);
        json_t *sc = json_array();
        for (size_t i = 0; i < p->nrules; i++) {
                const struct rt_scmp_rule *r = &p->rules[i];
                json_t *ro = json_pack("{s:o,s:s}", "names", json_strv(&r->names), "action",
                                       rt_scmp_action_name(r->action));
                if (r->errno_ret >= 0)
                        json_object_set_new(ro, "errnoRet", json_integer(r->errno_ret));
                json_t *args = json_array();
                for (size_t k = 0; k < r->nargs; k++)
                        json_array_append_new(
                            args, json_pack("{s:i,s:I,s:I,s:s}", "index", (int)r->args[k].index,
                                            "value", (json_int_t)r->args[k].value, "valueTwo",
                                            (json_int_t)r->args[k].value_two, "op",
                                            op_names[r->args[k].op]));
                json_object_set_new(ro, "args", args);
                json_object_set_new(ro, "includes", filter_json(&r->includes));
                json_object_set_new(ro, "excludes", filter_json(&r->excludes));
                json_array_append_new(sc, ro);
        }
        json_object_set_new(o, "syscalls", sc);
        return o;
}

static void filter_free(struct rt_scmp_filter *f)
{
        strv_free(&f->caps);
        strv_free(&f->arches);
}

void rt_seccomp_profile_free(struct rt_seccomp_profile *p)
{
        strv_free(&p->arches);
        for (size_t i = 0; i < p->narchmap; i++) {
                free(p->archmap[i].arch);
                strv_free(&p->archmap[i].sub);
        }
        free(p->archmap);
        for (size_t i = 0; i < p->nrules; i++) {
                strv_free(&p->rules[i].names);
                free(p->rules[i].args);
                filter_free(&p->rules[i].includes);
                filter_free(&p->rules[i].excludes);
        }
        free(p->rules);
        memset(p, 0, sizeof(*p));
        p->default_errno = -1;
}
