/* events.c - the events journal (see events.h). */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "timefmt.h"
#include "xalloc.h"

static size_t events_max = EVENTS_MAX;

void events_set_max(size_t bytes)
{
        events_max = bytes ? bytes : EVENTS_MAX;
}

static char *events_dir(void)
{
        return xasprintf("%s/events", berth_lib_dir());
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of o's string members, sorted (a Go map's order); caller frees
 * the array, not the keys. */
static const char **sorted_string_keys(const json_t *o, size_t *n)
{
        const char **keys = xcalloc(json_object_size(o) + 1, sizeof(*keys));
        const char *k;
        json_t *v;
        *n = 0;
        json_object_foreach((json_t *)o, k, v)
        {
                if (json_is_string(v))
                        keys[(*n)++] = k;
        }
        qsort(keys, *n, sizeof(*keys), cmp_str);
        return keys;
}

static bool legacy_type(const char *type)
{
        return !strcmp(type, "container") || !strcmp(type, "image");
}

/* The journal line, newline included; attributes sorted (a Go map). */
static char *event_line(const char *type, const char *action, const char *id, const json_t *attrs,
                        bool attrs_all, int64_t now)
{
        json_t *a = json_object();
        size_t n;
        const char **keys = sorted_string_keys(attrs, &n);
        for (size_t j = 0; j < n; j++)
                if (attrs_all || !strcmp(keys[j], "name") || !strcmp(keys[j], "image"))
                        json_object_set(a, keys[j], json_object_get(attrs, keys[j]));
        free(keys);
        json_t *ev = json_object();
        if (legacy_type(type)) {
                json_object_set_new(ev, "status", json_string(action));
                json_object_set_new(ev, "id", json_string(id));
                const char *from = json_string_value(json_object_get(a, "image"));
                if (!strcmp(type, "container") && from)
                        json_object_set_new(ev, "from", json_string(from));
        }
        json_object_set_new(ev, "Type", json_string(type));
        json_object_set_new(ev, "Action", json_string(action));
        json_object_set_new(ev, "Actor", json_pack("{s:s,s:o}", "ID", id, "Attributes", a));
        json_object_set_new(ev, "scope", json_string("local"));
        json_object_set_new(ev, "time", json_integer(now / 1000000000LL));
        json_object_set_new(ev, "timeNano", json_integer(now));
        char *s = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(ev);
        if (!s)
                return NULL;
        char *line = xasprintf("%s\n", s);
        free(s);
        return line;
}

/* Start a new journal when this one is full: under the lock, and only if
 * the journal is still the file fd has open (another writer may have
 * rotated it already).  Returns the fd to write to. */
static int rotate(int dfd, int fd)
{
        _cleanup_close_ int lk =
            openat(dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lk < 0)
                return fd;
        while (flock(lk, LOCK_EX) < 0)
                if (errno != EINTR)
                        return fd;
        struct stat a, b;
        if (fstat(fd, &a) == 0 && fstatat(dfd, "journal", &b, AT_SYMLINK_NOFOLLOW) == 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                (void)renameat(dfd, "journal", dfd, "journal.1");
        int nfd =
            openat(dfd, "journal", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (nfd < 0)
                return fd;
        close(fd);
        return nfd;
}

void events_log(const char *type, const char *action, const char *id, const json_t *attrs)
{
        if (!type || !action || !id)
                return;
        int saved = errno;
        int64_t now = time_now_ns();
        _cleanup_free_ char *line = event_line(type, action, id, attrs, true, now);
        if (line && strlen(line) > EVENTS_LINE_MAX) {
                free(line);
                line = event_line(type, action, id, attrs, false, now);
        }
        _cleanup_free_ char *dir = events_dir();
        if (!line) {
                errno = saved;
                return;
        }
        /* made on the first event only: this runs at every start and stop */
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0 && errno == ENOENT && (mkdir(dir, 0700) == 0 || errno == EEXIST))
                dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        int fd = dfd < 0 ? -1
                         : openat(dfd, "journal",
                                  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
                size_t len = strlen(line);
                struct stat st;
                if (fstat(fd, &st) == 0 && (size_t)st.st_size + len > events_max && st.st_size > 0)
                        fd = rotate(dfd, fd);
                /* one write: O_APPEND places it whole at the end */
                (void)!write(fd, line, len);
                close(fd);
        }
        errno = saved;
}

void events_logv(const char *type, const char *action, const char *id, ...)
{
        json_t *a = json_object();
        va_list ap;
        va_start(ap, id);
        const char *k;
        while ((k = va_arg(ap, const char *))) {
                const char *v = va_arg(ap, const char *);
                json_object_set_new(a, k, json_string(v ? v : ""));
        }
        va_end(ap);
        events_log(type, action, id, a);
        json_decref(a);
}

/* ---- reading ----------------------------------------------------------- */

int events_parse_line(const char *s, size_t n, json_t **out)
{
        json_t *ev = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(ev))
                goto bad;
        json_t *actor = json_object_get(ev, "Actor");
        json_t *attrs = json_object_get(actor, "Attributes");
        if (!json_is_string(json_object_get(ev, "Type")) ||
            !json_is_string(json_object_get(ev, "Action")) || !json_is_object(actor) ||
            !json_is_string(json_object_get(actor, "ID")) ||
            !json_is_integer(json_object_get(ev, "timeNano")))
                goto bad;
        if (attrs && !json_is_object(attrs))
                goto bad;
        if (!attrs)
                json_object_set_new(actor, "Attributes", json_object());
        const char *k;
        json_t *v;
        json_object_foreach(attrs, k, v)
        {
                if (!json_is_string(v))
                        goto bad;
        }
        *out = ev;
        return 0;
bad:
        json_decref(ev);
        return -1;
}

int64_t events_time_ns(const json_t *ev)
{
        return json_integer_value(json_object_get(ev, "timeNano"));
}

/* ---- filters ------------------------------------------------------------- */

static const char *const filter_keys[] = {"config", "container", "daemon", "event",  "image",
                                          "label",  "network",   "node",   "plugin", "scope",
                                          "secret", "service",   "type",   "volume", NULL};

int events_filter_add(struct events_filter *f, const char *kv, err_t *err)
{
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv)
                return err_set(err, EINVAL, "bad format of filter (expected name=value)");
        _cleanup_free_ char *key = xstrndup(kv, (size_t)(eq - kv));
        for (char *p = key; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char)(*p - 'A' + 'a');
        bool known = false;
        for (size_t i = 0; filter_keys[i]; i++)
                known = known || !strcmp(filter_keys[i], key);
        if (!known)
                return err_set(err, EINVAL, "invalid filter '%s'", key);
        if (!f->f)
                f->f = json_object();
        json_t *vals = json_object_get(f->f, key);
        if (!vals) {
                vals = json_array();
                json_object_set_new(f->f, key, vals);
        }
        json_array_append_new(vals, json_string(eq + 1));
        return 0;
}

void events_filter_free(struct events_filter *f)
{
        json_decref(f->f);
        f->f = NULL;
}

/* Docker's filters.Args: ExactMatch / FuzzyMatch (a prefix) are true when
 * the key is not filtered on at all. */
static bool match_any(const struct events_filter *f, const char *key, const char *src, bool prefix)
{
        json_t *vals = json_object_get(f->f, key);
        if (!vals)
                return true;
        if (!src)
                return false;
        size_t i;
        json_t *v;
        json_array_foreach(vals, i, v)
        {
                const char *s = json_string_value(v);
                if (prefix ? !strncmp(src, s, strlen(s)) : !strcmp(src, s))
                        return true;
        }
        return false;
}

static bool filtered(const struct events_filter *f, const char *key)
{
        return json_object_get(f->f, key) != NULL;
}

static const char *attr(const json_t *ev, const char *k)
{
        return json_string_value(
            json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"), k));
}

/* An image reference without its tag or digest ("alpine:3" -> "alpine"). */
static char *strip_tag(const char *ref)
{
        char *s = xstrdup(ref ? ref : "");
        char *at = strchr(s, '@');
        if (at)
                *at = '\0';
        char *slash = strrchr(s, '/');
        char *colon = strrchr(slash ? slash : s, ':');
        if (colon)
                *colon = '\0';
        return s;
}

static bool match_image(const struct events_filter *f, const json_t *ev, const char *type,
                        const char *id)
{
        if (!filtered(f, "image"))
                return true;
        const char *name = attr(ev, !strcmp(type, "image") ? "name" : "image");
        _cleanup_free_ char *sid = strip_tag(id);
        _cleanup_free_ char *sname = strip_tag(name);
        return match_any(f, "image", id, false) || (name && match_any(f, "image", name, false)) ||
               match_any(f, "image", sid, false) || (name && match_any(f, "image", sname, false));
}

static bool match_labels(const struct events_filter *f, const json_t *ev)
{
        json_t *vals = json_object_get(f->f, "label");
        size_t i;
        json_t *v;
        json_array_foreach(vals, i, v)
        {
                const char *s = json_string_value(v);
                const char *eq = strchr(s, '=');
                _cleanup_free_ char *k = eq ? xstrndup(s, (size_t)(eq - s)) : xstrdup(s);
                const char *have = attr(ev, k);
                if (!have || (eq && strcmp(have, eq + 1)))
                        return false;
        }
        return true;
}

bool events_filter_match(const struct events_filter *f, const json_t *ev)
{
        if (!f->f)
                return true;
        const char *type = json_string_value(json_object_get(ev, "Type"));
        const char *action = json_string_value(json_object_get(ev, "Action"));
        const char *id = json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID"));
        const char *scope = json_string_value(json_object_get(ev, "scope"));
        if (!type || !action || !id)
                return false;
        /* "health_status", "exec_create", "exec_start" also match their
         * "health_status: healthy" forms (Docker's prefix rule for them) */
        bool prefix = false;
        json_t *evs = json_object_get(f->f, "event");
        size_t i;
        json_t *v;
        json_array_foreach(evs, i, v)
        {
                const char *s = json_string_value(v);
                prefix = prefix || !strcmp(s, "health_status") || !strcmp(s, "exec_create") ||
                         !strcmp(s, "exec_start");
        }
        if (!match_any(f, "event", action, prefix) || !match_any(f, "type", type, false) ||
            !match_any(f, "scope", scope ? scope : "local", false))
                return false;
        static const char *const named[] = {"container", "daemon",  "plugin", "volume", "network",
                                            "node",      "service", "secret", "config", NULL};
        for (size_t k = 0; named[k]; k++) {
                if (!filtered(f, named[k]))
                        continue;
                bool same = !strcmp(type, named[k]);
                if (!same || (!match_any(f, named[k], id, true) &&
                              !match_any(f, named[k], attr(ev, "name"), true)))
                        return false;
        }
        return match_image(f, ev, type, id) && match_labels(f, ev);
}

/* ---- output -------------------------------------------------------------- */

void events_format_text(const json_t *ev, strbuf_t *out)
{
        int64_t ns = events_time_ns(ev);
        if (ns < 0)
                ns = 0;
        time_t secs = (time_t)(ns / 1000000000LL);
        struct tm tm;
        char when[64];
        localtime_r(&secs, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        sb_appendf(out, "%s.%09lld", when, (long long)(ns % 1000000000LL));
        long off = tm.tm_gmtoff;
        if (off == 0)
                sb_append(out, "Z");
        else
                sb_appendf(out, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
                           labs(off) % 3600 / 60);
        const json_t *actor = json_object_get(ev, "Actor");
        sb_appendf(out, " %s %s %s", json_string_value(json_object_get(ev, "Type")),
                   json_string_value(json_object_get(ev, "Action")),
                   json_string_value(json_object_get(actor, "ID")));
        json_t *attrs = json_object_get(actor, "Attributes");
        size_t n;
        const char **keys = sorted_string_keys(attrs, &n);
        if (n) {
                sb_append(out, " (");
                for (size_t i = 0; i < n; i++)
                        sb_appendf(out, "%s%s=%s", i ? ", " : "", keys[i],
                                   json_string_value(json_object_get(attrs, keys[i])));
                sb_append(out, ")");
        }
        free(keys);
        sb_append(out, "\n");
}

json_t *events_template_dot(const json_t *ev)
{
        static const char *const names[][2] = {
            {"status", "Status"}, {"id", "ID"},         {"from", "From"},
            {"Type", "Type"},     {"Action", "Action"}, {"Actor", "Actor"},
            {"scope", "Scope"},   {"time", "Time"},     {"timeNano", "TimeNano"},
        };
        json_t *d = json_object();
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                json_t *v = json_object_get(ev, names[i][0]);
                if (v)
                        json_object_set(d, names[i][1], v);
                else
                        json_object_set_new(d, names[i][1],
                                            i < 3 || i == 6 ? json_string("") : json_integer(0));
        }
        return d;
}

/* ---- following ----------------------------------------------------------- */

struct events_tail {
        int dfd, ino_fd, fd;
        bool old; /* reading journal.1 before the journal */
        ino_t ino;
        strbuf_t buf;
        size_t pos;
};

static int tail_open_file(struct events_tail *t, const char *name, bool at_end)
{
        if (t->fd >= 0)
                close(t->fd);
        t->fd = openat(t->dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (t->fd < 0)
                return -1;
        struct stat st;
        if (fstat(t->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(t->fd);
                t->fd = -1;
                return -1;
        }
        t->ino = st.st_ino;
        if (at_end)
                lseek(t->fd, 0, SEEK_END);
        return 0;
}

int events_tail_open(struct events_tail **out, bool from_start, err_t *err)
{
        _cleanup_free_ char *dir = events_dir();
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return err_sys(err, errno, "cannot make the events directory %s", dir);
        struct events_tail *t = xcalloc(1, sizeof(*t));
        t->fd = -1;
        t->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        t->ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (t->dfd < 0 || t->ino_fd < 0 ||
            inotify_add_watch(t->ino_fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
                err_sys(err, errno, "cannot watch the events journal in %s", dir);
                events_tail_close(t);
                return -1;
        }
        if (from_start && tail_open_file(t, "journal.1", false) == 0)
                t->old = true;
        else
                (void)tail_open_file(t, "journal", !from_start);
        *out = t;
        return 0;
}

/* A complete line from the buffer, as an event; skips lines that are not. */
static int pop_line(struct events_tail *t, json_t **ev)
{
        for (;;) {
                const char *s = sb_str(&t->buf) + t->pos;
                const char *nl = memchr(s, '\n', t->buf.len - t->pos);
                if (!nl) {
                        if (t->pos) {
                                strbuf_t rest = {0};
                                sb_appendn(&rest, s, t->buf.len - t->pos);
                                sb_free(&t->buf);
                                t->buf = rest;
                                t->pos = 0;
                        }
                        return 0;
                }
                t->pos += (size_t)(nl - s) + 1;
                if (events_parse_line(s, (size_t)(nl - s), ev) == 0)
                        return 1;
        }
}

/* Read what is there; 1 when something was read. */
static int fill(struct events_tail *t)
{
        char chunk[16384];
        bool any = false;
        while (t->fd >= 0) {
                ssize_t r = read(t->fd, chunk, sizeof(chunk));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                sb_appendn(&t->buf, chunk, (size_t)r);
                any = true;
                if (t->buf.len - t->pos > 4 * EVENTS_LINE_MAX)
                        break;
        }
        return any;
}

int events_tail_next(struct events_tail *t, int timeout_ms, json_t **ev, err_t *err)
{
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                if (pop_line(t, ev))
                        return 1;
                if (fill(t))
                        continue;
                /* at the end of this file: go on to the journal when it is
                 * a rotated one, or was replaced by rotation */
                struct stat st;
                bool moved = fstatat(t->dfd, "journal", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                             (t->fd < 0 || st.st_ino != t->ino);
                if (t->old || moved) {
                        t->old = false;
                        sb_reset(&t->buf); /* a torn last line */
                        t->pos = 0;
                        if (tail_open_file(t, "journal", false) == 0)
                                continue;
                }
                int wait = timeout_ms;
                if (timeout_ms >= 0) {
                        struct timespec now;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        int64_t spent = (now.tv_sec - start.tv_sec) * 1000 +
                                        (now.tv_nsec - start.tv_nsec) / 1000000;
                        if (spent >= timeout_ms)
                                return 0;
                        wait = (int)(timeout_ms - spent);
                }
                struct pollfd p = {.fd = t->ino_fd, .events = POLLIN};
                int r = poll(&p, 1, wait);
                if (r < 0 && errno != EINTR)
                        return err_sys(err, errno, "cannot wait for events");
                char drain[4096];
                while (read(t->ino_fd, drain, sizeof(drain)) > 0)
                        ;
        }
}

void events_tail_close(struct events_tail *t)
{
        if (!t)
                return;
        if (t->fd >= 0)
                close(t->fd);
        if (t->dfd >= 0)
                close(t->dfd);
        if (t->ino_fd >= 0)
                close(t->ino_fd);
        sb_free(&t->buf);
        free(t);
}
