#include "monitor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "container.h"
#include "crash.h"
#include "ctr_doc.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "paths.h"
#include "spawn.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

int rt_mon_send(int fd, int type, int code, pid_t pid, const char *msg)
{
        struct rt_mon_msg m = {.type = type, .code = code, .pid = pid};
        if (msg)
                snprintf(m.msg, sizeof(m.msg), "%s", msg);
        ssize_t r;
        do
                r = send(fd, &m, sizeof(m), MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        return r == (ssize_t)sizeof(m) ? 0 : -1;
}

int rt_mon_recv(int fd, struct rt_mon_msg *m)
{
        ssize_t r;
        do
                r = recv(fd, m, sizeof(*m), 0);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -1;
        if (r == 0)
                return 0;
        m->msg[sizeof(m->msg) - 1] = '\0';
        return 1;
}

int rt_mon_send_go(int fd, const char *doc)
{
        size_t n = doc ? strlen(doc) : 0;
        if (n > RT_MON_DOC_MAX) {
                errno = EMSGSIZE;
                return -1;
        }
        if (rt_mon_send(fd, RT_MON_GO, doc ? RT_MON_GO_DOC : 0, 0, NULL) < 0)
                return -1;
        if (!doc)
                return 0;
        ssize_t r;
        do
                r = send(fd, doc, n, MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        return r == (ssize_t)n ? 0 : -1;
}

/* The document that follows RT_MON_GO_DOC: a JSON object, or NULL (EOF, a
 * packet larger than RT_MON_DOC_MAX, not an object). */
static json_t *recv_go_doc(int fd)
{
        ssize_t n;
        do
                n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
        while (n < 0 && errno == EINTR);
        if (n <= 0 || n > RT_MON_DOC_MAX)
                return NULL;
        _cleanup_free_ char *buf = xmalloc((size_t)n);
        ssize_t r;
        do
                r = recv(fd, buf, (size_t)n, 0);
        while (r < 0 && errno == EINTR);
        if (r != n)
                return NULL;
        json_t *j = json_loadb(buf, (size_t)n, 0, NULL);
        if (j && !json_is_object(j)) {
                json_decref(j);
                j = NULL;
        }
        return j;
}

/* A unix stream socket and the address of the container's control socket.
 * Unix socket paths are limited to 108 bytes and state roots can be deep:
 * the address goes through *dirfd, an fd of its directory, which the caller
 * keeps open while it binds or connects, then closes. */
static int ctl_socket(const char *id, struct sockaddr_un *sa, int *dirfd, err_t *err)
{
        _cleanup_free_ char *rd = rt_ctr_run_dir(id);
        *dirfd = open(rd, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*dirfd < 0)
                return err_sys(err, errno, "container %.12s is not running", id);
        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/ctl.sock", *dirfd);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return err_sys(err, errno, "socket");
        return fd;
}

int rt_ctl_connect(const char *id, const char *request, err_t *err)
{
        struct sockaddr_un sa;
        _cleanup_close_ int dfd = -1;
        _cleanup_close_ int fd = ctl_socket(id, &sa, &dfd, err);
        if (fd < 0)
                return -1;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return err_sys(err, errno, "connect to container %.12s monitor", id);
        /* MSG_NOSIGNAL: a monitor that closes as its container ends is an
         * EPIPE to report, not a SIGPIPE that kills the caller silently
         * (`berth wait` right after a start that exits at once printed
         * nothing) */
        for (size_t off = 0, n = strlen(request); off < n;) {
                ssize_t w = send(fd, request + off, n - off, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return err_sys(err, errno, "write to container %.12s monitor", id);
                off += (size_t)w;
        }
        return TAKE_FD(fd);
}

static int read_full(int fd, void *buf, size_t n)
{
        size_t got = 0;
        while (got < n) {
                ssize_t r = read(fd, (char *)buf + got, n - got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return got == 0 && r == 0 ? 0 : -1;
                got += (size_t)r;
        }
        return 1;
}

int rt_frame_read(int fd, int *stream, char **data, size_t *len)
{
        unsigned char h[8];
        int r = read_full(fd, h, 8);
        if (r <= 0)
                return r;
        uint32_t n = ((uint32_t)h[4] << 24) | ((uint32_t)h[5] << 16) | ((uint32_t)h[6] << 8) | h[7];
        if (n > (1u << 24))
                return -1;
        char *b = xmalloc(n + 1);
        if (n && read_full(fd, b, n) != 1) {
                free(b);
                return -1;
        }
        b[n] = '\0';
        *stream = h[0];
        *data = b;
        *len = n;
        return 1;
}

/* The one buffer for reads of output, client input and probe output. */
static char io_buf[16384];

/* ---- monitor state ------------------------------------------------------------- */

enum { CL_ATTACH = 1, CL_WAIT, CL_STOP, CL_PENDING };

/* A client socket is non-blocking: no client may stall the monitor.  Output
 * a client does not take at once waits in its queue, up to CLIENT_OUTQ_MAX;
 * a client that falls further behind is dropped (Docker drops slow attach
 * streams too).  A new connection must send its request line within
 * CLIENT_REQ_MS. */
#define CLIENT_OUTQ_MAX (1u << 20)
#define CLIENT_REQ_MS   5000

struct client {
        int fd;
        int kind;
        bool in;          /* forwards stdin */
        bool eof;         /* sent EOF: only receives from now on */
        bool closing;     /* close once the queue is out */
        bool ended;       /* CL_ATTACH: wants RT_STREAM_ENDED */
        strbuf_t outq;    /* output the socket did not take yet */
        int64_t deadline; /* CL_PENDING: drop at this CLOCK_MONOTONIC ms */
};

#define MAX_CLIENTS 64

struct mon {
        const char *id;
        json_t *j;        /* latest state document */
        bool auto_remove; /* --rm: its HostConfig.AutoRemove, read once */
        json_t *spec_doc; /* the document spec points into, during a start */
        struct rt_spawn spec;
        pid_t pid;
        int out_r, err_r, in_w, ptm;
        int lsock, sigfd, stop_tfd, restart_tfd, drain_tfd;
        /* healthcheck: interval timer, the running check, its output */
        int hc_tfd, hc_out;
        bool hc_fast; /* the timer runs at StartInterval until StartPeriod is over */
        pid_t hc_pid;
        bool hc_timed_out;
        struct timespec hc_begin;
        char *hc_start;
        char *hc_exec_id; /* the probe's exec, for its exec_* events */
        strbuf_t hc_buf;
        int netns_fd;
        /* the init's mount namespace, held so that its teardown (unmounting
         * everything waits for an RCU grace period, 3-9 ms here) happens
         * after the exit is reported, not between the init's exit and its
         * reaping */
        int mntns_fd;
        struct client cl[MAX_CLIENTS];
        size_t ncl;
        /* stdin for the container that its pipe or pty did not take yet;
         * while it waits, no more is read from the clients */
        strbuf_t inq;
        bool in_close; /* close in_w once inq is out */
        bool manual_stop, exited, finished;
        bool stop_req; /* a `stop` asked for this exit: a stop event follows die */
        bool paused;   /* the cgroup is frozen (`pause`) */
        int status;
        int log_fd;
        size_t log_size;
        char *log_path;
        strbuf_t line[3];
        int restarts;
        bool unsaved; /* the last state write failed (ENOSPC) */
        bool removed; /* auto-removed at its end */
        int64_t backoff_ms;
        struct timespec started;
        /* members the CLI sent with RT_MON_GO (the network settings),
         * recorded with the next state */
        json_t *go_doc;
};

/* The container's document.  While the container runs it is not kept in
 * memory (~16 kB of jansson objects for the container's life): it is read
 * again when something needs it, and let go before the monitor waits
 * (mon_doc_release).  A state the monitor could not write (m->unsaved) is
 * kept: it is the only copy. */
static json_t *mon_doc(struct mon *m)
{
        if (!m->j)
                (void)rt_ctr_load(m->id, &m->j, NULL);
        return m->j;
}

static void mon_doc_release(struct mon *m)
{
        if (!m->j || m->unsaved)
                return;
        json_decref(m->j);
        m->j = NULL;
        malloc_trim(0);
}

static void mon_close(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static void log_open(struct mon *m)
{
        m->log_fd = open(m->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        struct stat st;
        m->log_size = (m->log_fd >= 0 && fstat(m->log_fd, &st) == 0) ? (size_t)st.st_size : 0;
}

/* The length of the UTF-8 sequence at s (n bytes left), 0 when it is not
 * one (jansson's rules: no overlong form, no surrogate, nothing above
 * U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
        unsigned c = s[0];
        size_t len;
        uint32_t v;
        if (c < 0x80)
                return 1;
        if (c < 0xC2)
                return 0; /* a continuation byte, or an overlong 2-byte form */
        if (c < 0xE0) {
                len = 2;
                v = c & 0x1F;
        } else if (c < 0xF0) {
                len = 3;
                v = c & 0x0F;
        } else if (c < 0xF5) {
                len = 4;
                v = c & 0x07;
        } else {
                return 0;
        }
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                v = (v << 6) | (s[i] & 0x3F);
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (len == 3 && v < 0x800) ||
            (len == 4 && v < 0x10000))
                return 0;
        return len;
}

static char *put(char *o, const char *s)
{
        while (*s)
                *o++ = *s++;
        return o;
}

/* v as exactly w decimal digits */
static char *put_num(char *o, long long v, int w)
{
        for (int i = w - 1; i >= 0; i--) {
                o[i] = (char)('0' + v % 10);
                v /= 10;
        }
        return o + w;
}

size_t rt_log_line_encode(char *out, int stream, const char *s, size_t n, long long secs, long nsec)
{
        const unsigned char *u = (const unsigned char *)s;
        bool utf8 = true;
        for (size_t i = 0, l; i < n && utf8; i += l)
                utf8 = (l = utf8_len(u + i, n - i)) != 0;
        static const char hex[] = "0123456789ABCDEF";
        char *o = put(out, "{\"log\":\"");
        for (size_t i = 0; i < n; i++) {
                unsigned char c = u[i] >= 0x80 && !utf8 ? '?' : u[i];
                const char *esc = NULL;
                switch (c) {
                case '"':
                        esc = "\\\"";
                        break;
                case '\\':
                        esc = "\\\\";
                        break;
                case '\b':
                        esc = "\\b";
                        break;
                case '\f':
                        esc = "\\f";
                        break;
                case '\n':
                        esc = "\\n";
                        break;
                case '\r':
                        esc = "\\r";
                        break;
                case '\t':
                        esc = "\\t";
                        break;
                default:
                        break;
                }
                if (esc) {
                        o = put(o, esc);
                } else if (c < 0x20) {
                        o = put(o, "\\u00");
                        *o++ = hex[c >> 4];
                        *o++ = hex[c & 15];
                } else {
                        *o++ = (char)c;
                }
        }
        o = put(o, stream == RT_STREAM_STDERR ? "\",\"stream\":\"stderr\",\"time\":\""
                                              : "\",\"stream\":\"stdout\",\"time\":\"");
        /* the civil date of a day count (days since 1970-01-01) */
        long long days = secs / 86400, sod = secs % 86400;
        long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
        long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        long long day = doy - (153 * mp + 2) / 5 + 1, mon = mp < 10 ? mp + 3 : mp - 9;
        long long year = yoe + era * 400 + (mon <= 2);
        o = put_num(o, year, 4);
        *o++ = '-';
        o = put_num(o, mon, 2);
        *o++ = '-';
        o = put_num(o, day, 2);
        *o++ = 'T';
        o = put_num(o, sod / 3600, 2);
        *o++ = ':';
        o = put_num(o, sod / 60 % 60, 2);
        *o++ = ':';
        o = put_num(o, sod % 60, 2);
        *o++ = '.';
        o = put_num(o, nsec, 9);
        o = put(o, "Z\"}\n");
        return (size_t)(o - out);
}

static void log_line(struct mon *m, int stream, const char *s, size_t n)
{
        if (m->log_fd < 0)
                return;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        char *d = malloc(RT_LOG_LINE_MAX(n));
        if (!d)
                return;
        size_t len = rt_log_line_encode(d, stream, s, n, (long long)now.tv_sec, now.tv_nsec);
        if (write_all(m->log_fd, d, len, NULL) == 0)
                m->log_size += len;
        free(d);
        if (m->log_size > RT_LOG_MAX) {
                _cleanup_free_ char *old = xasprintf("%s.1", m->log_path);
                rename(m->log_path, old);
                close(m->log_fd);
                log_open(m);
        }
}

/* Split output into lines for the log; a partial line waits for its end
 * (or 16 KiB, as Docker). */
static void log_data(struct mon *m, int stream, const char *s, size_t n, bool flush)
{
        strbuf_t *b = &m->line[stream];
        sb_appendn(b, s, n);
        size_t start = 0;
        for (size_t i = 0; i < b->len; i++)
                if (b->s[i] == '\n') {
                        log_line(m, stream, b->s + start, i + 1 - start);
                        start = i + 1;
                }
        if (b->len - start >= 16384 || (flush && b->len > start)) {
                log_line(m, stream, b->s + start, b->len - start);
                start = b->len;
        }
        if (start) {
                size_t rest = b->len - start;
                memmove(b->s, b->s + start, rest);
                b->len = rest;
                if (b->s)
                        b->s[rest] = '\0';
        }
}

int rt_mon_poll(struct pollfd *fds, unsigned long n, int timeout_ms)
{
        struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
        return (int)syscall(SYS_ppoll, fds, n, timeout_ms < 0 ? NULL : &ts, NULL,
                            (size_t)_NSIG / 8);
}

static int64_t mono_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void client_add(struct mon *m, int fd, int kind, bool in)
{
        m->cl[m->ncl++] = (struct client){
            .fd = fd, .kind = kind, .in = in, .deadline = mono_ms() + CLIENT_REQ_MS};
}

static void client_drop(struct mon *m, size_t i)
{
        close(m->cl[i].fd);
        sb_free(&m->cl[i].outq);
        m->cl[i] = m->cl[--m->ncl];
}

/* Send what the client's queue holds, without blocking.  < 0: the client is
 * gone or broken. */
static int client_flush(struct client *c)
{
        while (c->outq.len) {
                ssize_t w = send(c->fd, c->outq.s, c->outq.len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -1;
                memmove(c->outq.s, c->outq.s + w, c->outq.len - (size_t)w);
                c->outq.len -= (size_t)w;
                c->outq.s[c->outq.len] = '\0';
        }
        return 0;
}

/* Queue bytes for a client and send what its socket takes now.  < 0: drop
 * it (broken, or CLIENT_OUTQ_MAX behind). */
static int client_send(struct client *c, const void *buf, size_t n)
{
        if (c->outq.len + n > CLIENT_OUTQ_MAX)
                return -1;
        sb_appendn(&c->outq, buf, n);
        return client_flush(c);
}

static void send_frame(struct mon *m, int stream, const char *s, size_t n, int kinds)
{
        unsigned char h[8] = {(unsigned char)stream, 0, 0, 0};
        uint32_t be = htonl((uint32_t)n);
        memcpy(h + 4, &be, 4);
        for (size_t i = 0; i < m->ncl;) {
                struct client *c = &m->cl[i];
                if (!((1 << c->kind) & kinds)) {
                        i++;
                        continue;
                }
                if (c->closing || client_send(c, h, 8) < 0 || (n && client_send(c, s, n) < 0)) {
                        client_drop(m, i);
                        continue;
                }
                i++;
        }
}

/* RT_STREAM_ENDED to client i when it is an attach client that asked for
 * it; false when it was dropped (i is then the next one). */
static bool send_ended_to(struct mon *m, size_t i)
{
        const unsigned char h[8] = {RT_STREAM_ENDED, 0, 0, 0, 0, 0, 0, 0};
        struct client *c = &m->cl[i];
        if (c->kind == CL_ATTACH && c->ended && !c->closing && client_send(c, h, 8) < 0) {
                client_drop(m, i);
                return false;
        }
        return true;
}

/* RT_STREAM_ENDED to the attach clients that asked for it. */
static void send_ended(struct mon *m)
{
        for (size_t i = 0; i < m->ncl;)
                if (send_ended_to(m, i))
                        i++;
}

static void (*warn_hook)(const char *msg);
static void (*running_hook)(const char *id);

void rt_monitor_set_running_hook(void (*fn)(const char *id))
{
        running_hook = fn;
}

void rt_monitor_set_warn(void (*fn)(const char *msg))
{
        warn_hook = fn;
}

static void mon_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mon_warn(const char *fmt, ...)
{
        char buf[3 * ERR_MSG_MAX];
        va_list ap;
        if (!warn_hook)
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        warn_hook(buf);
}

/* Record status (and extra) in the container's state.  Returns < 0 with e
 * filled when it is not on disk: the container is gone (removed under us) or
 * the write failed (m->unsaved, e.g. ENOSPC). */
static int state_write(struct mon *m, const char *status, json_t *extra, err_t *e)
{
        _cleanup_close_ int lk = rt_ctr_lock(m->id, e);
        json_t *j = NULL;
        if (lk < 0 || rt_ctr_load(m->id, &j, e) < 0) {
                json_decref(extra);
                return -1;
        }
        json_t *st = rt_doc_set_status(j, status);
        if (extra)
                json_object_update(st, extra);
        json_decref(extra);
        json_object_set_new(j, "RestartCount", json_integer(m->restarts));
        if (m->go_doc) {
                json_object_update(j, m->go_doc);
                json_decref(m->go_doc);
                m->go_doc = NULL;
        }
        if (!strcmp(status, "exited"))
                rt_doc_clear_addresses(j); /* its addresses are freed now */
        m->unsaved = rt_ctr_save(m->id, j, e) < 0;
        if (m->unsaved && !strcmp(status, "exited")) {
                /* The exit must survive (a full disk, ENOSPC): in the reserve
                 * made at create, which the next command records. */
                err_t e2 = {0};
                int kept = rt_ctr_exit_keep(m->id, st, &e2);
                json_int_t code = json_integer_value(json_object_get(st, "ExitCode"));
                mon_warn("container %.12s exited with code %lld but its state could not be "
                         "written: %s%s%s; %s",
                         m->id, (long long)code, e->msg,
                         e->code == ENOSPC ? " (the disk holding BERTH_ROOT is full)" : "",
                         kept == 0 ? "" : ", and keeping the exit failed too: ",
                         kept == 0 ? "the exit is kept in " RT_CTR_EXIT_RESERVE
                                     " and the next berth command records it once there is space"
                                   : e2.msg);
        }
        json_decref(m->j);
        m->j = j;
        return m->unsaved ? -1 : 0;
}

static void state_update(struct mon *m, const char *status, json_t *extra)
{
        err_t e = {0};
        (void)state_write(m, status, extra, &e);
}

static void write_monitor_info(struct mon *m)
{
        _cleanup_free_ char *p = xasprintf("%s/containers/%s/monitor.json", berth_run_dir(), m->id);
        json_t *o = json_pack("{s:i,s:I,s:i,s:I}", "MonitorPid", (int)getpid(), "MonitorStart",
                              (json_int_t)rt_pid_starttime(getpid()), "Pid", (int)m->pid,
                              "PidStart", (json_int_t)rt_pid_starttime(m->pid));
        json_write_atomic(p, o, NULL);
        json_decref(o);
}

/* What the start leaves behind once the container runs.  The start (spec,
 * seccomp filter, cgroups, state documents) peaks above what the monitor
 * needs while the container runs, and a monitor lives as long as its
 * container: the freed heap and the stack pages below the caller's frame go
 * back to the kernel (touched again, they come back zero-filled, which is
 * all a stack below its pointer may hold), and the page-table entries of the
 * file mappings nothing wrote to (text, read-only data: no anonymous pages in
 * them, as smaps says) are dropped: the start ran code its loop never runs
 * again, and what the loop does run is mapped again on its first use, from
 * the page cache.  Each fault maps a 64 kB window ("fault-around") of the
 * file around it, so what runs between the drop and the loop's wait decides
 * how much of libc a quiet monitor maps: shed_find reads smaps and gives
 * back the heap and the stack, before the running hook (which makes the
 * watcher, formatting with snprintf), and shed_drop drops the mappings
 * after it, with nothing but madvise between the drop and the loop (reading
 * smaps, sscanf and the hook's snprintf mapped 10 of libc's 64 kB windows
 * again, 640 kB more RSS: libc's PSS in a lone monitor was 36-143 kB, with
 * the number of processes sharing those pages). */
#define SHED_MAX 32
static struct {
        uintptr_t lo, hi;
} shed_maps[SHED_MAX];
static size_t shed_n;
static uintptr_t shed_stack_lo, shed_pagesize;

/* Give back the stack below the caller's frame (two pages below it stay, for
 * madvise's own call). */
static __attribute__((noinline)) void shed_stack(void)
{
        /* the page size as shed_find found it: sysconf, here, would map
         * its own window of libc's text and one of its read-only data */
        uintptr_t pg = shed_pagesize;
        uintptr_t hi = ((uintptr_t)__builtin_frame_address(0) & ~(pg - 1)) - 2 * pg;
        if (shed_stack_lo && hi > shed_stack_lo)
                madvise((void *)shed_stack_lo, hi - shed_stack_lo, MADV_DONTNEED);
}

/* Give back the heap, and note the file mappings to drop (adjacent ones as
 * one range) and where the stack starts. */
static __attribute__((noinline)) void shed_find(void)
{
        malloc_trim(0);
        shed_n = 0;
        shed_pagesize = (uintptr_t)sysconf(_SC_PAGESIZE);
        FILE *f = fopen("/proc/self/smaps", "re");
        if (!f)
                return;
        /* ~40 mappings, ~45 kB of text: in 8 kB reads, not 1 kB ones (on
         * the stack, which shed_stack gives back) */
        char fbuf[8192];
        setvbuf(f, fbuf, _IOFBF, sizeof(fbuf));
        char line[512];
        uintptr_t lo = 0, hi = 0;
        bool cand = false;
        while (fgets(line, sizeof(line), f)) {
                unsigned long a, b;
                char perms[8];
                int off = 0;
                if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perms, &off) == 3) {
                        /* a mapping of a file (a path after the inode),
                         * never writable */
                        cand = perms[1] == '-' && perms[3] == 'p' && off > 0 && line[off] == '/';
                        lo = a;
                        hi = b;
                        if (off > 0 && !strncmp(line + off, "[stack]", 7))
                                shed_stack_lo = a;
                } else if (cand && !strncmp(line, "Anonymous:", 10)) {
                        cand = false;
                        if (strtoul(line + 10, NULL, 10) != 0)
                                continue;
                        if (shed_n && shed_maps[shed_n - 1].hi == lo)
                                shed_maps[shed_n - 1].hi = hi;
                        else if (shed_n < SHED_MAX)
                                shed_maps[shed_n++] = (typeof(shed_maps[0])){lo, hi};
                        else /* no room: now, at the cost of a fault */
                                madvise((void *)lo, hi - lo, MADV_DONTNEED);
                }
        }
        fclose(f);
        malloc_trim(0);
}

/* Drop the mappings shed_find noted, and the stack the caller's calls since
 * used.  Only madvise runs from here to the loop's wait, and nothing is
 * written (the watcher shares the data pages the monitor does not write). */
static __attribute__((noinline)) void shed_drop(void)
{
        for (size_t i = 0; i < shed_n; i++)
                madvise((void *)shed_maps[i].lo, shed_maps[i].hi - shed_maps[i].lo, MADV_DONTNEED);
        shed_stack();
}

/* The start is over: release the document (the loop reads it again when it
 * needs it) and what the start used, with hook (the monitor's running
 * hook, or NULL) run in between, on the memory as the container keeps it. */
static __attribute__((noinline)) void shed_start_memory(struct mon *m, void (*hook)(const char *id))
{
        mon_doc_release(m);
        shed_find();
        shed_stack();
        if (hook)
                hook(m->id);
        shed_drop();
}

/* The spawn spec of a start, from the latest document (held in spec_doc,
 * which the spec points into, until spec_drop). */
static void spec_drop(struct mon *m);
static int spec_load(struct mon *m, err_t *err)
{
        spec_drop(m);
        m->spec_doc = json_incref(mon_doc(m));
        return rt_ctr_spawn_spec(m->spec_doc, &m->spec, err);
}

/* Once the init has exec'd the spec is not needed until the next start: a
 * second copy of the document (~16 kB of jansson objects) less in the heap
 * for the container's life. */
static void spec_drop(struct mon *m)
{
        rt_spawn_free(&m->spec);
        memset(&m->spec, 0, sizeof(m->spec));
        json_decref(m->spec_doc);
        m->spec_doc = NULL;
}

/* Create and configure the init (blocked before exec). */
static int start_init(struct mon *m, int *fail_status, err_t *err)
{
        *fail_status = 125;
        bool tty = m->spec.proc.tty;
        bool open_stdin = rt_doc_open_stdin(mon_doc(m));
        int child[3] = {-1, -1, -1};
        int r = -1;
        if (!tty) { /* with a tty the init allocates its terminal inside the container */
                int o[2], e[2];
                if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0)
                        return err_sys(err, errno, "pipe");
                m->out_r = o[0];
                m->err_r = e[0];
                child[1] = o[1];
                child[2] = e[1];
                if (open_stdin) {
                        int in[2];
                        if (pipe2(in, O_CLOEXEC) < 0)
                                return err_sys(err, errno, "pipe");
                        child[0] = in[0];
                        m->in_w = in[1];
                } else {
                        child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
                }
        }
        memcpy(m->spec.stdio, child, sizeof(child));
        m->spec.join_netns_fd = m->netns_fd;
        m->spec.cgroup = true;
        int sync = -1;
        if (rt_spawn_start(&m->spec, &m->pid, &sync, &m->ptm, fail_status, err) < 0)
                goto out;
        /* a container that does not read its stdin must not block us */
        if (m->in_w >= 0)
                fcntl(m->in_w, F_SETFL, O_NONBLOCK);
        if (m->ptm >= 0)
                fcntl(m->ptm, F_SETFL, O_NONBLOCK);
        sb_reset(&m->inq);
        m->in_close = false;
        char nsp[64];
        snprintf(nsp, sizeof(nsp), "/proc/%d/ns/mnt", (int)m->pid);
        mon_close(&m->mntns_fd);
        m->mntns_fd = open(nsp, O_RDONLY | O_CLOEXEC);
        if (m->netns_fd < 0 && m->spec.new_netns) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)m->pid);
                m->netns_fd = open(p, O_RDONLY | O_CLOEXEC);
        }
        crash_point("monitor.spawned");
        write_monitor_info(m);
        r = sync;
out:
        for (int i = 0; i < 3; i++)
                if (child[i] >= 0)
                        close(child[i]);
        return r;
}

static void record_start_error(struct mon *m, int code, const err_t *e)
{
        _cleanup_free_ char *now = time_now_rfc3339();
        state_update(m, m->restarts ? "exited" : "created",
                     json_pack("{s:i,s:i,s:s,s:s}", "Pid", 0, "ExitCode", code, "Error", e->msg,
                               "FinishedAt", now));
}

static json_t *hc_test(struct mon *m);
static void hc_arm(struct mon *m);
static void disarm(int tfd);

/* The running state, written before the init is let go on the first start:
 * a container whose state cannot say it runs (a full disk) never runs. */
static int save_running(struct mon *m, err_t *err)
{
        _cleanup_free_ char *now = time_now_rfc3339();
        clock_gettime(CLOCK_MONOTONIC, &m->started);
        json_t *extra =
            json_pack("{s:i,s:i,s:s,s:s,s:s,s:b}", "Pid", (int)m->pid, "ExitCode", 0, "Error", "",
                      "StartedAt", now, "FinishedAt", "0001-01-01T00:00:00Z", "OOMKilled", 0);
        if (hc_test(m))
                json_object_set_new(
                    extra, "Health",
                    json_pack("{s:s,s:i,s:[]}", "Status", "starting", "FailingStreak", 0, "Log"));
        err_t e = {0};
        if (state_write(m, "running", extra, &e) < 0)
                return err_set(err, e.code ? e.code : EIO,
                               "container %.12s not started: its state could not be written: "
                               "%s%s",
                               m->id, e.msg,
                               e.code == ENOSPC ? " (the disk holding BERTH_ROOT is full: free "
                                                  "space there and start it again)"
                                                : "");
        return 0;
}

/* The container runs (its state says so): announce it. */
static void announce_running(struct mon *m)
{
        rt_ctr_event(mon_doc(m), "start", NULL);
        rt_ctr_volume_events(mon_doc(m), true);
        hc_arm(m);
}

/* ---- healthcheck ------------------------------------------------------------- */

#define NS_PER_S 1000000000LL

static int64_t hc_ns(struct mon *m, const char *key, int64_t dflt)
{
        json_t *h = json_object_get(json_object_get(mon_doc(m), "Config"), "Healthcheck");
        json_int_t v = json_integer_value(json_object_get(h, key));
        return v > 0 ? v : dflt;
}

/* Time since the container's process started. */
static int64_t uptime_ns(const struct mon *m)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (int64_t)(now.tv_sec - m->started.tv_sec) * NS_PER_S +
               (now.tv_nsec - m->started.tv_nsec);
}

/* The Test array when the container has a healthcheck, else NULL. */
static json_t *hc_test(struct mon *m)
{
        return rt_health_test(mon_doc(m));
}

static void hc_record(struct mon *m, int code, const char *output)
{
        _cleanup_free_ char *end = time_now_rfc3339();
        json_t *st = json_object_get(mon_doc(m), "State");
        json_t *h = json_deep_copy(json_object_get(st, "Health"));
        if (!json_is_object(h)) {
                json_decref(h);
                h = json_pack("{s:s,s:i,s:[]}", "Status", "starting", "FailingStreak", 0, "Log");
        }
        json_t *log = json_object_get(h, "Log");
        json_array_append_new(log, json_pack("{s:s,s:s,s:i,s:s}", "Start",
                                             m->hc_start ? m->hc_start : end, "End", end,
                                             "ExitCode", code, "Output", output));
        while (json_array_size(log) > 5)
                json_array_remove(log, 0);
        int64_t up = uptime_ns(m);
        int streak = (int)json_integer_value(json_object_get(h, "FailingStreak"));
        if (code == 0) {
                json_object_set_new(h, "Status", json_string("healthy"));
                streak = 0;
        } else if (up >=
                   hc_ns(m, "StartPeriod", 0)) { /* failures in the start period do not count */
                streak++;
                if (streak >= hc_ns(m, "Retries", RT_HEALTH_RETRIES))
                        json_object_set_new(h, "Status", json_string("unhealthy"));
        }
        json_object_set_new(h, "FailingStreak", json_integer(streak));
        const char *status = json_string_value(json_object_get(st, "Status"));
        const char *was =
            json_string_value(json_object_get(json_object_get(st, "Health"), "Status"));
        _cleanup_free_ char *action = NULL;
        const char *now = json_string_value(json_object_get(h, "Status"));
        if (now && (!was || strcmp(was, now)))
                action = xasprintf("health_status: %s", now);
        state_update(m, status ? status : "running", json_pack("{s:o}", "Health", h));
        if (action)
                rt_ctr_event(mon_doc(m), action, NULL);
}

static void hc_finish(struct mon *m, int wstatus)
{
        int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
        if (m->hc_exec_id) { /* docker's exec_die of the probe, before its health_status */
                char codes[16];
                snprintf(codes, sizeof(codes), "%d",
                         WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
                rt_ctr_event(mon_doc(m), "exec_die", "execID", m->hc_exec_id, "exitCode", codes,
                             NULL);
                free(m->hc_exec_id);
                m->hc_exec_id = NULL;
        }
        if (m->hc_out >= 0) {
                char *buf = io_buf;
                ssize_t r;
                while ((r = read(m->hc_out, buf, 4096)) > 0)
                        if (m->hc_buf.len < 4096)
                                sb_appendn(&m->hc_buf, buf, (size_t)r);
                mon_close(&m->hc_out);
        }
        if (m->hc_timed_out) {
                sb_reset(&m->hc_buf);
                sb_appendf(&m->hc_buf, "Health check exceeded timeout (%llds)",
                           (long long)(hc_ns(m, "Timeout", RT_HEALTH_TIMEOUT_NS) / NS_PER_S));
                code = -1;
        }
        hc_record(m, code, sb_str(&m->hc_buf));
        sb_reset(&m->hc_buf);
        m->hc_pid = 0;
        m->hc_timed_out = false;
        free(m->hc_start);
        m->hc_start = NULL;
}

/* Run the check inside the container: same namespaces, cgroups and
 * security as an exec. */
static void hc_run(struct mon *m)
{
        json_t *t = hc_test(m);
        if (!t || m->hc_pid > 0 || m->pid <= 0 || m->exited || m->paused)
                return; /* no probes while paused */
        struct rt_proc proc;
        err_t e = {0};
        if (rt_ctr_proc_spec(mon_doc(m), &proc, &e) < 0)
                return;
        if (!strcmp(json_string_value(json_array_get(t, 0)), "CMD-SHELL")) {
                strv_push(&proc.argv, "/bin/sh");
                strv_push(&proc.argv, "-c");
        }
        for (size_t i = 1; i < json_array_size(t); i++)
                strv_push(&proc.argv, json_string_value(json_array_get(t, i)) ?: "");
        /* docker runs a probe as an exec: "exec_create: CMD ARGS",
         * "exec_start: CMD ARGS" and exec_die events, with its execID */
        strbuf_t cmdline = STRBUF_INIT;
        sb_append(&cmdline, "");
        for (size_t i = 0; i < proc.argv.n; i++)
                sb_appendf(&cmdline, "%s%s", i ? " " : "", proc.argv.v[i]);
        free(m->hc_exec_id);
        m->hc_exec_id = rt_ctr_gen_id();
        _cleanup_free_ char *created = xasprintf("exec_create: %s", sb_str(&cmdline));
        _cleanup_free_ char *started = xasprintf("exec_start: %s", sb_str(&cmdline));
        sb_free(&cmdline);
        rt_ctr_event(mon_doc(m), created, "execID", m->hc_exec_id, NULL);
        int pfd[2];
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (pipe2(pfd, O_CLOEXEC) < 0) {
                close(nul);
                rt_proc_free(&proc);
                return;
        }
        int stdio[3] = {nul, pfd[1], pfd[1]};
        int fst;
        free(m->hc_start);
        m->hc_start = time_now_rfc3339();
        clock_gettime(CLOCK_MONOTONIC, &m->hc_begin);
        int r = rt_exec(m->pid, m->id, &proc, stdio, NULL, &m->hc_pid, &fst, &e);
        close(nul);
        close(pfd[1]);
        rt_proc_free(&proc);
        if (r < 0) {
                close(pfd[0]);
                m->hc_pid = 0;
                free(m->hc_exec_id);
                m->hc_exec_id = NULL;
                hc_record(m, fst, e.msg);
                return;
        }
        rt_ctr_event(mon_doc(m), started, "execID", m->hc_exec_id, NULL);
        m->hc_out = pfd[0];
        fcntl(m->hc_out, F_SETFL, O_NONBLOCK);
}

static void hc_arm(struct mon *m)
{
        if (!hc_test(m))
                return;
        int64_t iv = hc_ns(m, "Interval", RT_HEALTH_INTERVAL_NS);
        /* Docker's start_interval: probes this often (default 5 s) while the
         * start period lasts, then every interval. */
        int64_t sp = hc_ns(m, "StartPeriod", 0);
        int64_t si = hc_ns(m, "StartInterval", RT_HEALTH_START_INTERVAL_NS);
        m->hc_fast = sp > 0 && si < iv && uptime_ns(m) < sp;
        if (m->hc_fast)
                iv = si;
        struct itimerspec its = {.it_value = {iv / NS_PER_S, iv % NS_PER_S},
                                 .it_interval = {iv / NS_PER_S, iv % NS_PER_S}};
        timerfd_settime(m->hc_tfd, 0, &its, NULL);
}

/* Release what one run of the container used. */
static void end_run(struct mon *m)
{
        disarm(m->hc_tfd);
        mon_close(&m->out_r);
        mon_close(&m->err_r);
        mon_close(&m->in_w);
        mon_close(&m->ptm);
        for (int s = 1; s <= 2; s++)
                log_data(m, s, "", 0, true);
}

static void arm(int tfd, int64_t ms)
{
        struct itimerspec its = {.it_value = {ms / 1000, (ms % 1000) * 1000000}};
        if (ms <= 0)
                its.it_value.tv_nsec = 1;
        timerfd_settime(tfd, 0, &its, NULL);
}

static void disarm(int tfd)
{
        struct itimerspec its = {0};
        timerfd_settime(tfd, 0, &its, NULL);
}

static bool want_restart(struct mon *m, int code)
{
        if (m->manual_stop)
                return false;
        /* the policy as recorded now: `update --restart` changes it while we
         * run (mon_doc(m) is left alone: the spawn spec points into it) */
        _cleanup_json_ json_t *fresh = NULL;
        err_t e = {0};
        if (rt_ctr_load(m->id, &fresh, &e) < 0)
                fresh = json_incref(mon_doc(m));
        json_t *rp = json_object_get(json_object_get(fresh, "HostConfig"), "RestartPolicy");
        const char *name = json_string_value(json_object_get(rp, "Name"));
        if (!name || !*name || !strcmp(name, "no"))
                return false;
        if (!strcmp(name, "always") || !strcmp(name, "unless-stopped"))
                return true;
        if (!strcmp(name, "on-failure")) {
                json_int_t max = json_integer_value(json_object_get(rp, "MaximumRetryCount"));
                return code != 0 && (max <= 0 || m->restarts < max);
        }
        return false;
}

/* The init exited and its output is drained: record, then restart or finish. */
static void on_exit_complete(struct mon *m)
{
        end_run(m);
        disarm(m->stop_tfd);
        disarm(m->drain_tfd);
        int code = WIFEXITED(m->status) ? WEXITSTATUS(m->status) : 128 + WTERMSIG(m->status);
        bool oom = rt_cgroup_oom_killed(m->id);
        bool again = want_restart(m, code);
        _cleanup_free_ char *now = time_now_rfc3339();
        char codes[16];
        snprintf(codes, sizeof(codes), "%d", code);
        if (oom)
                rt_ctr_event(mon_doc(m), "oom", NULL);
        if (again) {
                struct timespec t;
                clock_gettime(CLOCK_MONOTONIC, &t);
                /* a run that lasted 10 s resets the backoff, as Docker */
                if (t.tv_sec - m->started.tv_sec >= 10)
                        m->backoff_ms = 100;
                m->restarts++;
                state_update(m, "restarting",
                             json_pack("{s:i,s:i,s:b,s:s}", "Pid", 0, "ExitCode", code, "OOMKilled",
                                       oom, "FinishedAt", now));
                rt_ctr_event(mon_doc(m), "die", "exitCode", codes, NULL);
                rt_ctr_network_disconnect_events(mon_doc(m));
                rt_ctr_volume_events(mon_doc(m), false);
                send_frame(m, RT_STREAM_EXIT, codes, strlen(codes), 1 << CL_ATTACH);
                for (size_t i = 0; i < m->ncl; i++)
                        if (m->cl[i].kind == CL_ATTACH)
                                m->cl[i].closing = true; /* once the exit frame is out */
                arm(m->restart_tfd, m->backoff_ms);
                m->backoff_ms = m->backoff_ms * 2 > 60000 ? 60000 : m->backoff_ms * 2;
                mon_close(&m->mntns_fd);
                return;
        }
        /* An auto-removed container (--rm) is removed now, without its end
         * written first (a write, two fsyncs, on the way to the exit code):
         * its clients get the code in the exit frame.  Only when the removal
         * fails is the end recorded, as for any container. */
        bool autorm = rt_doc_auto_remove(mon_doc(m));
        json_t *end = json_pack("{s:i,s:i,s:b,s:s}", "Pid", 0, "ExitCode", code, "OOMKilled", oom,
                                "FinishedAt", now);
        if (!autorm)
                state_update(m, "exited", json_incref(end));
        rt_ctr_event(mon_doc(m), "die", "exitCode", codes, NULL);
        rt_ctr_network_disconnect_events(mon_doc(m));
        rt_ctr_volume_events(mon_doc(m), false);
        if (m->stop_req)
                rt_ctr_event(mon_doc(m), "stop", NULL);
        err_t e = {0};
        struct rt_tomb tomb = RT_TOMB_INIT;
        if (autorm && rt_ctr_retire(m->id, mon_doc(m), &tomb, &e) == 0) { /* its cgroups too */
                m->removed = true;
        } else {
                if (autorm)
                        state_update(m, "exited", json_incref(end));
                rt_cgroup_remove(m->id, &e);
        }
        json_decref(end);
        send_frame(m, RT_STREAM_EXIT, codes, strlen(codes), (1 << CL_ATTACH) | (1 << CL_WAIT));
        m->finished = true;
        /* Gone for everyone: its files are deleted once the exit status is
         * out (on a filesystem mounted with discard each freed block is a
         * blocking discard, a few ms each under load); a monitor killed
         * meanwhile leaves the tomb to the next create. */
        (void)rt_ctr_bury(&tomb, &e);
}

static void do_restart(struct mon *m)
{
        err_t e = {0};
        int fst = 125;
        m->paused = false;
        if (rt_cgroup_frozen(m->id))
                (void)rt_cgroup_freeze(m->id, false, NULL);
        int sync = spec_load(m, &e) < 0 ? -1 : start_init(m, &fst, &e);
        if (sync >= 0) {
                int r = rt_spawn_go(sync, &fst, &e);
                close(sync);
                if (r == 0) {
                        /* a restart keeps running when its state cannot be
                         * written: the monitor still supervises it */
                        err_t e2 = {0};
                        (void)save_running(m, &e2);
                        announce_running(m);
                        spec_drop(m);
                        shed_start_memory(m, NULL);
                        return;
                }
                waitpid(m->pid, NULL, 0);
        }
        end_run(m);
        record_start_error(m, fst, &e);
        rt_cgroup_remove(m->id, &e);
        m->finished = true;
}

/* Freeze or thaw the container.  Returns 0 or an errno, message in e. */
static int set_paused(struct mon *m, bool pause, err_t *e)
{
        int r;
        if (m->pid <= 0 || m->exited)
                r = err_set(e, ESRCH, "container %s is not running", m->id);
        else if (pause && m->paused)
                r = err_set(e, EALREADY, "container %s is already paused", m->id);
        else if (!pause && !m->paused)
                r = err_set(e, EINVAL, "Container %s is not paused", m->id);
        else
                r = rt_cgroup_freeze(m->id, pause, e);
        if (r < 0)
                return e->code ? e->code : EIO;
        m->paused = pause;
        state_update(m, pause ? "paused" : "running", NULL);
        rt_ctr_event(mon_doc(m), pause ? "pause" : "unpause", NULL);
        return 0;
}

/* A stopping signal sent to a paused container is delivered once it is
 * thawed (Docker unpauses for these too). */
static void thaw_for_signal(struct mon *m)
{
        err_t e = {0};
        if (m->paused && rt_cgroup_freeze(m->id, false, &e) == 0) {
                m->paused = false;
                state_update(m, "running", NULL);
        }
}

static void handle_request(struct mon *m, int fd, const char *buf)
{
        int a = 0, b = 0, c = 0, d = 0;
        if (m->ncl >= MAX_CLIENTS) {
                close(fd);
                return;
        }
        if (sscanf(buf, "attach %d %d %d %d", &a, &b, &c, &d) >= 1) {
                if (m->ptm >= 0 && b > 0 && c > 0) {
                        struct winsize ws = {.ws_row = (unsigned short)b,
                                             .ws_col = (unsigned short)c};
                        ioctl(m->ptm, TIOCSWINSZ, &ws);
                }
                client_add(m, fd, CL_ATTACH, a != 0);
                m->cl[m->ncl - 1].ended = d == 1;
                /* an --rm container that ended before this request was read
                 * (a command that exits at once, reaped in the same round):
                 * the client is told now, and frees its network while the
                 * container is removed, not after the exit status */
                if (d == 1 && m->exited && m->auto_remove)
                        (void)send_ended_to(m, m->ncl - 1);
        } else if (!strncmp(buf, "wait", 4)) {
                client_add(m, fd, CL_WAIT, false);
        } else if (sscanf(buf, "stop %d %d", &a, &b) == 2) {
                m->manual_stop = true;
                m->stop_req = true;
                client_add(m, fd, CL_STOP, false);
                if (m->exited || m->pid <= 0) {
                        disarm(m->restart_tfd);
                        if (!m->exited)
                                m->finished = true; /* waiting to restart: stop here */
                        state_update(m, "exited", NULL);
                        if (!m->exited)
                                rt_ctr_event(mon_doc(m), "stop", NULL);
                        return;
                }
                /* No new healthcheck process while the container stops. */
                disarm(m->hc_tfd);
                char sig[16];
                snprintf(sig, sizeof(sig), "%d", a);
                if (kill(m->pid, a) == 0)
                        rt_ctr_event(mon_doc(m), "kill", "signal", sig, NULL);
                thaw_for_signal(m);
                if (b >= 0)
                        arm(m->stop_tfd, (int64_t)b * 1000);
        } else if (sscanf(buf, "kill %d", &a) == 1) {
                if (a == SIGKILL || a == SIGTERM || a == SIGINT)
                        m->manual_stop = true;
                int r = m->pid > 0 && !m->exited ? kill(m->pid, a) : -1;
                int kerr = r == 0 ? 0 : errno ? errno : ESRCH;
                if (r == 0) {
                        char sig[16];
                        snprintf(sig, sizeof(sig), "%d", a);
                        rt_ctr_event(mon_doc(m), "kill", "signal", sig, NULL);
                }
                if (r == 0 && (a == SIGKILL || a == SIGTERM || a == SIGINT))
                        thaw_for_signal(m);
                char reply[16];
                snprintf(reply, sizeof(reply), "%d\n", kerr);
                (void)!write(fd, reply, strlen(reply));
                close(fd);
        } else if (!strcmp(buf, "pause") || !strcmp(buf, "unpause")) {
                err_t e = {0};
                int code = set_paused(m, buf[0] == 'p', &e);
                _cleanup_free_ char *reply = xasprintf("%d %s\n", code, code ? e.msg : "");
                (void)!write(fd, reply, strlen(reply));
                close(fd);
        } else if (sscanf(buf, "resize %d %d", &a, &b) == 2) {
                if (m->ptm >= 0) {
                        struct winsize ws = {.ws_row = (unsigned short)a,
                                             .ws_col = (unsigned short)b};
                        ioctl(m->ptm, TIOCSWINSZ, &ws);
                }
                close(fd);
        } else {
                close(fd);
        }
}

/* A new connection sent data: take its request line a byte at a time (stdin
 * data may follow right behind it, and stays in the socket), then serve it.
 * A line longer than 255 bytes, or none before EOF, drops the client. */
static void pending_input(struct mon *m, size_t i)
{
        struct client *c = &m->cl[i];
        for (;;) {
                char ch;
                ssize_t r = recv(c->fd, &ch, 1, MSG_DONTWAIT);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0 && errno == EAGAIN)
                        return; /* the rest of the line later */
                if (r <= 0 || (ch != '\n' && c->outq.len >= 255)) {
                        client_drop(m, i);
                        return;
                }
                if (ch == '\n')
                        break;
                sb_appendc(&c->outq, ch);
        }
        int fd = c->fd;
        _cleanup_free_ char *line = sb_steal(&c->outq);
        m->cl[i] = m->cl[--m->ncl]; /* handed over, not closed */
        handle_request(m, fd, line ? line : "");
}

/* Write queued stdin to the container without blocking. */
static void stdin_flush(struct mon *m)
{
        int dst = m->ptm >= 0 ? m->ptm : m->in_w;
        if (dst < 0) {
                sb_reset(&m->inq);
                return;
        }
        while (m->inq.len) {
                ssize_t w = write(dst, m->inq.s, m->inq.len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0 && errno == EAGAIN)
                        return;
                if (w <= 0) {
                        sb_reset(&m->inq);
                        break;
                }
                memmove(m->inq.s, m->inq.s + w, m->inq.len - (size_t)w);
                m->inq.len -= (size_t)w;
        }
        if (m->in_close && m->ptm < 0) {
                mon_close(&m->in_w); /* stdin closed: the container sees EOF */
                m->in_close = false;
        }
}

static int make_listener(const char *id, err_t *err)
{
        _cleanup_free_ char *rd = rt_ctr_run_dir(id);
        if (mkdir_p(rd, 0700, err) < 0)
                return -1;
        _cleanup_free_ char *path = rt_ctr_sock_path(id);
        unlink(path);
        struct sockaddr_un sa;
        _cleanup_close_ int dfd = -1;
        _cleanup_close_ int fd = ctl_socket(id, &sa, &dfd, err);
        if (fd < 0)
                return -1;
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
                return err_sys(err, errno, "listen on %s", path);
        return TAKE_FD(fd);
}

/* The monitor is one thread: one buffer for what it reads from the
 * container and from clients, outside the stack so that only what a read
 * fills is ever resident (the stack keeps every page it ever touched, and a
 * monitor lives as long as its container). */

static void pump(struct mon *m, int *fd, int stream)
{
        char *buf = io_buf;
        ssize_t n = read(*fd, buf, sizeof(io_buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) { /* EOF, or EIO on a pty whose last slave closed */
                mon_close(fd);
                if (fd == &m->ptm)
                        mon_close(&m->in_w);
                return;
        }
        log_data(m, stream, buf, (size_t)n, false);
        send_frame(m, stream, buf, (size_t)n, 1 << CL_ATTACH);
}

static void on_sigchld(struct mon *m)
{
        int st;
        pid_t w;
        while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
                if (w == m->hc_pid && w > 0) {
                        hc_finish(m, st);
                        continue;
                }
                if (w == m->pid && !m->exited) {
                        m->exited = true;
                        m->paused = false;
                        m->status = st;
                        m->pid = 0;
                        /* --rm (never restarted): the attached CLI frees its
                         * network while the container is removed */
                        if (m->auto_remove)
                                send_ended(m);
                        /* output still in flight: give it a moment, then go on */
                        arm(m->drain_tfd, 2000);
                }
        }
}

/* Not inlined: its caller's frame, above it on the stack for the
 * container's life, stays small. */
static __attribute__((noinline)) void loop(struct mon *m)
{
        while (!m->finished) {
                if (m->exited && m->out_r < 0 && m->err_r < 0 && m->ptm < 0) {
                        m->exited = false;
                        on_exit_complete(m);
                        continue;
                }
                struct pollfd p[10 + MAX_CLIENTS];
                size_t n = 0;
                int out_fd = m->ptm >= 0 ? m->ptm : m->out_r;
                p[n++] = (struct pollfd){m->sigfd, POLLIN, 0};
                p[n++] = (struct pollfd){m->lsock, POLLIN, 0};
                p[n++] = (struct pollfd){m->stop_tfd, POLLIN, 0};
                p[n++] = (struct pollfd){m->restart_tfd, POLLIN, 0};
                p[n++] = (struct pollfd){m->drain_tfd, POLLIN, 0};
                p[n++] = (struct pollfd){out_fd, POLLIN, 0};
                p[n++] = (struct pollfd){m->ptm >= 0 ? -1 : m->err_r, POLLIN, 0};
                p[n++] = (struct pollfd){m->hc_tfd, POLLIN, 0};
                p[n++] = (struct pollfd){m->hc_out, POLLIN, 0};
                int in_dst = m->ptm >= 0 ? m->ptm : m->in_w;
                p[n++] = (struct pollfd){m->inq.len ? in_dst : -1, POLLOUT, 0};
                /* clients: drop the ones done or too slow, wait for the rest
                 * (the clock only with a client waiting: a quiet monitor
                 * does not map clock_gettime's window of libc) */
                int64_t tnow = 0, wait_ms = -1;
                for (size_t i = m->ncl; i-- > 0;) {
                        struct client *c = &m->cl[i];
                        if (c->kind == CL_PENDING && !tnow)
                                tnow = mono_ms();
                        if ((c->closing && !c->outq.len) ||
                            (c->kind == CL_PENDING && tnow >= c->deadline))
                                client_drop(m, i);
                        else if (c->kind == CL_PENDING &&
                                 (wait_ms < 0 || c->deadline - tnow < wait_ms))
                                wait_ms = c->deadline - tnow;
                }
                size_t base = n;
                for (size_t i = 0; i < m->ncl; i++) {
                        const struct client *c = &m->cl[i];
                        bool rd = !c->eof && !c->closing && !(c->in && m->inq.len);
                        p[n++] = (struct pollfd){
                            c->fd, (short)((rd ? POLLIN : 0) | (c->outq.len ? POLLOUT : 0)), 0};
                }
                mon_doc_release(m);
                if (rt_mon_poll(p, n, (int)wait_ms) < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                if (p[0].revents) {
                        struct signalfd_siginfo si;
                        while (read(m->sigfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo == SIGCHLD)
                                        on_sigchld(m);
                                else if ((si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) &&
                                         m->pid > 0) {
                                        m->manual_stop = true;
                                        kill(m->pid, SIGTERM);
                                        arm(m->stop_tfd, 10000);
                                }
                        }
                }
                if (p[1].revents & POLLIN) {
                        int c = accept4(m->lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                        if (c >= 0 && m->ncl >= MAX_CLIENTS)
                                close(c);
                        else if (c >= 0) {
                                client_add(m, c, CL_PENDING, false);
                                /* the line is usually there already: serve it
                                 * before any output of this round is sent */
                                pending_input(m, m->ncl - 1);
                        }
                }
                uint64_t ticks;
                if (p[2].revents && read(m->stop_tfd, &ticks, 8) == 8 && m->pid > 0 &&
                    kill(m->pid, SIGKILL) == 0)
                        rt_ctr_event(mon_doc(m), "kill", "signal", "9", NULL);
                if (p[3].revents && read(m->restart_tfd, &ticks, 8) == 8)
                        do_restart(m);
                if (p[4].revents && read(m->drain_tfd, &ticks, 8) == 8 && m->exited) {
                        mon_close(&m->out_r);
                        mon_close(&m->err_r);
                        mon_close(&m->ptm);
                }
                if (p[5].revents && out_fd >= 0)
                        pump(m, m->ptm >= 0 ? &m->ptm : &m->out_r, RT_STREAM_STDOUT);
                if (p[6].revents && m->err_r >= 0)
                        pump(m, &m->err_r, RT_STREAM_STDERR);
                if (p[7].revents && read(m->hc_tfd, &ticks, 8) == 8) {
                        struct timespec now;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        int64_t ran = (int64_t)(now.tv_sec - m->hc_begin.tv_sec) * NS_PER_S +
                                      (now.tv_nsec - m->hc_begin.tv_nsec);
                        if (m->paused) {
                                /* a probe frozen with the container is not timing out */
                        } else if (m->hc_pid > 0 &&
                                   ran >= hc_ns(m, "Timeout", RT_HEALTH_TIMEOUT_NS)) {
                                m->hc_timed_out = true;
                                kill(m->hc_pid, SIGKILL);
                        } else {
                                hc_run(m);
                        }
                        if (m->hc_fast && uptime_ns(m) >= hc_ns(m, "StartPeriod", 0))
                                hc_arm(m); /* the start period is over: every interval now */
                }
                if (p[8].revents && m->hc_out >= 0) {
                        char *buf = io_buf;
                        ssize_t r = read(m->hc_out, buf, 4096);
                        if (r > 0 && m->hc_buf.len < 4096)
                                sb_appendn(&m->hc_buf, buf, (size_t)r);
                        else if (r == 0)
                                mon_close(&m->hc_out);
                }
                if (p[base - 1].revents)
                        stdin_flush(m);
                /* clients, from the last so drops do not shift unseen entries */
                for (size_t k = n; k-- > base;) {
                        if (!p[k].revents)
                                continue;
                        size_t i = k - base;
                        if (i >= m->ncl || m->cl[i].fd != p[k].fd)
                                continue;
                        struct client *c = &m->cl[i];
                        if (c->kind == CL_PENDING) {
                                pending_input(m, i);
                                continue;
                        }
                        if ((p[k].revents & POLLOUT) && client_flush(c) < 0) {
                                client_drop(m, i);
                                continue;
                        }
                        if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        if (c->eof || c->closing) {
                                if (p[k].revents & (POLLHUP | POLLERR))
                                        client_drop(m, i); /* the peer is gone */
                                continue;
                        }
                        char *buf = io_buf;
                        ssize_t r = read(c->fd, buf, sizeof(io_buf));
                        if (r > 0) {
                                if (c->in && in_dst >= 0) {
                                        sb_appendn(&m->inq, buf, (size_t)r);
                                        stdin_flush(m);
                                }
                                continue;
                        }
                        if (r < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (c->in && m->ptm < 0) {
                                m->in_close = true; /* the container sees EOF after the rest */
                                stdin_flush(m);
                        }
                        if (c->kind == CL_ATTACH && r == 0)
                                c->eof = true; /* half-closed: keep streaming output */
                        else
                                client_drop(m, i);
                }
        }
        /* finished: give the clients' queued output (the exit code) a moment */
        for (int64_t end = mono_ms() + 2000; mono_ms() < end;) {
                struct pollfd p[MAX_CLIENTS];
                size_t n = 0;
                for (size_t i = 0; i < m->ncl; i++)
                        if (m->cl[i].outq.len)
                                p[n++] = (struct pollfd){m->cl[i].fd, POLLOUT, 0};
                if (!n || poll(p, n, (int)(end - mono_ms())) <= 0)
                        break;
                for (size_t i = m->ncl; i-- > 0;)
                        if (m->cl[i].outq.len && client_flush(&m->cl[i]) < 0)
                                client_drop(m, i);
        }
}

/* After the final exit: is the end recorded, and did the container hold
 * nothing outside itself (no network endpoint, port rule or DNS name)? */
static bool ended_clean(struct mon *m)
{
        if (!m->finished || m->unsaved)
                return false;
        const json_t *st = json_object_get(mon_doc(m), "State");
        const char *s = json_string_value(json_object_get(st, "Status"));
        if (!m->removed && (!s || strcmp(s, "exited") != 0))
                return false;
        const char *nm = json_string_value(
            json_object_get(json_object_get(mon_doc(m), "HostConfig"), "NetworkMode"));
        return nm && !strcmp(nm, "none");
}

int rt_monitor_main(const char *id, int sync_fd, bool *done, err_t *err)
{
        *done = false;
        /* not on the stack: the pages of the frames above the loop stay
         * resident (and dirty) as long as the container runs */
        static struct mon mm;
        mm = (struct mon){.id = id,
                          .lsock = -1,
                          .out_r = -1,
                          .err_r = -1,
                          .in_w = -1,
                          .ptm = -1,
                          .netns_fd = -1,
                          .mntns_fd = -1,
                          .hc_out = -1,
                          .log_fd = -1,
                          .backoff_ms = 100};
        struct mon *m = &mm;
        int ret = -1, fst = 125;
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGPIPE);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        m->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        m->stop_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        m->restart_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        m->drain_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        m->hc_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (m->sigfd < 0 || m->stop_tfd < 0 || m->restart_tfd < 0 || m->drain_tfd < 0 ||
            m->hc_tfd < 0) {
                err_sys(err, errno, "monitor set-up");
                goto fail_early;
        }
        if (rt_ctr_load(id, &m->j, err) < 0)
                goto fail_early;
        m->auto_remove = rt_doc_auto_remove(m->j);
        if (spec_load(m, err) < 0)
                goto fail_early;
        /* --network container:ID: that container's namespace, for every
         * (re)start of this run */
        const char *nm = rt_doc_network_mode(mon_doc(m));
        if (nm && !strncmp(nm, "container:", 10)) {
                m->netns_fd = rt_ctr_netns_open(nm + 10, err);
                if (m->netns_fd < 0)
                        goto fail_early;
        }
        m->log_path = xstrdup(rt_doc_log_path(mon_doc(m)) ?: "/dev/null");
        log_open(m);
        m->lsock = make_listener(id, err);
        if (m->lsock < 0)
                goto fail_early;
        struct rt_cgroup_limits lim;
        rt_doc_limits(mon_doc(m), &lim);
        if (rt_cgroup_create(id, &lim, err) < 0)
                goto fail;
        /* the device program is attached beside the init's set-up */
        m->spec.cgroup_devices = !lim.devices_all;
        int sync = start_init(m, &fst, err);
        if (sync < 0)
                goto fail;
        rt_mon_send(sync_fd, RT_MON_PID, 0, m->pid, NULL);
        struct rt_mon_msg msg;
        bool go = rt_mon_recv(sync_fd, &msg) == 1 && msg.type == RT_MON_GO;
        if (go && msg.code == RT_MON_GO_DOC)
                go = (m->go_doc = recv_go_doc(sync_fd)) != NULL;
        if (!go) {
                /* the CLI gave up (e.g. network set-up failed): never exec */
                rt_spawn_cancel(m->pid);
                close(sync);
                err_set(err, ECANCELED, "start cancelled");
                end_run(m);
                goto fail_quiet;
        }
        /* the document the running state replaces is freed once the start
         * is over (rt_ctr_doc_hold), not on the way to "go" */
        int prev = rt_ctr_doc_hold(id);
        if (save_running(m, err) < 0) {
                /* never exec'd: nothing of the container ran */
                rt_spawn_cancel(m->pid);
                close(sync);
                end_run(m);
                mon_close(&prev);
                goto fail;
        }
        int r = rt_spawn_go(sync, &fst, err);
        close(sync);
        if (r < 0) {
                waitpid(m->pid, NULL, 0);
                end_run(m);
                mon_close(&prev);
                goto fail;
        }
        announce_running(m);
        rt_mon_send(sync_fd, RT_MON_STARTED, 0, m->pid, NULL);
        close(sync_fd);
        sync_fd = -1;
        mon_close(&prev);
        spec_drop(m);
        shed_start_memory(m, running_hook);
        loop(m);
        *done = ended_clean(m);
        ret = 0;
        goto out;
fail:
        rt_mon_send(sync_fd, RT_MON_ERROR, err->code, fst, err->msg);
        record_start_error(m, fst, err);
fail_quiet : {
        err_t e2 = {0};
        rt_cgroup_remove(id, &e2);
        if (rt_doc_auto_remove(mon_doc(m)))
                rt_ctr_destroy(id, &e2);
}
        goto out;
fail_early:
        rt_mon_send(sync_fd, RT_MON_ERROR, err->code, 125, err->msg);
        /* an --rm container that never ran goes, as after a later failure:
         * its CLI removes it only once this monitor is gone, and may look
         * before that (it then leaves the removal to us) */
        crash_point("monitor.failed");
        if (m->j && rt_doc_auto_remove(m->j)) {
                err_t e2 = {0};
                rt_ctr_destroy(id, &e2);
        }
out:
        while (m->ncl)
                client_drop(m, m->ncl - 1);
        mon_close(&m->mntns_fd); /* the container's mounts go now */
        sb_free(&m->inq);
        if (m->lsock >= 0) {
                _cleanup_free_ char *rd = rt_ctr_run_dir(id);
                rm_rf(rd, NULL);
        }
        if (sync_fd >= 0)
                close(sync_fd);
        spec_drop(m);
        json_decref(m->go_doc);
        json_decref(m->j);
        free(m->log_path);
        for (int i = 0; i < 3; i++)
                sb_free(&m->line[i]);
        sb_free(&m->hc_buf);
        free(m->hc_start);
        free(m->hc_exec_id);
        return ret;
}
