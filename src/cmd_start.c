/* berth start / restart / attach / stop / kill / wait */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "engine/ctr_ctl.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/monitor.h"

struct start_opts {
        bool attach, interactive;
        int timeout;
        int sig;
};

/* -s/--signal: a name or a number into *(int *)dest */
static int signal_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        int sig = ctr_signal_parse(arg);
        if (sig <= 0)
                return err_set(err, EINVAL, "invalid signal: %s", arg);
        *(int *)o->dest = sig;
        return 0;
}

/* stop's, restart's and kill's options: -t/--time (--timeout), -s/--signal */
#define TIME_OPTS(o)                                                                               \
        CLI_OPT("time", 't', CLI_INT, &(o).timeout,                                                \
                "Seconds to wait before killing the container"),                                   \
            CLI_OPT("timeout", 0, CLI_INT, &(o).timeout, NULL)
#define SIGNAL_OPT(o, help) CLI_OPT("signal", 's', CLI_FUNC, &(o).sig, help, .fn = signal_opt)

/* Parse a container command's argv (CONTAINER [CONTAINER...]) by opts. */
static int parse_containers(int argc, char **argv, const char *name, const char *summary,
                            const struct cli_opt *opts)
{
        const struct cli_cmd cmd =
            CLI_CMD(name, opts ? "[OPTIONS] CONTAINER [CONTAINER...]" : "CONTAINER [CONTAINER...]",
                    summary, opts, CLI_AT_LEAST(1));
        return cli_parse(&cmd, argc, argv);
}

/* start_one's options and, once it attached, the container's exit status */
struct start_ud {
        int attach;
        int status;
        bool attached;
};

static int start_one(const char *id, const char *arg, void *ud, err_t *err)
{
        struct start_ud *u = ud;
        if (container_start(id, u->attach, &u->status, err) < 0) {
                /* docker's words: the cause, then which container */
                error_msg("%s", err->msg);
                return err_set(err, err->code, "failed to start containers: %s", arg);
        }
        if (!u->attach)
                return 0;
        u->attached = true;
        return CTR_EACH_STOP;
}

int cmd_start(int argc, char **argv)
{
        struct start_opts o = {0};
        const struct cli_opt opts[] = {
            CLI_OPT("attach", 'a', CLI_FLAG, &o.attach, "Attach STDOUT/STDERR and forward signals"),
            CLI_OPT("interactive", 'i', CLI_FLAG, &o.interactive, "Attach container's STDIN"),
            {0}};
        int first =
            parse_containers(argc, argv, "start", "Start one or more stopped containers", opts);
        int attach = o.attach ? ATTACH_OUTPUT | (o.interactive ? ATTACH_STDIN : 0) : 0;
        struct start_ud u = {.attach = attach};
        int rc = container_each(first, argc, argv, start_one, &u);
        return u.attached ? u.status : rc;
}

int cmd_attach(int argc, char **argv)
{
        bool no_stdin = false, sig_proxy = true;
        const char *keys = DETACH_KEYS_DEFAULT;
        const struct cli_opt opts[] = {CLI_ATTACH_OPTS(&keys, &no_stdin, &sig_proxy), {0}};
        CLI_PARSE_OR_RETURN(
            first, argc, argv, "attach", "[OPTIONS] CONTAINER",
            "Attach local standard input, output, and error streams to a running container", opts,
            CLI_EXACTLY(1));
        err_t err = {0};
        struct detach_keys dk;
        if (detach_keys_parse(keys, &dk, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        _cleanup_free_ char *id = NULL;
        json_t *j = NULL;
        if (container_get_said(argv[first], &id, &j) < 0)
                return EXIT_BERTH;
        const char *st = rt_doc_status(j);
        bool tty = rt_doc_tty(j);
        bool open_stdin = rt_doc_open_stdin(j);
        bool running = st && (!strcmp(st, "running") || !strcmp(st, "paused"));
        json_decref(j);
        if (!running) {
                error_msg("You cannot attach to a stopped container, start it first");
                return EXIT_BERTH;
        }
        int status;
        struct attach_ui ui = {.keys = &dk, .no_sig_proxy = !sig_proxy};
        int r = container_attach(id, ATTACH_OUTPUT | (open_stdin && !no_stdin ? ATTACH_STDIN : 0),
                                 tty, &ui, &status, &err);
        if (r < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        if (r == 1) { /* detached: Docker's words and status */
                fputs("read escape sequence\n", stderr);
                return 1;
        }
        return status;
}

static int stop_one(const char *id, const char *arg, void *ud, err_t *err)
{
        (void)arg;
        return ctr_stop(id, ((struct start_opts *)ud)->timeout, err);
}

int cmd_stop(int argc, char **argv)
{
        struct start_opts o = {.timeout = -1};
        const struct cli_opt opts[] = {
            TIME_OPTS(o),
            SIGNAL_OPT(o, "Signal to send to the container (accepted, not used)"),
            {0}};
        return container_each(
            parse_containers(argc, argv, "stop", "Stop one or more running containers", opts), argc,
            argv, stop_one, &o);
}

static int restart_one(const char *id, const char *arg, void *ud, err_t *err)
{
        (void)arg;
        int status;
        if (ctr_stop(id, ((struct start_opts *)ud)->timeout, err) < 0 ||
            container_start(id, 0, &status, err) < 0)
                return -1;
        _cleanup_json_ json_t *doc = NULL;
        if (rt_ctr_load(id, &doc, err) == 0)
                rt_ctr_event(doc, "restart", NULL);
        return 0;
}

int cmd_restart(int argc, char **argv)
{
        struct start_opts o = {.timeout = -1};
        const struct cli_opt opts[] = {TIME_OPTS(o), {0}};
        return container_each(
            parse_containers(argc, argv, "restart", "Restart one or more containers", opts), argc,
            argv, restart_one, &o);
}

static int kill_one(const char *id, const char *arg, void *ud, err_t *err)
{
        return ctr_kill(id, arg, ((struct start_opts *)ud)->sig, err);
}

int cmd_kill(int argc, char **argv)
{
        struct start_opts o = {.sig = SIGKILL};
        const struct cli_opt opts[] = {
            SIGNAL_OPT(o, "Signal to send to the container (default \"KILL\")"), {0}};
        return container_each(
            parse_containers(argc, argv, "kill", "Kill one or more running containers", opts), argc,
            argv, kill_one, &o);
}

static int wait_one(const char *id, const char *arg, void *ud, err_t *err)
{
        (void)arg;
        (void)ud;
        (void)err;
        printf("%d\n", ctr_wait_code(id));
        return 1;
}

int cmd_wait(int argc, char **argv)
{
        return container_each(parse_containers(argc, argv, "wait",
                                               "Block until one or more containers stop, then "
                                               "print their exit codes",
                                               NULL),
                              argc, argv, wait_one, NULL);
}
