#include "container.h"

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "names.h"
#include "crash.h"
#include "ctr_doc.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "paths.h"
#include "seccomp_profile.h"
#include "security.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

char *rt_ctr_dir(const char *id)
{
        return xasprintf("%s/containers/%s", berth_lib_dir(), id);
}

char *rt_ctr_run_dir(const char *id)
{
        return xasprintf("%s/containers/%s", berth_run_dir(), id);
}

char *rt_ctr_sock_path(const char *id)
{
        return xasprintf("%s/containers/%s/ctl.sock", berth_run_dir(), id);
}

char *rt_ctr_gen_id(void)
{
        unsigned char b[32];
        size_t got = 0;
        while (got < sizeof(b)) {
                ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
                if (r > 0)
                        got += (size_t)r;
        }
        char *s = xmalloc(65);
        for (size_t i = 0; i < 32; i++)
                snprintf(s + 2 * i, 3, "%02x", b[i]);
        return s;
}

char *rt_ctr_gen_name(void)
{
        static const char *const adj[] = {
            "admiring", "brave",   "busy",    "clever", "dazzling",   "eager",   "elegant",
            "festive",  "focused", "gallant", "happy",  "hopeful",    "jolly",   "keen",
            "kind",     "lucid",   "modest",  "nifty",  "optimistic", "pensive", "quirky",
            "relaxed",  "serene",  "sharp",   "stoic",  "tender",     "vibrant", "zealous",
        };
        static const char *const noun[] = {
            "albattani", "babbage", "bohr",     "curie",    "darwin",  "einstein", "euler",
            "fermat",    "galileo", "hopper",   "hypatia",  "kepler",  "lovelace", "meitner",
            "newton",    "noether", "pascal",   "ritchie",  "shannon", "tesla",    "turing",
            "wozniak",   "yalow",   "thompson", "torvalds", "lamport", "knuth",    "dijkstra",
        };
        uint32_t r[2];
        if (getrandom(r, sizeof(r), 0) != sizeof(r))
                r[0] = r[1] = (uint32_t)time(NULL);
        return xasprintf("%s_%s", adj[r[0] % ARRAY_SIZE(adj)], noun[r[1] % ARRAY_SIZE(noun)]);
}

int rt_ctr_lock(const char *id, err_t *err)
{
        _cleanup_free_ char *d = rt_ctr_dir(id);
        _cleanup_free_ char *p = xasprintf("%s/lock", d);
        return lock_file(p, err);
}

int rt_ctr_lock_load(const char *id, json_t **doc, err_t *err)
{
        *doc = NULL;
        int lk = rt_ctr_lock(id, err);
        return lk < 0 ? -1 : fd_keep_if(lk, rt_ctr_load(id, doc, err));
}

int rt_ctr_trylock(const char *id)
{
        _cleanup_free_ char *d = rt_ctr_dir(id);
        _cleanup_free_ char *p = xasprintf("%s/lock", d);
        int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static int names_lock(err_t *err)
{
        _cleanup_free_ char *d = xasprintf("%s/containers", berth_lib_dir());
        if (mkdir_p(d, 0700, err) < 0)
                return -1;
        _cleanup_free_ char *p = xasprintf("%s/containers/names.lock", berth_lib_dir());
        return lock_file(p, err);
}

json_t *rt_health_test(const json_t *doc)
{
        json_t *t = rt_doc_healthcheck_test(doc);
        const char *k = json_string_value(json_array_get(t, 0));
        if (!k || !strcmp(k, "NONE") || json_array_size(t) < 2)
                return NULL;
        return t;
}

uint64_t rt_pid_starttime(pid_t pid)
{
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
        _cleanup_free_ char *buf = NULL;
        if (pid <= 0 || read_file(p, &buf, NULL, NULL) < 0)
                return 0;
        char *s = strrchr(buf, ')');
        if (!s)
                return 0;
        /* fields after comm: state(3) ... starttime(22); a zombie is gone */
        if (s[1] == ' ' && (s[2] == 'Z' || s[2] == 'X'))
                return 0;
        unsigned long long st = 0;
        int field = 2;
        for (char *tok = strtok(s + 1, " "); tok; tok = strtok(NULL, " "))
                if (++field == 22) {
                        st = strtoull(tok, NULL, 10);
                        break;
                }
        return st;
}

/* A new file in the container's ".new-<id>" dir: no temp file and rename
 * (nobody sees the dir before it is complete), but fsynced when durable, as
 * the dir is renamed into place only once every file is on disk. */
static int write_new(const char *dir, const char *name, const char *text, size_t n, bool durable,
                     err_t *err)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
        _cleanup_close_ int fd =
            open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return err_sys(err, errno, "create %s", p);
        err_t e;
        if (write_all(fd, text, n, &e) < 0) /* ENOSPC: say which file */
                return err_sys(err, e.code, "write %s", p);
        if (durable && fsync(fd) < 0)
                return err_sys(err, errno, "fsync %s", p);
        return 0;
}

static int write_text(const char *dir, const char *name, const char *text, bool durable, err_t *err)
{
        return write_new(dir, name, text, strlen(text), durable, err);
}

/* The size of RT_CTR_EXIT_RESERVE: a compact exit record with room to spare. */
#define EXIT_RESERVE_SIZE 512

int rt_ctr_exit_keep(const char *id, const json_t *state, err_t *err)
{
        _cleanup_free_ char *p =
            xasprintf("%s/containers/%s/%s", berth_lib_dir(), id, RT_CTR_EXIT_RESERVE);
        _cleanup_json_ json_t *rec =
            json_pack("{s:O?, s:O?, s:O?, s:O?}", "StartedAt", json_object_get(state, "StartedAt"),
                      "ExitCode", json_object_get(state, "ExitCode"), "OOMKilled",
                      json_object_get(state, "OOMKilled"), "FinishedAt",
                      json_object_get(state, "FinishedAt"));
        _cleanup_free_ char *text = rec ? json_dumps(rec, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
        char buf[EXIT_RESERVE_SIZE];
        size_t n = text ? strlen(text) : 0;
        if (!text || n >= sizeof(buf))
                return err_set(err, EINVAL, "%s: the exit record does not fit", p);
        /* the same size as written at create: every byte lands on a block
         * the file already has */
        memset(buf, ' ', sizeof(buf));
        memcpy(buf, text, n);
        buf[sizeof(buf) - 1] = '\n';
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return err_sys(err, errno, "open %s", p);
        if (st.st_size != (off_t)sizeof(buf))
                return err_set(err, EINVAL, "%s: not the reserve berth made (%lld bytes)", p,
                               (long long)st.st_size);
        ssize_t w = pwrite(fd, buf, sizeof(buf), 0);
        if (w != (ssize_t)sizeof(buf))
                return err_sys(err, w < 0 ? errno : EIO, "write %s", p);
        if (fdatasync(fd) < 0)
                return err_sys(err, errno, "fsync %s", p);
        return 0;
}

/* The exit the monitor kept in the reserve for the run st (its StartedAt)
 * when it could not write the state: applied to st; false when there is
 * none for this run. */
static bool exit_kept(const char *id, json_t *st)
{
        _cleanup_free_ char *p =
            xasprintf("%s/containers/%s/%s", berth_lib_dir(), id, RT_CTR_EXIT_RESERVE);
        _cleanup_free_ char *text = NULL;
        if (read_file(p, &text, NULL, NULL) < 0)
                return false;
        _cleanup_json_ json_t *rec = json_loads(text, 0, NULL);
        const char *started = json_string_value(json_object_get(rec, "StartedAt"));
        const char *mine = json_string_value(json_object_get(st, "StartedAt"));
        if (!started || !mine || strcmp(started, mine) ||
            !json_is_integer(json_object_get(rec, "ExitCode")))
                return false;
        json_object_set(st, "ExitCode", json_object_get(rec, "ExitCode"));
        json_object_set_new(st, "OOMKilled",
                            json_boolean(json_is_true(json_object_get(rec, "OOMKilled"))));
        if (json_is_string(json_object_get(rec, "FinishedAt")))
                json_object_set(st, "FinishedAt", json_object_get(rec, "FinishedAt"));
        json_object_set_new(st, "Error", json_string(""));
        return true;
}

/* The container dir carries the container's Name ("/web") as an extended
 * attribute, so the name check of every create reads one attribute per
 * container instead of parsing its config.json (a compose up of n services
 * parsed n^2/2 documents under the names lock), and costs no file (an inode
 * creation is the dearest part of container creation on some filesystems).
 * Set on the ".new-<id>" dir at create and under the names lock at rename; a
 * container without it (made by an older berth, a filesystem without user
 * xattrs, a rename that failed half way, a name of 512 bytes or more) is
 * checked through its config.json. */
#define NAME_XATTR "user.berth.name"

/* Remove ".new-<id>" dirs of creations and ".rm-<id>" dirs of removals that
 * never finished.  A creator (remover) holds an flock on the dir until it is
 * renamed into place (removed), so a dir whose lock can be taken belongs to
 * one that died (killed -9). */
static void remove_partial(void)
{
        _cleanup_free_ char *d = xasprintf("%s/containers", berth_lib_dir());
        _cleanup_closedir_ DIR *dir = opendir(d);
        if (!dir)
                return;
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (strncmp(de->d_name, ".new-", 5) && strncmp(de->d_name, ".rm-", 4))
                        continue;
                _cleanup_close_ int fd =
                    openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
                        continue; /* gone already, or its creator is still at work */
                (void)rm_rf_at(dirfd(dir), de->d_name, NULL);
        }
}

/* Fails with EEXIST when a container other than @self is named @name. One
 * pass over the container directories, reading each one's name attribute. */
static int name_check(const char *name, const char *self, err_t *err)
{
        _cleanup_free_ char *d = xasprintf("%s/containers", berth_lib_dir());
        _cleanup_closedir_ DIR *dir = opendir(d);
        if (!dir)
                return errno == ENOENT ? 0 : err_sys(err, errno, "open %s", d);
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (strlen(de->d_name) != RT_ID_LEN || (self && !strcmp(de->d_name, self)))
                        continue;
                _cleanup_free_ char *cd = xasprintf("%s/%s", d, de->d_name);
                char have[512];
                bool same;
                ssize_t len = getxattr(cd, NAME_XATTR, have, sizeof(have));
                if (len >= 0) {
                        same = (size_t)len == strlen(name) && !memcmp(have, name, (size_t)len);
                } else {
                        json_t *o = NULL;
                        if (rt_ctr_load(de->d_name, &o, NULL) < 0)
                                continue; /* being removed */
                        same = !strcmp(json_string_value(json_object_get(o, "Name")) ?: "", name);
                        json_decref(o);
                }
                if (same)
                        return err_set(
                            err, EEXIST,
                            "Conflict. The container name \"%s\" is already in use by container "
                            "\"%s\". You have to remove (or rename) that container to be able to "
                            "reuse that name.",
                            name, de->d_name);
        }
        return 0;
}

/* Make the container's files in dir; the document's paths name final, where
 * dir is renamed once the container is complete.  Volatile (RT_CTR_VOLATILE):
 * nothing is fsynced, and there is no exit reserve. */
static int ctr_create_files(const char *id, json_t *j, const char *dir, const char *final,
                            unsigned flags, err_t *err)
{
        bool durable = !(flags & RT_CTR_VOLATILE);
        static const char *const sub[] = {"", "/upper", "/work", "/merged"};
        for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
                _cleanup_free_ char *p = xasprintf("%s%s", dir, sub[i]);
                if (mkdir_p(p, 0710, err) < 0)
                        return -1;
        }
        /* the overlay's root takes the upper dir's mode */
        _cleanup_free_ char *upper = xasprintf("%s/upper", dir);
        if (chmod(upper, 0755) < 0)
                return err_sys(err, errno, "chmod %s", upper);
        json_t *cfg = json_object_get(j, "Config");
        const char *hostname = json_string_value(json_object_get(cfg, "Hostname"));
        _cleanup_free_ char *hosts =
            xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                      "127.0.1.1\t%s\n",
                      hostname ? hostname : "");
        _cleanup_free_ char *hn = xasprintf("%s\n", hostname ? hostname : "");
        /* resolv.conf: nothing from the host; the networking code points it at
         * berth's DNS server for containers on user networks. */
        char reserve[EXIT_RESERVE_SIZE + 1];
        memset(reserve, ' ', EXIT_RESERVE_SIZE - 1);
        reserve[EXIT_RESERVE_SIZE - 1] = '\n';
        reserve[EXIT_RESERVE_SIZE] = '\0';
        /* Every start but one on the host's network writes hosts and
         * resolv.conf again before the container runs (netwire_start): their
         * names are made durable by the dir's fsync, their contents need not
         * be (two fsyncs, three waits on the disk each, less per create). */
        const char *nm = rt_doc_network_mode(j);
        bool etc_durable = durable && nm && !strcmp(nm, "host");
        if (write_new(dir, "hosts", hosts, strlen(hosts), etc_durable, err) < 0 ||
            write_text(dir, "hostname", hn, durable, err) < 0 ||
            write_new(dir, "resolv.conf", "", 0, etc_durable, err) < 0 ||
            (durable && write_text(dir, RT_CTR_EXIT_RESERVE, reserve, true, err) < 0))
                return -1;
        json_t *prof = json_object_get(j, "SeccompProfile");
        if (prof) {
                _cleanup_free_ char *doc = json_dumps(prof, JSON_SORT_KEYS | JSON_INDENT(1));
                if (!doc)
                        return err_set(err, ENOMEM, "cannot serialise the seccomp profile");
                if (write_text(dir, RT_CTR_SECCOMP, doc, durable, err) < 0)
                        return -1;
                json_object_del(j, "SeccompProfile");
        }
        json_t *gd = json_object_get(j, "GraphDriver");
        json_t *data = json_object_get(gd, "Data");
        if (!json_is_object(data))
                return err_set(err, EINVAL, "container document lacks GraphDriver.Data.LowerDir");
        json_object_set_new(data, "UpperDir", json_sprintf("%s/upper", final));
        json_object_set_new(data, "WorkDir", json_sprintf("%s/work", final));
        json_object_set_new(data, "MergedDir", json_sprintf("%s/merged", final));
        json_object_set_new(j, "HostsPath", json_sprintf("%s/hosts", final));
        json_object_set_new(j, "HostnamePath", json_sprintf("%s/hostname", final));
        json_object_set_new(j, "ResolvConfPath", json_sprintf("%s/resolv.conf", final));
        json_object_set_new(j, "LogPath", json_sprintf("%s/%s-json.log", final, id));
        return 0;
}

int rt_ctr_name_check(const char *name, err_t *err)
{
        const char *p = name && name[0] == '/' ? name + 1 : name;
        if (p && strlen(p) >= 2 && name_ok(p, true))
                return 0;
        return err_set(err, EINVAL,
                       "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                       p ? p : "");
}

int rt_hostname_check(const char *what, const char *h, err_t *err)
{
        size_t n = h ? strlen(h) : 0;
        const char *why = NULL;
        if (n > 64)
                why = "longer than 64 characters";
        for (const char *label = h; !why && label && *label;) {
                size_t l = strcspn(label, ".");
                if (l == 0 || l > 63)
                        why = l ? "a label is longer than 63 characters" : "an empty label";
                else if (label[0] == '-' || label[l - 1] == '-')
                        why = "a label starts or ends with '-'";
                for (size_t i = 0; !why && i < l; i++)
                        if (!isalnum((unsigned char)label[i]) && label[i] != '-')
                                why = "only letters, digits, '-' and '.' are allowed";
                label += l;
                if (*label == '.' && !*++label)
                        why = "an empty label";
        }
        if (!why)
                return 0;
        /* quote the value with its control characters visible */
        _cleanup_json_ json_t *q = json_stringn(h, n);
        _cleanup_free_ char *shown = q ? json_dumps(q, JSON_ENCODE_ANY) : NULL;
        return err_set(err, EINVAL, "invalid %s %s: %s (RFC 1123)", what, shown ? shown : "\"\"",
                       why);
}

int rt_ctr_create(json_t *j, unsigned flags, err_t *err)
{
        const char *id = json_string_value(json_object_get(j, "Id"));
        const char *name = json_string_value(json_object_get(j, "Name"));
        if (!id || !name)
                return err_set(err, EINVAL, "container document lacks Id or Name");
        const json_t *cfg = json_object_get(j, "Config");
        const char *hn = json_string_value(json_object_get(cfg, "Hostname"));
        const char *dn = json_string_value(json_object_get(cfg, "Domainname"));
        if (rt_ctr_name_check(name, err) < 0 ||
            (hn && rt_hostname_check("hostname", hn, err) < 0) ||
            (dn && *dn && rt_hostname_check("domainname", dn, err) < 0))
                return -1;
        _cleanup_free_ char *final = rt_ctr_dir(id);
        _cleanup_free_ char *dir = xasprintf("%s/containers/.new-%s", berth_lib_dir(), id);
        /* Built under ".new-<id>" (locked by us, invisible to every lister) and
         * renamed into place at the end, so a creator killed half way leaves no
         * half container.  The files go first, outside the names lock; the lock
         * covers only the name check, the config.json and the rename, so
         * parallel creates (compose up) do not queue behind each other's
         * fsyncs.  The dir is made and locked under the names lock, as
         * remove_partial() runs under it: otherwise another creator could
         * take an unlocked new dir for a dead one and remove it. */
        _cleanup_close_ int dfd = -1;
        {
                _cleanup_close_ int lk = names_lock(err);
                if (lk < 0 || mkdir_p(dir, 0710, err) < 0)
                        return -1;
                dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0 || flock(dfd, LOCK_EX) < 0) {
                        err_sys(err, errno, "lock %s", dir);
                        (void)rm_rf(dir, NULL);
                        return -1;
                }
        }
        bool durable = !(flags & RT_CTR_VOLATILE);
        int r = ctr_create_files(id, j, dir, final, flags, err);
        if (r == 0) {
                /* config.json too: the name is claimed by the rename below */
                _cleanup_free_ char *doc = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));
                _cleanup_free_ char *text = doc ? xasprintf("%s\n", doc) : NULL;
                r = text ? write_text(dir, "config.json", text, durable, err)
                         : err_set(err, ENOMEM, "cannot serialise the container document");
                if (r < 0)
                        err_wrap(err, "container %.12s", id);
                /* no attribute (ENOTSUP): the name check reads config.json */
                if (r == 0)
                        (void)fsetxattr(dfd, NAME_XATTR, name, strlen(name), 0);
                if (r == 0 && durable && fsync(dfd) < 0)
                        r = err_sys(err, errno, "fsync %s", dir);
        }
        if (r == 0) {
                _cleanup_close_ int lk = names_lock(err);
                r = lk < 0 ? -1 : name_check(name, id, err);
                if (r == 0) {
                        remove_partial();
                        crash_point("create.files");
                        if (rename(dir, final) < 0)
                                r = err_sys(err, errno, "rename %s to %s", dir, final);
                        else
                                crash_point("create.done");
                }
        }
        if (r < 0)
                (void)rm_rf(dir, NULL);
        else
                rt_ctr_event(j, "create", NULL);
        return r;
}

int rt_ctr_load(const char *id, json_t **out, err_t *err)
{
        _cleanup_free_ char *p = xasprintf("%s/containers/%s/config.json", berth_lib_dir(), id);
        if (json_read(p, out, err) < 0) {
                /* A container dir is renamed into place with its config.json
                 * and renamed away before it is emptied: one that is there
                 * without it lost the file in a crash (an auto-removed
                 * container's files are not fsynced), and is damaged, not
                 * gone, so that ps -a lists it and rm -f removes it. */
                _cleanup_free_ char *d = NULL;
                if (err && err->code == ENOENT && access((d = rt_ctr_dir(id)), F_OK) == 0)
                        err_set(err, EUCLEAN, "%s is missing (lost in a crash)", p);
                return err_wrap(err, "container %.12s", id);
        }
        return 0;
}

int rt_ctr_doc_hold(const char *id)
{
        _cleanup_free_ char *p = xasprintf("%s/containers/%s/config.json", berth_lib_dir(), id);
        return open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

int rt_ctr_save(const char *id, const json_t *j, err_t *err)
{
        /* An auto-removed container's state is not made durable: it is
         * removed when it ends, so a crash (after which it no longer runs)
         * leaves at worst a damaged container that rm -f removes. */
        _cleanup_free_ char *p = xasprintf("%s/containers/%s/config.json", berth_lib_dir(), id);
        return json_write_replace_at(AT_FDCWD, p, j, !rt_doc_auto_remove(j), err);
}

struct ent {
        char *id;
        int64_t created;
};

static int ent_cmp(const void *a, const void *b)
{
        const struct ent *x = a, *y = b;
        return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp(x->id, y->id);
}

int rt_ctr_list(strv_t *ids, err_t *err)
{
        _cleanup_free_ char *d = xasprintf("%s/containers", berth_lib_dir());
        _cleanup_closedir_ DIR *dir = opendir(d);
        if (!dir) {
                if (errno == ENOENT)
                        return 0;
                return err_sys(err, errno, "open %s", d);
        }
        struct ent *v = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (strlen(de->d_name) != RT_ID_LEN)
                        continue;
                json_t *j = NULL;
                err_t e = {0};
                if (rt_ctr_load(de->d_name, &j, &e) < 0 && e.code == ENOENT)
                        continue; /* being created or removed */
                /* a corrupt config.json: listed (oldest), so ps -a shows it and
                 * rm -f can remove it */
                v = xrealloc(v, (n + 1) * sizeof(*v));
                v[n].id = xstrdup(de->d_name);
                v[n].created = time_parse_rfc3339_ns(rt_doc_created(j));
                n++;
                json_decref(j);
        }
        if (n > 1)
                qsort(v, n, sizeof(*v), ent_cmp);
        for (size_t i = 0; i < n; i++)
                strv_take(ids, v[i].id);
        free(v);
        return 0;
}

int rt_ctr_resolve(const char *ref, char **id, err_t *err)
{
        strv_t ids = STRV_INIT;
        if (rt_ctr_list(&ids, err) < 0)
                return -1;
        const char *nm = ref[0] == '/' ? ref + 1 : ref;
        char *found = NULL;
        int matches = 0;
        for (size_t i = 0; i < ids.n && !found; i++) {
                if (!strcmp(ids.v[i], ref))
                        found = xstrdup(ids.v[i]);
        }
        for (size_t i = 0; i < ids.n && !found; i++) {
                json_t *j = NULL;
                if (rt_ctr_load(ids.v[i], &j, NULL) < 0) {
                        /* unreadable config.json: the name is on the dir too */
                        char have[512];
                        _cleanup_free_ char *cd = rt_ctr_dir(ids.v[i]);
                        ssize_t len = getxattr(cd, NAME_XATTR, have, sizeof(have) - 1);
                        if (len > 0) {
                                have[len] = '\0';
                                if (!strcmp(have[0] == '/' ? have + 1 : have, nm))
                                        found = xstrdup(ids.v[i]);
                        }
                        continue;
                }
                const char *n = rt_doc_name(j);
                if (n && !strcmp(n[0] == '/' ? n + 1 : n, nm))
                        found = xstrdup(ids.v[i]);
                json_decref(j);
        }
        size_t rl = strlen(ref);
        for (size_t i = 0; i < ids.n && !found && rl > 0; i++)
                if (!strncmp(ids.v[i], ref, rl))
                        matches++;
        if (!found && matches == 1)
                for (size_t i = 0; i < ids.n; i++)
                        if (!strncmp(ids.v[i], ref, rl))
                                found = xstrdup(ids.v[i]);
        strv_free(&ids);
        if (found) {
                *id = found;
                return 0;
        }
        if (matches > 1)
                return err_set(err, EINVAL, "multiple IDs found with provided prefix: %s", ref);
        return err_set(err, ENOENT, "No such container: %s", ref);
}

int rt_ctr_rename(const char *id, const char *newname, err_t *err)
{
        _cleanup_close_ int nl = names_lock(err);
        if (nl < 0)
                return -1;
        if (rt_ctr_name_check(newname, err) < 0)
                return -1;
        _cleanup_free_ char *want = xasprintf("/%s", newname);
        if (name_check(want, NULL, err) < 0)
                return -1;
        _cleanup_json_ json_t *j = NULL;
        _cleanup_close_ int lk = rt_ctr_lock_load(id, &j, err);
        if (lk < 0)
                return -1;
        _cleanup_free_ char *old = xstrdup(json_string_value(json_object_get(j, "Name")) ?: "/");
        json_object_set_new(j, "Name", json_string(want));
        /* the attribute goes first and comes back last: without it the name
         * check reads config.json, so a crash in between cannot mislead it */
        _cleanup_free_ char *d = rt_ctr_dir(id);
        if (removexattr(d, NAME_XATTR) < 0 && errno != ENODATA && errno != ENOTSUP)
                return err_sys(err, errno, "container %.12s: remove attribute of %s", id, d);
        if (rt_ctr_save(id, j, err) < 0)
                return -1;
        (void)setxattr(d, NAME_XATTR, want, strlen(want), 0);
        rt_ctr_event(j, "rename", "oldName", old + (*old == '/'), NULL);
        return 0;
}

/* run/containers/<id>/monitor.json: {"MonitorPid", "MonitorStart", "Pid", "PidStart"} */
static json_t *monitor_info(const char *id)
{
        _cleanup_free_ char *p = xasprintf("%s/containers/%s/monitor.json", berth_run_dir(), id);
        json_t *j = NULL;
        if (json_read(p, &j, NULL) < 0)
                return NULL;
        return j;
}

static bool pid_matches(json_t *info, const char *pk, const char *sk, pid_t *out)
{
        pid_t pid = (pid_t)json_integer_value(json_object_get(info, pk));
        uint64_t st = (uint64_t)json_integer_value(json_object_get(info, sk));
        if (pid <= 0 || st == 0 || rt_pid_starttime(pid) != st)
                return false;
        if (out)
                *out = pid;
        return true;
}

/* The monitor lock: an open file description locking the container's dir
 * (a read lock: the dir is open read-only; takers are one at a time under
 * the container lock), held from before the monitor exists until it is
 * gone.  Probed with F_OFD_GETLK, which takes nothing. */
static int monitor_lock_open(const char *id)
{
        _cleanup_free_ char *d = rt_ctr_dir(id);
        return open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static bool monitor_lock_held(const char *id)
{
        _cleanup_close_ int fd = monitor_lock_open(id);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        return fd >= 0 && fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

int rt_ctr_monitor_claim(const char *id, err_t *err)
{
        int fd = monitor_lock_open(id);
        if (fd < 0)
                return err_sys(err, errno, "container %.12s: open its directory", id);
        struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
                int e = errno;
                close(fd);
                return err_sys(err, e, "container %.12s: lock its directory for a monitor", id);
        }
        return fd;
}

bool rt_ctr_monitor_alive(const char *id, pid_t *init_pid)
{
        json_t *info = monitor_info(id);
        bool alive = info && pid_matches(info, "MonitorPid", "MonitorStart", NULL);
        if (alive && init_pid && !pid_matches(info, "Pid", "PidStart", init_pid))
                *init_pid = 0;
        json_decref(info);
        /* a monitor not yet recorded in monitor.json (one being set up, or
         * one aborting whose starter was killed) holds the monitor lock; a
         * monitor of an older berth holds none, and its record says it */
        if (!alive && monitor_lock_held(id)) {
                alive = true;
                if (init_pid)
                        *init_pid = 0;
        }
        return alive;
}

int rt_ctr_monitor_pidfd(const char *id)
{
        json_t *info = monitor_info(id);
        pid_t pid = 0;
        int fd = -1;
        if (info && pid_matches(info, "MonitorPid", "MonitorStart", &pid)) {
                fd = (int)syscall(SYS_pidfd_open, pid, 0);
                /* the pid may have been reused between the check and the open */
                if (fd >= 0 && !pid_matches(info, "MonitorPid", "MonitorStart", NULL)) {
                        close(fd);
                        fd = -1;
                }
        }
        json_decref(info);
        return fd;
}

int rt_ctr_netns_open(const char *id, err_t *err)
{
        pid_t pid = 0, again = 0;
        if (!rt_ctr_monitor_alive(id, &pid) || pid <= 0)
                return err_set(err, ESRCH, "cannot join network of a non running container: %s",
                               id);
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        int e = errno;
        /* the init may have exited (and its pid been reused) meanwhile */
        if (fd < 0 || !rt_ctr_monitor_alive(id, &again) || again != pid) {
                if (fd >= 0)
                        close(fd);
                return err_set(err, fd < 0 ? e : ESRCH,
                               "cannot join network of a non running container: %s", id);
        }
        return fd;
}

/* Kill whatever of the container still runs and remove its runtime objects. */
static int cleanup_runtime(const char *id, err_t *err)
{
        json_t *info = monitor_info(id);
        pid_t pid;
        if (info && pid_matches(info, "Pid", "PidStart", &pid))
                kill(pid, SIGKILL); /* PID 1 of its namespace: takes the rest along */
        json_decref(info);
        if (rt_cgroup_remove(id, err) < 0)
                return -1;
        _cleanup_free_ char *rd = rt_ctr_run_dir(id);
        return rm_rf(rd, err);
}

int rt_ctr_reconcile(const char *id, json_t *j, err_t *err)
{
        const char *status = rt_doc_status(j);
        if (!status || (strcmp(status, "running") && strcmp(status, "restarting") &&
                        strcmp(status, "paused") && strcmp(status, "removing")))
                return 0;
        if (rt_ctr_monitor_alive(id, NULL))
                return 0;
        /* Check again under the monitor's own view: it may have just exited
         * after writing a final state. */
        _cleanup_json_ json_t *fresh = NULL;
        if (rt_ctr_load(id, &fresh, NULL) == 0) {
                const char *s2 = rt_doc_status(fresh);
                if (s2 && strcmp(s2, "running") && strcmp(s2, "restarting") &&
                    strcmp(s2, "paused")) {
                        json_object_update(j, fresh);
                        return cleanup_runtime(id, err);
                }
        }
        if (cleanup_runtime(id, err) < 0)
                return -1;
        _cleanup_free_ char *now = time_now_rfc3339();
        json_t *st = rt_doc_set_status(j, "exited");
        json_object_set_new(st, "Pid", json_integer(0));
        rt_doc_clear_addresses(j); /* its addresses are freed now */
        /* the monitor saw the exit but could not write it (a full disk) */
        bool kept = exit_kept(id, st);
        if (!kept) {
                json_object_set_new(st, "ExitCode", json_integer(255));
                json_object_set_new(st, "Error",
                                    json_string("container monitor exited unexpectedly"));
                json_object_set_new(st, "FinishedAt", json_string(now));
        }
        if (rt_ctr_save(id, j, err) < 0)
                return -1;
        /* the monitor that would have said so is gone */
        char code[16];
        snprintf(code, sizeof(code), "%d", rt_doc_exit_code(j));
        rt_ctr_event(j, "die", "exitCode", code, NULL);
        return 0;
}

void rt_ovl_volatile_clear(const char *workdir)
{
        _cleanup_free_ char *mark = xasprintf("%s/work/incompat", workdir);
        (void)rm_rf(mark, NULL);
}

int rt_ctr_retire(const char *id, json_t *doc, struct rt_tomb *tomb, err_t *err)
{
        tomb->fd = -1;
        tomb->path = NULL;
        if (cleanup_runtime(id, err) < 0)
                return -1;
        /* the overlay lives only in the init's mount namespace; nothing to unmount */
        _cleanup_free_ char *d = rt_ctr_dir(id);
        _cleanup_free_ char *path = xasprintf("%s/containers/.rm-%s", berth_lib_dir(), id);
        /* Renamed away before it is emptied: whoever opens <id>/lock or saves
         * <id>/config.json from then on (a monitor writing its last state, a
         * concurrent `ps`) gets ENOENT instead of putting a file back into a
         * dir being removed.  The flock tells remove_partial() that the
         * tombstone's remover is alive. */
        _cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : err_sys(err, errno, "open %s", d);
        if (flock(dfd, LOCK_EX) < 0)
                return err_sys(err, errno, "lock %s", d);
        _cleanup_json_ json_t *loaded = NULL;
        err_t e = {0};
        if (!doc && rt_ctr_load(id, &loaded, &e) == 0)
                doc = loaded;
        if (rename(d, path) < 0)
                return errno == ENOENT ? 0 : err_sys(err, errno, "rename %s", d);
        if (doc)
                rt_ctr_event(doc, "destroy", NULL);
        tomb->fd = TAKE_FD(dfd);
        tomb->path = TAKE_PTR(path);
        return 0;
}

int rt_ctr_bury(struct rt_tomb *tomb, err_t *err)
{
        if (tomb->fd < 0)
                return 0;
        int r = rm_rf(tomb->path, err);
        close(tomb->fd);
        tomb->fd = -1;
        free(tomb->path);
        tomb->path = NULL;
        return r;
}

int rt_ctr_destroy(const char *id, err_t *err)
{
        struct rt_tomb tomb = RT_TOMB_INIT;
        if (rt_ctr_retire(id, NULL, &tomb, err) < 0)
                return -1;
        return rt_ctr_bury(&tomb, err);
}

/* ---- JSON -> spawn spec ------------------------------------------------------ */

static void push_array(strv_t *sv, const json_t *a)
{
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
                if (json_is_string(v))
                        strv_push(sv, json_string_value(v));
        }
}

static const struct {
        const char *name;
        int res;
} rlimits[] = {
    {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},         {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS},       {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},     {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},           {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},       {"as", RLIMIT_AS},
};

int rt_ulimit_parse(const char *s, struct rt_ulimit *out, char **name, err_t *err)
{
        const char *eq = strchr(s, '=');
        if (!eq)
                return err_set(err, EINVAL, "invalid ulimit argument: %s", s);
        _cleanup_free_ char *n = xstrndup(s, (size_t)(eq - s));
        size_t i;
        for (i = 0; i < ARRAY_SIZE(rlimits); i++)
                if (!strcmp(rlimits[i].name, n))
                        break;
        if (i == ARRAY_SIZE(rlimits))
                return err_set(err, EINVAL, "invalid ulimit type: %s", n);
        char *end;
        errno = 0;
        long long soft = strtoll(eq + 1, &end, 10), hard = soft;
        if (end == eq + 1 || errno)
                return err_set(err, EINVAL, "invalid ulimit argument: %s", s);
        if (*end == ':') {
                const char *h = end + 1;
                hard = strtoll(h, &end, 10);
                if (end == h)
                        return err_set(err, EINVAL, "invalid ulimit argument: %s", s);
        }
        if (*end)
                return err_set(err, EINVAL, "invalid ulimit argument: %s", s);
        if (soft > hard)
                return err_set(
                    err, EINVAL,
                    "ulimit soft limit must be less than or equal to hard limit: %lld > %lld", soft,
                    hard);
        out->resource = rlimits[i].res;
        out->soft = soft < 0 ? RLIM_INFINITY : (rlim_t)soft;
        out->hard = hard < 0 ? RLIM_INFINITY : (rlim_t)hard;
        if (name)
                *name = TAKE_PTR(n);
        return 0;
}

/* Does SecurityOpt name a seccomp profile file? */
static bool secopt_file(const json_t *doc)
{
        size_t i;
        json_t *v;
        json_array_foreach(rt_doc_security_opt(doc), i, v)
        {
                const char *s = json_string_value(v);
                if (s && rt_secopt_seccomp_file(s))
                        return true;
        }
        return false;
}

/* The process's security from the stored document (ctr_doc.h's accessors). */
static int proc_security(const json_t *doc, struct rt_proc *p, err_t *err)
{
        const char *id = rt_doc_id(doc) ?: "";
        strv_t add = STRV_INIT, drop = STRV_INIT;
        push_array(&add, rt_doc_cap_add(doc));
        push_array(&drop, rt_doc_cap_drop(doc));
        bool priv = rt_doc_privileged(doc);
        int r = rt_caps_compute(priv, &add, &drop, &p->caps, err);
        strv_free(&add);
        strv_free(&drop);
        if (r < 0)
                return -1;
        p->no_new_privs =
            !rt_doc_security_opt_has(doc, "no-new-privileges=false", "no-new-privileges:false");
        p->seccomp =
            !priv && !rt_doc_security_opt_has(doc, "seccomp=unconfined", "seccomp:unconfined");
        if (secopt_file(doc)) {
                /* the profile as parsed at create time (the file may have
                 * changed or gone since); even --privileged gets it: it was
                 * asked for by name */
                _cleanup_free_ char *dir = rt_ctr_dir(id);
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, RT_CTR_SECCOMP);
                p->seccomp_profile = xcalloc(1, sizeof(*p->seccomp_profile));
                if (rt_seccomp_profile_read(path, p->seccomp_profile, err) < 0)
                        return err_wrap(err, "container %.12s", id);
                p->seccomp = true;
        }
        size_t i;
        json_t *u;
        json_array_foreach(rt_doc_ulimits(doc), i, u)
        {
                long long soft, hard;
                const char *n = rt_doc_ulimit(u, &soft, &hard);
                size_t k;
                for (k = 0; k < ARRAY_SIZE(rlimits); k++)
                        if (n && !strcmp(rlimits[k].name, n))
                                break;
                if (k == ARRAY_SIZE(rlimits))
                        return err_set(err, EINVAL, "invalid ulimit type: %s", n ? n : "");
                p->ulimits = xrealloc(p->ulimits, (p->nulimits + 1) * sizeof(*p->ulimits));
                p->ulimits[p->nulimits++] =
                    (struct rt_ulimit){rlimits[k].res, soft < 0 ? RLIM_INFINITY : (rlim_t)soft,
                                       hard < 0 ? RLIM_INFINITY : (rlim_t)hard};
        }
        return 0;
}

int rt_ctr_proc_spec(const json_t *j, struct rt_proc *p, err_t *err)
{
        memset(p, 0, sizeof(*p));
        push_array(&p->env, rt_doc_env(j));
        p->cwd = rt_doc_workdir(j);
        p->user = rt_doc_user(j);
        if (proc_security(j, p, err) < 0) {
                rt_proc_free(p);
                return -1;
        }
        return 0;
}

void rt_proc_free(struct rt_proc *p)
{
        strv_free(&p->argv);
        strv_free(&p->env);
        free(p->ulimits);
        p->ulimits = NULL;
        if (p->seccomp_profile)
                rt_seccomp_profile_free(p->seccomp_profile);
        free(p->seccomp_profile);
        p->seccomp_profile = NULL;
}

/* The components of a mount target ("/a//b/." has 2). */
static size_t target_depth(const char *p)
{
        size_t n = 0;
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *e = strchrnul(p, '/');
                if (e - p != 1 || *p != '.')
                        n++;
                p = e;
        }
        return n;
}

/* Mounts are made parents first, as docker does (stable, by the depth of the
 * target): a bind into a directory that is itself a volume (a theme inside
 * WordPress's /var/www/html) lands on the volume instead of being hidden
 * under it, whatever the order in which the user or the image named them. */
static void sort_mounts(struct rt_mount_spec *m, size_t n)
{
        for (size_t i = 1; i < n; i++) {
                struct rt_mount_spec x = m[i];
                size_t d = target_depth(x.target), k = i;
                for (; k > 0 && target_depth(m[k - 1].target) > d; k--)
                        m[k] = m[k - 1];
                m[k] = x;
        }
}

int rt_ctr_spawn_spec(const json_t *j, struct rt_spawn *s, err_t *err)
{
        memset(s, 0, sizeof(*s));
        s->join_netns_fd = -1;
        s->id = rt_doc_id(j);
        s->hostname = rt_doc_hostname(j);
        strv_t *lower = xcalloc(1, sizeof(*lower));
        _cleanup_free_ char *ld = xstrdup(rt_doc_lower_dirs(j) ?: "");
        for (char *sv = NULL, *t = strtok_r(ld, ":", &sv); t; t = strtok_r(NULL, ":", &sv))
                strv_push(lower, t);
        s->lower = lower;
        s->upper = rt_doc_upper_dir(j);
        s->work = rt_doc_work_dir(j);
        s->merged = rt_doc_merged_dir(j);
        if (!lower->n || !s->upper || !s->work || !s->merged) {
                rt_spawn_free(s);
                return err_set(err, EINVAL, "container %.12s: no root filesystem recorded", s->id);
        }
        s->hosts_file = rt_doc_hosts_path(j);
        s->hostname_file = rt_doc_hostname_path(j);
        s->resolv_file = rt_doc_resolv_conf_path(j);
        s->readonly_rootfs = rt_doc_readonly_rootfs(j);
        s->volatile_upper = rt_doc_auto_remove(j);
        s->privileged = rt_doc_privileged(j);
        s->init = rt_doc_init(j);
        s->shm_size = rt_doc_shm_size(j);
        s->oom_score_adj = rt_doc_oom_score_adj(j);
        const char *nm = rt_doc_network_mode(j);
        s->new_netns = !(nm && !strcmp(nm, "host"));
        struct rt_mount_spec *m = NULL;
        size_t n = 0, i;
        json_t *v;
        json_array_foreach(rt_doc_mounts(j), i, v)
        {
                struct rt_doc_mount dm;
                rt_doc_mount(v, &dm);
                m = xrealloc(m, (n + 1) * sizeof(*m));
                m[n++] = (struct rt_mount_spec){
                    .type = "bind",
                    .source = (char *)dm.source,
                    .target = (char *)dm.destination,
                    .ro = dm.ro,
                };
                if (!m[n - 1].source || !m[n - 1].target) {
                        free(m);
                        rt_spawn_free(s);
                        return err_set(err, EINVAL, "invalid mount in container %.12s", s->id);
                }
        }
        const char *key;
        json_object_foreach(rt_doc_tmpfs(j), key, v)
        {
                m = xrealloc(m, (n + 1) * sizeof(*m));
                m[n++] = (struct rt_mount_spec){.type = "tmpfs",
                                                .source = "tmpfs",
                                                .target = (char *)key,
                                                .options = (char *)json_string_value(v)};
        }
        sort_mounts(m, n);
        s->mounts = m;
        s->nmounts = n;
        json_t *sc = rt_doc_sysctls(j);
        struct rt_sysctl *sy =
            json_object_size(sc) ? xcalloc(json_object_size(sc), sizeof(*sy)) : NULL;
        json_object_foreach(sc, key, v)
        {
                if (!json_is_string(v)) {
                        free(sy);
                        rt_spawn_free(s);
                        return err_set(err, EINVAL, "invalid sysctl %s in container %.12s", key,
                                       s->id);
                }
                sy[s->nsysctls++] = (struct rt_sysctl){key, json_string_value(v)};
        }
        s->sysctls = sy;
        if (rt_ctr_proc_spec(j, &s->proc, err) < 0) {
                rt_spawn_free(s);
                return -1;
        }
        push_array(&s->proc.argv, rt_doc_entrypoint(j));
        push_array(&s->proc.argv, rt_doc_cmd(j));
        s->proc.tty = rt_doc_tty(j);
        return 0;
}

void rt_spawn_free(struct rt_spawn *s)
{
        if (s->lower) {
                strv_free((strv_t *)s->lower);
                free((strv_t *)s->lower);
                s->lower = NULL;
        }
        free((void *)s->mounts);
        s->mounts = NULL;
        free((void *)s->sysctls);
        s->sysctls = NULL;
        s->nsysctls = 0;
        rt_proc_free(&s->proc);
}

int rt_ctr_tmpfs_check(const json_t *tmpfs, err_t *err)
{
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)tmpfs, key, v)
        {
                unsigned attrs;
                char *data = NULL;
                if (key[0] != '/')
                        return err_set(err, EINVAL, "tmpfs %s: the path must be absolute", key);
                if (rt_tmpfs_opts(json_string_value(v), false, &attrs, &data, err) < 0)
                        return err_wrap(err, "tmpfs %s", key);
                free(data);
        }
        return 0;
}
