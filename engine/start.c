/* start.c - launching monitors, starting and stopping containers (start.h). */
#include "start.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/crash.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "dnsreg.h"
#include "netglue.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/exe_seal.h"
#include "runtime/monitor.h"
#include "runtime/spawn.h"

int ctr_signal_parse(const char *s)
{
        static const struct {
                const char *n;
                int s;
        } sigs[] = {
            {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
            {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"BUS", SIGBUS},     {"FPE", SIGFPE},
            {"KILL", SIGKILL},     {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
            {"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
            {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
            {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
            {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
            {"PWR", SIGPWR},       {"SYS", SIGSYS}};
        if (!s || !*s)
                return -1;
        char *end;
        long v = strtol(s, &end, 10);
        if (!*end)
                return v > 0 && v < NSIG ? (int)v : -1;
        const char *n = strncasecmp(s, "SIG", 3) ? s : s + 3;
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                if (!strcasecmp(sigs[i].n, n))
                        return sigs[i].s;
        return -1;
}

int ctr_get(const char *ref, char **id, json_t **j, int *lockfd, err_t *err)
{
        _cleanup_free_ char *cid = NULL;
        _cleanup_free_ char *dir = strlen(ref) == RT_ID_LEN ? rt_ctr_dir(ref) : NULL;
        if (dir && access(dir, F_OK) == 0) /* a full id: skip the scan of all containers */
                cid = xstrdup(ref);
        else if (rt_ctr_resolve(ref, &cid, err) < 0)
                return -1;
        _cleanup_close_ int lk = rt_ctr_lock(cid, err);
        if (lk < 0)
                return -1;
        json_t *doc = NULL;
        if (rt_ctr_load(cid, &doc, err) < 0) {
                if (err->code == ENOENT)
                        return -1;
                /* corrupt state: say so, and hand out the id for rm -f (the
                 * message is copied out first: it is formatted into itself) */
                char why[sizeof(err->msg)];
                snprintf(why, sizeof(why), "%s", err->msg);
                err_set(err, EBADMSG, "%s: a corrupt config.json; berth rm -f %.12s removes it",
                        why, cid);
                *id = TAKE_PTR(cid);
                return -1;
        }
        if (rt_ctr_reconcile(cid, doc, err) < 0) {
                json_decref(doc);
                return -1;
        }
        *j = doc;
        *id = TAKE_PTR(cid);
        if (lockfd)
                *lockfd = TAKE_FD(lk);
        return 0;
}

/* The sealed copy of the monitor this process found or made, kept for its
 * next monitors (compose starts many): checked against the file once per
 * process, not once per container.  Returns a new fd of it, or -1. */
static pthread_mutex_t exe_mu = PTHREAD_MUTEX_INITIALIZER;
static int exe_fd = -1;

static int monitor_exe(const char *mon, bool *fresh)
{
        *fresh = false;
        pthread_mutex_lock(&exe_mu);
        if (exe_fd < 0 && strchr(mon, '/')) {
                _cleanup_free_ char *record =
                    xasprintf("%s/%s", berth_run_dir(), RT_MONITOR_EXE_RECORD);
                err_t e = {0};
                exe_fd = rt_exe_shared_copy(mon, record, fresh, &e);
        }
        int fd = exe_fd >= 0 ? fcntl(exe_fd, F_DUPFD_CLOEXEC, 3) : -1;
        pthread_mutex_unlock(&exe_mu);
        return fd;
}

struct mon_launch {
        const char *mon, *logp;
        char **argv;
        char **envp; /* with exefd: environ and where the monitor's siblings are */
        int exefd;   /* a sealed copy of the monitor to run, or -1: run mon */
        int fd;
        const int *keep;
        size_t nkeep;
        sigset_t mask; /* the caller's signal mask, for the monitor */
        char *stack2;  /* the grandchild's stack */
};

#define MON_STACK (64 * 1024)
/* How long a stop waits for the monitor to record the exit and go. */
#define MONITOR_EXIT_WAIT_MS 5000

/* The two clone children run on their own stacks, which AddressSanitizer
 * does not know about: keep its instrumentation out of them. */
#define CHILD_FN __attribute__((no_sanitize_address))

/* The grandchild: stdio, fd 3 and the kept fds, then exec the monitor.
 * Runs on the caller's memory (CLONE_VM) while the caller is suspended, so
 * only plain syscalls here. */
CHILD_FN static int mon_exec(void *arg)
{
        struct mon_launch *l = arg;
        /* no handler of the caller may run on its memory from here on */
        for (int sig = 1; sig < NSIG; sig++) {
                struct sigaction sa;
                if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
                    sa.sa_handler != SIG_IGN)
                        signal(sig, SIG_DFL);
        }
        signal(SIGPIPE, SIG_DFL);
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        int lf = open(l->logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        int high[1 + MONITOR_KEEP_FDS_MAX];
        size_t nh = 1 + (l->nkeep < MONITOR_KEEP_FDS_MAX ? l->nkeep : MONITOR_KEEP_FDS_MAX);
        /* move everything above the targets first so nothing is clobbered */
        high[0] = fcntl(l->fd, F_DUPFD, 100);
        for (size_t i = 1; i < nh; i++)
                high[i] = fcntl(l->keep[i - 1], F_DUPFD, 100);
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(lf >= 0 ? lf : nul, 2);
        int exe = l->exefd >= 0 ? fcntl(l->exefd, F_DUPFD_CLOEXEC, 100) : -1;
        for (size_t i = 0; i < nh; i++)
                dup2(high[i], 3 + (int)i);
        if (exe >= 0)
                exe = dup3(exe, 3 + (int)nh, O_CLOEXEC);
        syscall(SYS_close_range, 3U + (unsigned)nh + (exe >= 0), ~0U, 0U);
        sigprocmask(SIG_SETMASK, &l->mask, NULL);
        if (exe >= 0)
                syscall(SYS_execveat, exe, "", l->argv, l->envp, AT_EMPTY_PATH);
        else
                execv(l->mon, l->argv);
        dprintf(2, "berth: exec %s: %s\n", l->mon, strerror(errno));
        _exit(127);
}

/* The child: a new session, the grandchild, then gone, so the monitor is
 * not our child. */
CHILD_FN static int mon_session(void *arg)
{
        struct mon_launch *l = arg;
        setsid();
        pid_t g = clone(mon_exec, l->stack2 + MON_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, l);
        _exit(g < 0 ? 127 : 0);
}

/* Double spawn so the monitor is in its own session and not our child.  It
 * gets stdio, the sync socket as fd 3 and keep[i] as fd 4 + i, nothing else.
 * vfork-style clones (CLONE_VM|CLONE_VFORK) rather than fork(): a fork of the
 * (multi-threaded, compose up) CLI copies its page tables and then makes every
 * thread take copy-on-write faults with cross-CPU TLB flushes, which was a
 * large part of the CLI's CPU time per container. */
static int launch_monitor(const char *id, int fd, const int *keep, size_t nkeep, err_t *err)
{
        _cleanup_free_ char *mon =
            berth_sibling_path("BERTH_MONITOR", "berth-monitor", "berth-monitor");
        _cleanup_free_ char *dir = rt_ctr_dir(id);
        _cleanup_free_ char *logp = xasprintf("%s/monitor.log", dir);
        strv_t args = STRV_INIT;
        strv_push(&args, "berth-monitor");
        strv_push(&args, id);
        strv_push(&args, "3");
        for (size_t i = 0; i < nkeep; i++) {
                strv_push(&args, "--keep-fd");
                strv_pushf(&args, "%zu", 4 + i);
        }
        /* The monitor runs from a sealed copy (runtime/exe_seal.h), shared
         * by the monitors of one binary version: exec it directly, telling
         * the monitor where its siblings are (its /proc/self/exe is the
         * memfd), rather than exec the file and copy it there. */
        bool fresh = false;
        _cleanup_close_ int exefd = monitor_exe(mon, &fresh);
        if (fresh)
                strv_push(&args, "--share-exe");
        strv_t env = STRV_INIT;
        if (exefd >= 0) {
                _cleanup_free_ char *mdir = xstrdup(mon);
                const char *mondir = dirname(mdir);
                extern char **environ;
                for (char **e = environ; *e; e++)
                        if (strncmp(*e, "GLIBC_TUNABLES=", 15) != 0)
                                strv_push(&env, *e);
                /* No per-thread cache in the monitor's malloc: the chunks
                 * that cache holds after the start are marked in use and
                 * keep ~30 kB of heap pages from malloc_trim for the
                 * container's life; one arena and no cached thread stack,
                 * for the start's cgroup thread (docs/PERFORMANCE.md,
                 * session 6); no rseq area (the kernel writes it in the
                 * thread block after every migration: a page the monitor
                 * and its watcher then held a copy each of; glibc only
                 * uses it for sched_getcpu).  Appended to the user's own,
                 * once (a CLI started by a watcher inherits them). */
                static const char mon_tun[] =
                    "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1:"
                    "glibc.pthread.stack_cache_size=0:glibc.pthread.rseq=0";
                const char *tun = getenv("GLIBC_TUNABLES");
                if (tun && strstr(tun, mon_tun))
                        strv_pushf(&env, "GLIBC_TUNABLES=%s", tun);
                else
                        strv_pushf(&env, "GLIBC_TUNABLES=%s%s%s", tun ?: "", tun && *tun ? ":" : "",
                                   mon_tun);
                if (!getenv("BERTH_CLI"))
                        strv_pushf(&env, "BERTH_CLI=%s/berth", mondir);
                if (!getenv("BERTH_DNS_BIN"))
                        strv_pushf(&env, "BERTH_DNS_BIN=%s/berth-dns", mondir);
        }
        _cleanup_free_ char *stacks = xmalloc(2 * MON_STACK);
        struct mon_launch l = {.mon = mon,
                               .logp = logp,
                               .argv = args.v,
                               .envp = env.v,
                               .exefd = exefd,
                               .fd = fd,
                               .keep = keep,
                               .nkeep = nkeep,
                               .stack2 = stacks + MON_STACK};
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &l.mask);
        pid_t c = clone(mon_session, stacks + MON_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &l);
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &l.mask, NULL);
        strv_free(&args);
        strv_free(&env);
        if (c < 0)
                return err_sys(err, e, "clone");
        int st;
        while (waitpid(c, &st, 0) < 0 && errno == EINTR)
                ;
        return 0;
}

int ctr_attach_connect(const char *id, int attach, unsigned short rows, unsigned short cols,
                       err_t *err)
{
        char req[64];
        snprintf(req, sizeof(req), "attach %d %u %u %d\n", (attach & ATTACH_STDIN) ? 1 : 0, rows,
                 cols, (attach & ATTACH_ENDED) ? 1 : 0);
        return rt_ctl_connect(id, req, err);
}
/* Networking between "created" and "started": the init of container id is
 * pid (blocked before exec) and j its state document; netwire connects the
 * container's networks (or just brings lo up for --network none), then its
 * names go into berth-dns, resolvable before its process runs. */
/* The top-level members of j that differ from stored (the document on
 * disk), as JSON text for RT_MON_GO, in *out (NULL when nothing differs).
 * < 0 when the change cannot be sent that way (a member removed, the state
 * changed, no copy of the stored document, too large): j must be saved. */
static int doc_delta(const json_t *stored, json_t *j, char **out)
{
        *out = NULL;
        if (!stored)
                return -1;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)stored, k, v)
        {
                if (!json_object_get(j, k))
                        return -1;
        }
        _cleanup_json_ json_t *d = json_object();
        json_object_foreach(j, k, v)
        {
                if (!json_equal(json_object_get(stored, k), v))
                        json_object_set(d, k, v);
        }
        if (!json_object_size(d))
                return 0;
        if (json_object_get(d, "State"))
                return -1;
        *out = json_dumps(d, JSON_COMPACT);
        if (!*out || strlen(*out) > RT_MON_DOC_MAX) {
                free(*out);
                *out = NULL;
                return -1;
        }
        return 0;
}

static void hold_end(bool *holding)
{
        if (*holding)
                fs_hold_replaced(false);
        *holding = false;
}

static int network_setup(const char *id, pid_t pid, json_t *j, err_t *err)
{
        if (netwire_start(id, pid, j, err) < 0)
                return -1;
        return dnsreg_register(id, j, err);
}

/* A monitor alive while the state says its container does not run: one
 * finishing (its container has just ended and it is writing the end, or its
 * starter was killed before it said go and it aborts) or another start under
 * way.  Wait (at most MONITOR_EXIT_WAIT_MS, without the container lock,
 * which a finishing monitor takes for its last state write) until it is gone
 * or the container runs, so a start right after an exit starts it again
 * instead of failing with "already being started" (1 in 2 of the starts of
 * a container running `true` did, one after the other). */
static void wait_monitor_settled(const char *id)
{
        for (int i = 0; i < MONITOR_EXIT_WAIT_MS / 10 && rt_ctr_monitor_alive(id, NULL); i++) {
                _cleanup_json_ json_t *j = NULL;
                if (rt_ctr_load(id, &j, NULL) < 0)
                        return;
                const char *st = rt_doc_status(j);
                if (st &&
                    (!strcmp(st, "running") || !strcmp(st, "restarting") || !strcmp(st, "paused")))
                        return;
                usleep(10 * 1000);
        }
}

int ctr_start(const char *id, const struct ctr_start_opts *o, int *sockp, bool *ttyp, int *status,
              err_t *err)
{
        int attach = o->attach;
        const int *keep_fds = o->keep_fds;
        size_t nkeep = o->nkeep;
        *sockp = -1;
        *ttyp = false;
        if (nkeep >= MONITOR_KEEP_FDS_MAX) /* one more: the monitor lock */
                return err_set(err, EINVAL, "too many fds for the monitor (%zu, at most %d)", nkeep,
                               MONITOR_KEEP_FDS_MAX - 1);
        *status = 125;
        _cleanup_close_ int lk = -1;
        _cleanup_close_ int claim = -1; /* the monitor lock, for the monitor */
        _cleanup_json_ json_t *j = NULL;
        for (int tries = 0;; tries++) {
                lk = rt_ctr_lock(id, err);
                if (lk < 0)
                        return -1;
                if (rt_ctr_load(id, &j, err) < 0 || rt_ctr_reconcile(id, j, err) < 0)
                        return -1;
                const char *st = rt_doc_status(j);
                if (st && (!strcmp(st, "running") || !strcmp(st, "restarting"))) {
                        *status = 0;
                        return 0; /* already started: docker start is a no-op */
                }
                if (st && !strcmp(st, "paused"))
                        return err_set(err, EBUSY,
                                       "cannot start a paused container, try unpause instead");
                if (!rt_ctr_monitor_alive(id, NULL)) {
                        /* a monitor is alive from now on: one whose
                         * launcher dies before it records its pid is
                         * waited for, never run beside a second one */
                        claim = rt_ctr_monitor_claim(id, err);
                        if (claim < 0)
                                return -1;
                        break;
                }
                if (tries > 0)
                        return err_set(err, EBUSY, "container %.12s is already being started", id);
                crash_point("start.wait");
                /* its monitor is still finishing (or aborting, its starter
                 * killed): wait for it without the lock, which it takes
                 * for its last state write */
                close(TAKE_FD(lk));
                json_decref(TAKE_PTR(j));
                wait_monitor_settled(id);
        }
        _cleanup_json_ json_t *stored = json_deep_copy(j); /* as on disk now */
        ctr_mark_user_stop(id, false);
        bool tty = rt_doc_tty(j);
        *ttyp = tty;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return err_sys(err, errno, "socketpair");
        _cleanup_close_ int mine = sv[0];
        /* Published host ports: bound now, so a conflict fails before the
         * container exists; the monitor keeps them with the caller's fds. */
        _cleanup_free_ int *pfds = NULL;
        size_t npfds = 0;
        if (netwire_reserve_ports(j, &pfds, &npfds, err) < 0) {
                close(sv[1]);
                return -1;
        }
        _cleanup_free_ int *all = xcalloc(nkeep + npfds + 1, sizeof(int));
        for (size_t i = 0; i < nkeep; i++)
                all[i] = keep_fds[i];
        for (size_t i = 0; i < npfds; i++)
                all[nkeep + i] = pfds[i];
        all[nkeep + npfds] = claim; /* kept by the monitor for its life */
        int r = nkeep + npfds + 1 > RT_MON_KEEP_FDS_MAX
                    ? err_set(err, EINVAL, "too many published ports (%zu, at most %zu)", npfds,
                              RT_MON_KEEP_FDS_MAX - nkeep - 1)
                    : launch_monitor(id, sv[1], all, nkeep + npfds + 1, err);
        close(sv[1]);
        close(TAKE_FD(claim));
        for (size_t i = 0; i < npfds; i++)
                close(pfds[i]);
        if (r < 0)
                return -1;
        crash_point("start.launched");
        struct rt_mon_msg m;
        r = rt_mon_recv(mine, &m);
        crash_point("start.monitor");
        if (r != 1 || m.type != RT_MON_PID) {
                if (r == 1 && m.type == RT_MON_ERROR) {
                        *status = m.pid ? m.pid : 125;
                        return err_set(err, m.code, "%s", m.msg);
                }
                return err_set(
                    err, EIO, "container %.12s: monitor failed to start (see its monitor.log)", id);
        }
        /* The run dir's files the network set-up replaces (the network's
         * endpoints, the DNS records) stay open until "go" is sent: on a
         * disk mounted with discard, freeing their blocks at the rename is a
         * synchronous discard (0.2-14 ms each here), which then runs beside
         * the container's exec instead of before it. */
        _cleanup_(hold_end) bool holding = true;
        fs_hold_replaced(true);
        if (network_setup(id, m.pid, j, err) < 0)
                return -1; /* closing our end makes the monitor abort */
        /* What the network set-up changed (NetworkSettings) goes to the
         * monitor with "go" and is written with the running state: one
         * write of config.json (a new inode, two fsyncs) instead of two on
         * the way to exec; nothing at all for --network none.  Written here
         * only when it cannot go that way. */
        _cleanup_free_ char *delta = NULL;
        if (doc_delta(stored, j, &delta) < 0 && rt_ctr_save(id, j, err) < 0)
                return -1;
        _cleanup_close_ int sock = -1;
        if (attach) {
                sock = ctr_attach_connect(id, attach, tty ? o->rows : 0, tty ? o->cols : 0, err);
                if (sock < 0)
                        return -1;
        }
        crash_point("start.network");
        close(TAKE_FD(lk)); /* the monitor records the state from now on */
        if (rt_mon_send_go(mine, delta) < 0)
                return err_sys(err, errno, "start container %.12s", id);
        hold_end(&holding);
        r = rt_mon_recv(mine, &m);
        if (r != 1 || m.type != RT_MON_STARTED) {
                if (r == 1 && m.type == RT_MON_ERROR) {
                        *status = m.pid ? m.pid : 125;
                        return err_set(err, m.code, "%s", m.msg);
                }
                return err_set(err, EIO, "container %.12s failed to start", id);
        }
        *status = 0;
        *sockp = TAKE_FD(sock);
        return 0;
}

static char *user_stop_path(const char *id)
{
        _cleanup_free_ char *dir = rt_ctr_dir(id);
        return xasprintf("%s/stopped-by-user", dir);
}

void ctr_mark_user_stop(const char *id, bool on)
{
        _cleanup_free_ char *p = user_stop_path(id);
        if (on) {
                int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0)
                        close(fd);
        } else {
                unlink(p);
        }
}

bool ctr_stopped_by_user(const char *id)
{
        _cleanup_free_ char *p = user_stop_path(id);
        return access(p, F_OK) == 0;
}

bool ctr_policy_restarts(const char *id, json_t *j, bool failed)
{
        long long max;
        const char *p = rt_doc_restart_policy(j, &max);
        if (!p)
                return false;
        if (!strcmp(p, "always"))
                return true;
        if (!strcmp(p, "unless-stopped"))
                return !ctr_stopped_by_user(id);
        if (!strcmp(p, "on-failure") && failed) {
                return max <= 0 || rt_doc_restart_count(j) < max;
        }
        return false;
}

/* ctr_stop without the release; *jp: the document loaded (NULL when the
 * caller does not want it). */
static int stop_process(const char *id, int timeout, json_t **jp, err_t *err)
{
        _cleanup_json_ json_t *j = NULL;
        if (rt_ctr_load(id, &j, err) < 0)
                return -1;
        if (timeout < 0)
                timeout = rt_doc_stop_timeout(j, 10);
        int sig = ctr_signal_parse(rt_doc_stop_signal(j));
        if (sig <= 0)
                sig = SIGTERM;
        char req[64];
        snprintf(req, sizeof(req), "stop %d %d\n", sig, timeout);
        ctr_mark_user_stop(id, true);
        err_t e2 = {0};
        _cleanup_close_ int mon = rt_ctr_monitor_pidfd(id);
        _cleanup_close_ int fd = rt_ctl_connect(id, req, &e2);
        if (fd < 0)
                return 0; /* no monitor: not running */
        char buf[256];
        for (;;) { /* the monitor closes the connection when the container is gone */
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n == 0 || (n < 0 && errno != EINTR))
                        break;
        }
        /* wait (at most MONITOR_EXIT_WAIT_MS) for the monitor to finish
         * writing state and exit: on its pidfd, which wakes us as it goes
         * (polling every 10 ms lost 5 ms per stop on average) */
        struct pollfd pw = {.fd = mon, .events = POLLIN};
        if (mon < 0 || poll(&pw, 1, MONITOR_EXIT_WAIT_MS) < 0)
                for (int i = 0; i < MONITOR_EXIT_WAIT_MS / 10 && rt_ctr_monitor_alive(id, NULL);
                     i++)
                        usleep(10 * 1000);
        if (jp)
                *jp = TAKE_PTR(j);
        return 0;
}

int ctr_stop_process(const char *id, int timeout, err_t *err)
{
        return stop_process(id, timeout, NULL, err);
}

int ctr_stop(const char *id, int timeout, err_t *err)
{
        _cleanup_json_ json_t *j = NULL;
        if (stop_process(id, timeout, &j, err) < 0)
                return -1;
        /* its names, published ports and (unless static) addresses go with it */
        return j ? netwire_release(id, j, false, err) : 0;
}

int ctr_set_paused(const char *id, bool pause, err_t *err)
{
        _cleanup_close_ int fd = rt_ctl_connect(id, pause ? "pause\n" : "unpause\n", NULL);
        if (fd < 0)
                return err_set(err, ESRCH, "container %s is not running", id);
        char reply[ERR_MSG_MAX + 16];
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, reply + len, sizeof(reply) - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
                if (len == sizeof(reply) - 1)
                        break;
        }
        reply[len] = '\0';
        reply[strcspn(reply, "\n")] = '\0';
        char *msg = NULL;
        long code = len ? strtol(reply, &msg, 10) : -1;
        if (code == 0)
                return 0;
        if (code < 0) /* the monitor went away: the container exited meanwhile */
                return err_set(err, ESRCH, "container %s is not running", id);
        return err_set(err, (int)code, "%s", *msg == ' ' ? msg + 1 : msg);
}
