/* berth compose logs: the containers' json log files (engine/logs.h),
 * printed by compose_follow.c's log_style_out. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/fsutil.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose_up.h"
#include "engine/logs.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

static volatile sig_atomic_t interrupted;
static void on_int(int sig)
{
        interrupted = sig;
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

static void logs_usage(FILE *f)
{
        fprintf(f, "Usage:  berth compose logs [OPTIONS] [SERVICE...]\n\n"
                   "View output from containers\n\n"
                   "Options:\n"
                   "  -f, --follow          Follow log output\n"
                   "  -n, --tail string     Number of lines to show from the end of the logs\n"
                   "  -t, --timestamps      Show timestamps\n"
                   "      --no-log-prefix   Don't print prefix in logs\n"
                   "      --no-color        Produce monochrome output\n"
                   "      --index int       index of the container if service has multiple "
                   "replicas\n"
                   "      --since string    Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) "
                   "or relative (e.g. 42m for 42 minutes)\n"
                   "      --until string    Show logs before a timestamp (e.g. "
                   "2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)\n");
}

int compose_cmd_logs(struct compose_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
            {"follow", no_argument, NULL, 'f'},      {"tail", required_argument, NULL, 'n'},
            {"timestamps", no_argument, NULL, 't'},  {"no-log-prefix", no_argument, NULL, 'P'},
            {"no-color", no_argument, NULL, 'C'},    {"index", required_argument, NULL, 'i'},
            {"since", required_argument, NULL, 'S'}, {"until", required_argument, NULL, 'U'},
            {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
        };
        bool follow = false;
        int64_t since_ns = 0, until_ns = 0;
        struct log_style st = {.prefix = true, .color = isatty(STDOUT_FILENO)};
        long tail = -1;
        int index = 0, c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "fn:th", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        follow = true;
                        break;
                case 'n':
                        tail = strcmp(optarg, "all") ? atol(optarg) : -1;
                        break;
                case 't':
                        st.timestamps = true;
                        break;
                case 'P':
                        st.prefix = false;
                        break;
                case 'C':
                        st.color = false;
                        break;
                case 'i':
                        index = atoi(optarg);
                        break;
                case 'S':
                case 'U':
                        if (time_parse_docker(optarg, time_now_ns(),
                                              c == 'S' ? &since_ns : &until_ns) < 0) {
                                fprintf(stderr,
                                        "invalid value for \"%s\": %s\n(a duration as 10m or "
                                        "1h30m, a Unix timestamp, or an RFC 3339 time)\n",
                                        c == 'S' ? "since" : "until", optarg);
                                return EXIT_BERTH;
                        }
                        if (c == 'U' && !until_ns)
                                until_ns = 1; /* before the epoch: nothing */
                        break;
                case 'h':
                        logs_usage(stdout);
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose logs --help'.\n",
                                argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        struct cproject cp;
        if (cproject_open(g, argv + optind, argc - optind, &cp) < 0)
                return COMPOSE_EXIT_FAIL;
        strv_t svcs = STRV_INIT;
        for (int i = optind; i < argc; i++)
                strv_push(&svcs, argv[i]);
        struct cctr_list l = {0};
        err_t err;
        int rc = 0;
        if (cctr_observe(cp.p->name, true, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
                goto out;
        }
        if (index > 0)
                for (size_t i = 0; i < l.n; i++)
                        if (l.v[i].number != index)
                                l.v[i].oneoff = true, l.v[i].service[0] = '\0';
        struct log_set set;
        struct log_out out = log_style_out(&st);
        log_set_open(&l, &svcs, false, &set);
        for (size_t i = 0; i < set.n; i++) {
                set.v[i].since_ns = since_ns;
                set.v[i].until_ns = until_ns;
                log_src_open_tail(&set.v[i], tail);
                log_src_drain(&set, &set.v[i], &out);
        }
        if (follow) {
                struct sigaction sa = {.sa_handler = on_int};
                sigaction(SIGINT, &sa, NULL);
                sigaction(SIGTERM, &sa, NULL);
                while (!interrupted) {
                        size_t live = 0;
                        for (size_t i = 0; i < set.n; i++) {
                                int code;
                                bool r = log_src_running(&set.v[i], &code);
                                log_src_drain(&set, &set.v[i], &out);
                                live += r;
                        }
                        if (!live || (until_ns && time_now_ns() > until_ns))
                                break;
                        sleep_ms(100);
                }
        }
        log_set_free(&set);
out:
        cctr_list_free(&l);
        strv_free(&svcs);
        cproject_close(&cp);
        return rc;
}
