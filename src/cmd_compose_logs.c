/* berth compose logs: the containers' json log files (engine/logs.h),
 * printed by compose_follow.c's log_style_out. */
#include <errno.h>
#include <fcntl.h>
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

int compose_cmd_logs(struct compose_globals *g, int argc, char **argv)
{
        bool follow = false;
        struct log_style st = {.prefix = true, .color = isatty(STDOUT_FILENO)};
        const char *tail_s = "all";
        struct cli_time since = {0}, until = {0};
        int index = 0;
        const struct cli_opt opts[] = {
            CLI_LOGS_OPTS(&follow, &since, &tail_s, &st.timestamps, &until),
            CLI_OPT("index", 0, CLI_INT, &index,
                    "index of the container if service has multiple replicas"),
            CLI_OPT("no-color", 0, CLI_UNSET, &st.color, "Produce monochrome output"),
            CLI_OPT("no-log-prefix", 0, CLI_UNSET, &st.prefix, "Don't print prefix in logs"),
            {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "logs", "[OPTIONS] [SERVICE...]",
                                "View output from containers", opts, CLI_ANY_ARGS);
        long tail = strcmp(tail_s, "all") ? atol(tail_s) : -1;
        int64_t since_ns = since.ns, until_ns = until.ns;
        if (until.set && !until_ns)
                until_ns = 1; /* before the epoch: nothing */
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, argc - first, true, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        struct cctr_list *l = &c.l;
        strv_t svcs = STRV_INIT;
        for (int i = first; i < argc; i++)
                strv_push(&svcs, argv[i]);
        if (index > 0)
                for (size_t i = 0; i < l->n; i++)
                        if (l->v[i].number != index)
                                l->v[i].oneoff = true, l->v[i].service[0] = '\0';
        struct log_set set;
        struct log_out out = log_style_out(&st);
        log_set_open(l, &svcs, false, &set);
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
        strv_free(&svcs);
        cproject_ctrs_close(&c);
        return 0;
}
