/* berth exec [-d] [-i] [-t] [-e K=V] [-u USER] [-w DIR] CONTAINER CMD... */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/spawn.h"

static void env_override(strv_t *env, const char *kv)
{
        const char *eq = strchr(kv, '=');
        _cleanup_free_ char *full = NULL;
        if (!eq) {
                const char *v = getenv(kv);
                if (!v)
                        return;
                full = xasprintf("%s=%s", kv, v);
                kv = full;
                eq = strchr(kv, '=');
        }
        size_t kl = (size_t)(eq - kv);
        for (size_t i = 0; i < env->n; i++)
                if (!strncmp(env->v[i], kv, kl) && env->v[i][kl] == '=') {
                        free(env->v[i]);
                        env->v[i] = xstrdup(kv);
                        return;
                }
        strv_push(env, kv);
}

/* Relay between our terminal and the pty master until the process exits. */
static int relay_pty(int master, pid_t pid, bool fwd_in)
{
        struct termios saved, raw;
        bool is_tty = isatty(0) && tcgetattr(0, &saved) == 0;
        if (is_tty) {
                struct winsize ws;
                if (ioctl(0, TIOCGWINSZ, &ws) == 0)
                        ioctl(master, TIOCSWINSZ, &ws);
                raw = saved;
                cfmakeraw(&raw);
                tcsetattr(0, TCSADRAIN, &raw);
        }
        char buf[16384];
        for (;;) {
                struct pollfd p[2] = {{master, POLLIN, 0}, {fwd_in ? 0 : -1, POLLIN, 0}};
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[1].revents) {
                        ssize_t n = read(0, buf, sizeof(buf));
                        if (n <= 0)
                                fwd_in = false;
                        else
                                write_all(master, buf, (size_t)n, NULL);
                }
                if (p[0].revents) {
                        ssize_t n = read(master, buf, sizeof(buf));
                        if (n <= 0)
                                break; /* EIO: every slave fd closed */
                        write_all(1, buf, (size_t)n, NULL);
                }
        }
        if (is_tty)
                tcsetattr(0, TCSADRAIN, &saved);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int cmd_exec(int argc, char **argv)
{
        bool detach = false, interactive = false, tty = false;
        const char *user = NULL, *workdir = NULL;
        strv_t envs = STRV_INIT;
        const struct cli_opt opts[] = {
            CLI_OPT("detach", 'd', CLI_FLAG, &detach,
                    "Detached mode: run command in the background"),
            CLI_OPT("env", 'e', CLI_LIST, &envs, "Set environment variables"),
            CLI_OPT("interactive", 'i', CLI_FLAG, &interactive,
                    "Keep STDIN open even if not attached"),
            CLI_OPT("tty", 't', CLI_FLAG, &tty, "Allocate a pseudo-TTY"),
            CLI_OPT("user", 'u', CLI_STRING, &user,
                    "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
            CLI_OPT("workdir", 'w', CLI_STRING, &workdir, "Working directory inside the container"),
            {0}};
        const struct cli_cmd cli = CLI_CMD("exec", "[OPTIONS] CONTAINER COMMAND [ARG...]",
                                           "Execute a command in a running container", opts,
                                           CLI_AT_LEAST(2), .flags = CLI_POSIX);
        int first = cli_parse(&cli, argc, argv);
        if (first <= 0) {
                strv_free(&envs);
                return cli_status(first);
        }
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        json_t *j = NULL;
        if (container_get_said(argv[first], &id, &j) < 0) {
                strv_free(&envs);
                return EXIT_BERTH;
        }
        const char *st = rt_doc_status(j);
        pid_t init = 0;
        if (st && !strcmp(st, "paused")) {
                error_msg("Container %s is paused, unpause the container "
                          "before exec",
                          id);
                json_decref(j);
                strv_free(&envs);
                return EXIT_BERTH;
        }
        if (!st || strcmp(st, "running") || !rt_ctr_monitor_alive(id, &init) || init <= 0) {
                error_msg("container %s is not running", id);
                json_decref(j);
                strv_free(&envs);
                return EXIT_BERTH;
        }
        struct rt_proc proc;
        if (rt_ctr_proc_spec(j, &proc, &err) < 0) {
                error_msg("%s", err.msg);
                json_decref(j);
                strv_free(&envs);
                return EXIT_BERTH;
        }
        for (size_t i = 0; i < envs.n; i++)
                env_override(&proc.env, envs.v[i]);
        strv_free(&envs);
        for (int i = first + 1; i < argc; i++)
                strv_push(&proc.argv, argv[i]);
        if (user)
                proc.user = user;
        if (workdir)
                proc.cwd = workdir;
        proc.tty = tty;
        int stdio[3] = {0, 1, 2};
        _cleanup_close_ int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        _cleanup_close_ int master = -1;
        if (detach) {
                stdio[0] = stdio[1] = stdio[2] = nul;
        } else if (!interactive) {
                stdio[0] = nul;
        }
        pid_t pid;
        int fst;
        /* docker's events: "exec_create: CMD ARGS", "exec_start: ...", exec_die */
        strbuf_t cmd = STRBUF_INIT;
        for (int i = first + 1; i < argc; i++)
                sb_appendf(&cmd, "%s%s", i > first + 1 ? " " : "", argv[i]);
        _cleanup_free_ char *exec_id = rt_ctr_gen_id();
        _cleanup_free_ char *created = xasprintf("exec_create: %s", sb_str(&cmd));
        _cleanup_free_ char *started = xasprintf("exec_start: %s", sb_str(&cmd));
        sb_free(&cmd);
        rt_ctr_event(j, created, "execID", exec_id, NULL);
        int r = rt_exec(init, id, &proc, stdio, tty && !detach ? &master : NULL, &pid, &fst, &err);
        rt_proc_free(&proc);
        if (r == 0)
                rt_ctr_event(j, started, "execID", exec_id, NULL);
        if (r < 0) {
                json_decref(j);
                error_msg("%s", err.msg);
                return fst;
        }
        if (detach) {
                json_decref(j);
                return 0;
        }
        int code;
        if (tty) {
                code = relay_pty(master, pid, interactive);
        } else {
                int wst;
                while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
                        ;
                code = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
        }
        char codes[16];
        snprintf(codes, sizeof(codes), "%d", code);
        rt_ctr_event(j, "exec_die", "execID", exec_id, "exitCode", codes, NULL);
        json_decref(j);
        return code;
}
