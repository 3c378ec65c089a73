/* container_attach.c - a started container's stream on this terminal:
 * engine/start.c starts it and hands over the attach stream; this puts the
 * terminal in raw mode, forwards stdin, signals and window size changes,
 * and writes what the container writes. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "container_cli.h"
#include "runtime/monitor.h"

static struct termios saved_tio;
static bool tio_raw;
static volatile sig_atomic_t got_sig, got_winch;

static void on_sig(int s)
{
        if (s == SIGWINCH)
                got_winch = 1;
        else
                got_sig = s;
}

static void tty_restore(void)
{
        if (tio_raw) {
                tcsetattr(0, TCSADRAIN, &saved_tio);
                tio_raw = false;
        }
}

static int attach_stream(const char *id, int sock, int attach, bool tty, const struct attach_ui *ui,
                         void (*ended)(const char *id, int sock), int *status, err_t *err)
{
        bool fwd_in = attach & ATTACH_STDIN;
        struct detach_keys off = {.n = 0}, *keys = ui && ui->keys ? ui->keys : &off;
        if (!tty)
                keys->n = 0; /* as Docker: the sequence is looked for on a tty only */
        bool proxy = !(ui && ui->no_sig_proxy);
        if (tty && isatty(0) && tcgetattr(0, &saved_tio) == 0) {
                struct termios raw = saved_tio;
                cfmakeraw(&raw);
                if (tcsetattr(0, TCSADRAIN, &raw) == 0)
                        tio_raw = true;
        }
        struct sigaction sa = {.sa_handler = on_sig}, old_int, old_term, old_winch;
        if (proxy) {
                sigaction(SIGINT, &sa, &old_int);
                sigaction(SIGTERM, &sa, &old_term);
        }
        sigaction(SIGWINCH, &sa, &old_winch);
        *status = -1;
        int r = 0;
        while (*status < 0) {
                if (got_sig) {
                        int s = got_sig;
                        got_sig = 0;
                        char req[32];
                        snprintf(req, sizeof(req), "kill %d\n", s);
                        int k = rt_ctl_connect(id, req, NULL);
                        if (k >= 0)
                                close(k);
                }
                if (got_winch && tio_raw) {
                        got_winch = 0;
                        struct winsize ws;
                        if (ioctl(0, TIOCGWINSZ, &ws) == 0) {
                                char req[64];
                                snprintf(req, sizeof(req), "resize %d %d\n", ws.ws_row, ws.ws_col);
                                int k = rt_ctl_connect(id, req, NULL);
                                if (k >= 0)
                                        close(k);
                        }
                }
                struct pollfd p[2] = {{sock, POLLIN, 0}, {fwd_in ? 0 : -1, POLLIN, 0}};
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = err_sys(err, errno, "poll");
                        break;
                }
                if (p[1].revents) {
                        unsigned char buf[16384], pass[sizeof(buf) + DETACH_KEYS_MAX];
                        ssize_t n = read(0, buf, sizeof(buf));
                        if (n > 0) {
                                size_t np;
                                bool detach = detach_keys_feed(keys, buf, (size_t)n, pass, &np);
                                if (np && write_all(sock, pass, np, NULL) < 0)
                                        fwd_in = false;
                                if (detach) {
                                        r = 1;
                                        break;
                                }
                        } else if (n == 0 || errno != EINTR) {
                                fwd_in = false;
                                if (!tty)
                                        shutdown(sock, SHUT_WR);
                        }
                }
                if (p[0].revents) {
                        int stream;
                        char *data = NULL;
                        size_t len;
                        int fr = rt_frame_read(sock, &stream, &data, &len);
                        if (fr <= 0) {
                                free(data);
                                r = err_set(err, EIO, "lost the connection to container %.12s", id);
                                break;
                        }
                        if (stream == RT_STREAM_EXIT)
                                *status = atoi(data);
                        else if (stream == RT_STREAM_ENDED) {
                                if (ended)
                                        ended(id, sock);
                        } else
                                write_all(stream == RT_STREAM_STDERR ? 2 : 1, data, len, NULL);
                        free(data);
                }
        }
        tty_restore();
        if (proxy) {
                sigaction(SIGINT, &old_int, NULL);
                sigaction(SIGTERM, &old_term, NULL);
        }
        sigaction(SIGWINCH, &old_winch, NULL);
        return r;
}

/* The size of our terminal (0, 0 when stdin is none). */
static void term_size(unsigned short *rows, unsigned short *cols)
{
        struct winsize ws = {0};
        if (isatty(0))
                ioctl(0, TIOCGWINSZ, &ws);
        *rows = ws.ws_row;
        *cols = ws.ws_col;
}

int container_attach(const char *id, int attach, bool tty, const struct attach_ui *ui, int *status,
                     err_t *err)
{
        unsigned short rows = 0, cols = 0;
        if (tty)
                term_size(&rows, &cols);
        _cleanup_close_ int sock = ctr_attach_connect(id, attach, rows, cols, err);
        if (sock < 0)
                return -1;
        return attach_stream(id, sock, attach, tty, ui, NULL, status, err);
}

int container_start(const char *id, int attach, int *status, err_t *err)
{
        return container_start_then(id, attach, NULL, status, err);
}

int container_start_then(const char *id, int attach, void (*ended)(const char *id, int sock),
                         int *status, err_t *err)
{
        _cleanup_close_ int sock = -1;
        bool tty;
        struct ctr_start_opts o = {.attach = attach | (attach && ended ? ATTACH_ENDED : 0)};
        if (attach)
                term_size(&o.rows, &o.cols);
        if (ctr_start(id, &o, &sock, &tty, status, err) < 0)
                return -1;
        if (sock < 0)
                return 0;
        return attach_stream(id, sock, attach, tty, NULL, ended, status, err);
}
