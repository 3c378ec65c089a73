/* monitor.h - the per-container monitor (berth-monitor) and how to talk to it.
 *
 * Start handshake on a SOCK_SEQPACKET socket passed by the CLI:
 *   monitor -> CLI  RT_MON_PID (init created, blocked before exec; the CLI may
 *                   now configure /proc/<pid>/ns/net)
 *   CLI -> monitor  RT_MON_GO (or close: abort, the container is not started);
 *                   with code RT_MON_GO_DOC, followed by one packet holding a
 *                   JSON object whose members the monitor sets in the
 *                   container's document with the running state (the network
 *                   settings: one write of config.json instead of two)
 *   monitor -> CLI  RT_MON_STARTED, or RT_MON_ERROR with errno (code), message
 *                   and docker's exit status for the failure (pid field)
 *
 * Control socket run/containers/<id>/ctl.sock, one request line per
 * connection:
 *   "attach STDIN ROWS COLS\n"  stream output frames; with STDIN=1 the client's
 *                               bytes go to the container's stdin, its EOF closes it
 *   "wait\n"                    receive the exit frame when the container exits
 *   "stop SIGNAL TIMEOUT\n"     stop signal, then SIGKILL after TIMEOUT s; no restart
 *   "kill SIGNAL\n"             send a signal (no restart afterwards for SIGKILL/TERM)
 *   "resize ROWS COLS\n"        resize the container's terminal
 *   "pause\n", "unpause\n"      freeze / thaw the container's cgroup; State.Status
 *                               becomes "paused" / "running".  Reply: "0 \n" or
 *                               "ERRNO message\n".  stop, and kill with KILL,
 *                               TERM or INT, thaw a paused container after
 *                               signalling it, so the signal is delivered.
 * Frames: 1 byte stream (1 stdout, 2 stderr, 3 exit status as text), 3 zero
 * bytes, 4 byte big-endian length, then data. */
#ifndef BERTH_RT_MONITOR_H
#define BERTH_RT_MONITOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* Docker's healthcheck defaults.  The monitor is the one probe engine: it
 * records State.Health, and everyone else (compose's depends_on
 * service_healthy and --wait) reads that. */
#define RT_HEALTH_INTERVAL_NS       (30 * 1000000000LL)
#define RT_HEALTH_TIMEOUT_NS        (30 * 1000000000LL)
#define RT_HEALTH_START_INTERVAL_NS (5 * 1000000000LL)
#define RT_HEALTH_RETRIES           3

/* The most descriptors (published ports' sockets and the caller's) a monitor
 * is handed to keep for the container's life. */
#define RT_MON_KEEP_FDS_MAX 64

enum { RT_MON_PID = 1, RT_MON_GO = 2, RT_MON_STARTED = 3, RT_MON_ERROR = 4 };
#define RT_MON_GO_DOC 1
/* The largest document that may follow RT_MON_GO (one packet). */
#define RT_MON_DOC_MAX (64 * 1024)
/* Frames on an attach stream.  RT_STREAM_ENDED goes only to a client whose
 * request asked for it ("attach IN ROWS COLS 1"), once the process of an
 * auto-removed container has ended, before the container is removed (then
 * RT_STREAM_EXIT): its network can be released meanwhile. */
enum { RT_STREAM_STDOUT = 1, RT_STREAM_STDERR = 2, RT_STREAM_EXIT = 3, RT_STREAM_ENDED = 4 };

/* Log files larger than this are rotated once (<log>.1), so a container's
 * logs use at most twice this on disk. */
#define RT_LOG_MAX (10 * 1024 * 1024)

/* One line of a container's log, as the json-file log driver writes it:
 * {"log":LINE,"stream":"stdout"|"stderr","time":RFC 3339 with nanoseconds}
 * and a newline, byte for byte what jansson's compact dump of that object
 * writes (a LINE that is not UTF-8 has each byte >= 0x80 replaced by '?').
 * Written by hand, into out (at least RT_LOG_LINE_MAX(n) bytes): a monitor
 * that logs then runs no jansson, malloc or stdio per line (their code was
 * most of the libc text it mapped).  secs >= 0, years 1000-9999.  Returns
 * the line's length, newline included. */
#define RT_LOG_LINE_MAX(n) (6 * (size_t)(n) + 96)
size_t rt_log_line_encode(char *out, int stream, const char *s, size_t n, long long secs,
                          long nsec);

struct rt_mon_msg {
        int32_t type;
        int32_t code;
        int32_t pid;
        char msg[ERR_MSG_MAX];
};

int rt_mon_send(int fd, int type, int code, pid_t pid, const char *msg);
/* 1 on a message, 0 on EOF, < 0 on error */
int rt_mon_recv(int fd, struct rt_mon_msg *m);
/* RT_MON_GO, followed by doc (the text of a JSON object, at most
 * RT_MON_DOC_MAX bytes; NULL for none) whose members the monitor records with
 * the running state.  0 or < 0 (errno set). */
int rt_mon_send_go(int fd, const char *doc);

/* Run the monitor for container id in the current process; returns once the
 * container has finally exited (after restarts) and its state is recorded.
 * Any other fd the process holds stays open for its lifetime (e.g. sockets
 * reserving published ports).  *done is set when the end is recorded (or
 * the container removed) and the container held nothing outside itself that
 * a later berth command would have to release (no network: --network none),
 * so that nothing is left for the watcher to do. */
int rt_monitor_main(const char *id, int sync_fd, bool *done, err_t *err);
/* What the monitor has to say while it runs (its state could not be
 * written, ...) goes to fn (the monitor binary prints it to its log). */
void rt_monitor_set_warn(void (*fn)(const char *msg));
/* fn(id) runs once, when the container first runs (after the start's
 * memory is given back, before the monitor's loop). */
void rt_monitor_set_running_hook(void (*fn)(const char *id));

/* poll(2) for a monitor's and its watcher's waits, straight to the kernel
 * (ppoll, through syscall()) instead of through glibc's poll, a
 * cancellation point: its wrapper's code (nptl's cancellation state) lies in
 * a 64 kB window of libc's text of its own, which every wait of a quiet
 * monitor would keep mapped for nothing (berth cancels no thread). */
struct pollfd;
int rt_mon_poll(struct pollfd *fds, unsigned long n, int timeout_ms);

/* Connect to the container's control socket and send one request line. */
int rt_ctl_connect(const char *id, const char *request, err_t *err);
/* Read one frame: 1 and *data (malloc'd, NUL-terminated) on success, 0 on EOF. */
int rt_frame_read(int fd, int *stream, char **data, size_t *len);

#endif
