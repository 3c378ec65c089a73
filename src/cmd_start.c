/* berth start / restart / attach / stop / kill / wait */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/monitor.h"

static int parse_simple(int argc, char **argv, const char *shorts, const struct option *lo,
                        const char *usage, int (*on)(int c, const char *arg, void *ud), void *ud)
{
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
                if (c == 'H') {
                        printf("Usage:  berth %s\n", usage);
                        return 1;
                }
                if (c == '?' || on(c, optarg, ud) < 0) {
                        error_msg("%s: invalid option '%s'\nUsage:  berth %s", argv[0],
                                  argv[optind - 1], usage);
                        return -1;
                }
        }
        if (optind >= argc) {
                error_msg("\"berth %s\" requires at least 1 argument.\nUsage:  berth %s", argv[0],
                          usage);
                return -1;
        }
        return 0;
}

struct start_opts {
        bool attach, interactive;
        int timeout;
        int sig;
};

static int start_opt(int c, const char *arg, void *ud)
{
        struct start_opts *o = ud;
        switch (c) {
        case 'a':
                o->attach = true;
                return 0;
        case 'i':
                o->interactive = true;
                return 0;
        case 't':
                o->timeout = atoi(arg);
                return 0;
        case 's':
                o->sig = ctr_signal_parse(arg);
                return o->sig > 0 ? 0 : -1;
        default:
                return -1;
        }
}

/* Each CONTAINER argument (argv[optind...]) resolved to its id and handed to
 * fn: the argument is printed when fn returns 0 (docker's output; > 0: fn
 * printed), the error when it fails, and the exit code is then 1. */
static int each_container(int argc, char **argv,
                          int (*fn)(const char *id, const char *arg, void *ud, err_t *err),
                          void *ud)
{
        int rc = 0;
        for (int i = optind; i < argc; i++) {
                err_t err = {0};
                _cleanup_free_ char *id = NULL;
                int r = rt_ctr_resolve(argv[i], &id, &err) < 0 ? -1 : fn(id, argv[i], ud, &err);
                if (r < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                } else if (r == 0) {
                        printf("%s\n", argv[i]);
                }
        }
        return rc;
}

int cmd_start(int argc, char **argv)
{
        static const struct option lo[] = {{"attach", no_argument, 0, 'a'},
                                           {"interactive", no_argument, 0, 'i'},
                                           {"help", no_argument, 0, 'H'},
                                           {0, 0, 0, 0}};
        struct start_opts o = {0};
        int pr = parse_simple(argc, argv, "ai", lo, "start [OPTIONS] CONTAINER [CONTAINER...]",
                              start_opt, &o);
        if (pr)
                return pr > 0 ? 0 : EXIT_BERTH;
        int rc = 0;
        for (int i = optind; i < argc; i++) {
                err_t err = {0};
                _cleanup_free_ char *id = NULL;
                if (rt_ctr_resolve(argv[i], &id, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                int status;
                int attach = o.attach ? ATTACH_OUTPUT | (o.interactive ? ATTACH_STDIN : 0) : 0;
                if (container_start(id, attach, &status, &err) < 0) {
                        error_msg("%s", err.msg);
                        error_msg("failed to start containers: %s", argv[i]);
                        rc = 1;
                        continue;
                }
                if (attach)
                        return status;
                printf("%s\n", argv[i]);
        }
        return rc;
}

int cmd_attach(int argc, char **argv)
{
        static const struct option lo[] = {
            {"no-stdin", no_argument, 0, 'n'}, {"help", no_argument, 0, 'H'}, {0, 0, 0, 0}};
        bool no_stdin = false;
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
                if (c == 'n')
                        no_stdin = true;
                else if (c == 'H') {
                        printf("Usage:  berth attach [--no-stdin] CONTAINER\n");
                        return 0;
                } else {
                        error_msg("attach: invalid option");
                        return EXIT_BERTH;
                }
        }
        if (optind >= argc) {
                error_msg("\"berth attach\" requires exactly 1 argument.");
                return EXIT_BERTH;
        }
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        json_t *j = NULL;
        if (container_get_said(argv[optind], &id, &j) < 0)
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
        if (container_attach(id, ATTACH_OUTPUT | (open_stdin && !no_stdin ? ATTACH_STDIN : 0), tty,
                             &status, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return status;
}

static int stop_opt(int c, const char *arg, void *ud)
{
        return start_opt(c == 'T' ? 't' : c, arg, ud);
}

static int stop_one(const char *id, const char *arg, void *ud, err_t *err)
{
        (void)arg;
        return ctr_stop(id, ((struct start_opts *)ud)->timeout, err);
}

int cmd_stop(int argc, char **argv)
{
        static const struct option lo[] = {{"time", required_argument, 0, 'T'},
                                           {"timeout", required_argument, 0, 'T'},
                                           {"signal", required_argument, 0, 's'},
                                           {"help", no_argument, 0, 'H'},
                                           {0, 0, 0, 0}};
        struct start_opts o = {.timeout = -1};
        int pr = parse_simple(argc, argv, "t:s:", lo, "stop [OPTIONS] CONTAINER [CONTAINER...]",
                              stop_opt, &o);
        if (pr)
                return pr > 0 ? 0 : EXIT_BERTH;
        return each_container(argc, argv, stop_one, &o);
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
        static const struct option lo[] = {{"time", required_argument, 0, 'T'},
                                           {"timeout", required_argument, 0, 'T'},
                                           {"help", no_argument, 0, 'H'},
                                           {0, 0, 0, 0}};
        struct start_opts o = {.timeout = -1};
        int pr = parse_simple(argc, argv, "t:", lo, "restart [OPTIONS] CONTAINER [CONTAINER...]",
                              stop_opt, &o);
        if (pr)
                return pr > 0 ? 0 : EXIT_BERTH;
        return each_container(argc, argv, restart_one, &o);
}

static int kill_one(const char *id, const char *arg, void *ud, err_t *err)
{
        _cleanup_free_ char *cid = NULL;
        json_t *j = NULL;
        if (ctr_get(id, &cid, &j, NULL, err) < 0)
                return -1;
        json_decref(j);
        char req[32];
        snprintf(req, sizeof(req), "kill %d\n", ((struct start_opts *)ud)->sig);
        int fd = rt_ctl_connect(id, req, NULL);
        char reply[32] = "";
        ssize_t n = fd >= 0 ? read(fd, reply, sizeof(reply) - 1) : -1;
        if (fd >= 0)
                close(fd);
        if (n <= 0 || atoi(reply) != 0)
                return err_set(err, ESRCH,
                               "cannot kill container: %s: container %.12s is not running", arg,
                               id);
        ctr_mark_user_stop(id, true);
        return 0;
}

int cmd_kill(int argc, char **argv)
{
        static const struct option lo[] = {
            {"signal", required_argument, 0, 's'}, {"help", no_argument, 0, 'H'}, {0, 0, 0, 0}};
        struct start_opts o = {.sig = SIGKILL};
        int pr = parse_simple(argc, argv, "s:", lo, "kill [OPTIONS] CONTAINER [CONTAINER...]",
                              start_opt, &o);
        if (pr)
                return pr > 0 ? 0 : EXIT_BERTH;
        return each_container(argc, argv, kill_one, &o);
}

static int wait_one(const char *id, const char *arg, void *ud, err_t *err)
{
        (void)arg;
        (void)ud;
        int code = -1;
        int fd = rt_ctl_connect(id, "wait\n", NULL);
        if (fd >= 0) {
                int stream;
                char *data = NULL;
                size_t len;
                if (rt_frame_read(fd, &stream, &data, &len) == 1 && stream == RT_STREAM_EXIT)
                        code = atoi(data);
                free(data);
                close(fd);
        }
        if (code < 0) { /* not running (any more): the recorded status */
                json_t *j = NULL;
                _cleanup_free_ char *id2 = NULL;
                if (ctr_get(id, &id2, &j, NULL, err) < 0) {
                        code = 0; /* removed on exit (--rm) */
                } else {
                        code = rt_doc_exit_code(j);
                        json_decref(j);
                }
        }
        printf("%d\n", code);
        return 1;
}

int cmd_wait(int argc, char **argv)
{
        static const struct option lo[] = {{"help", no_argument, 0, 'H'}, {0, 0, 0, 0}};
        struct start_opts o = {0};
        int pr = parse_simple(argc, argv, "", lo, "wait CONTAINER [CONTAINER...]", start_opt, &o);
        if (pr)
                return pr > 0 ? 0 : EXIT_BERTH;
        return each_container(argc, argv, wait_one, NULL);
}
