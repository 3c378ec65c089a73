/* berth compose events: the project's container events as they happen.
 *
 * They are read from the events journal every berth process (and each
 * container's monitor) appends to (base/events.h: the same events `berth
 * events` prints), keeping the container events whose
 * com.docker.compose.project attribute names the project (and whose
 * com.docker.compose.service one names a service asked for).  Printed as
 * docker compose v2 prints them: text lines ("2024-01-02 03:04:05.000000
 * container start <id> (image=..., name=...)", the attributes without the
 * com.docker.compose.* labels) or, with --json, one object per line with
 * time, type, action, id, service and attributes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/events.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose_cmds.h"
#include "compose_up.h"

static volatile sig_atomic_t ev_stop;

static void on_sig(int sig)
{
        (void)sig;
        ev_stop = 1;
}

static bool wanted(const char *service, char **svcs, int n)
{
        if (n == 0)
                return true;
        for (int i = 0; i < n; i++)
                if (!strcmp(svcs[i], service))
                        return true;
        return false;
}

/* One journal event as docker compose prints it, when it is one of the
 * project's container events. */
static void emit(bool json, const json_t *ev, const char *project, char **svcs, int nsvcs)
{
        const char *type = json_string_value(json_object_get(ev, "Type"));
        const json_t *actor = json_object_get(ev, "Actor");
        json_t *attrs = json_object_get(actor, "Attributes");
        const char *proj = json_string_value(json_object_get(attrs, "com.docker.compose.project"));
        const char *svc = json_string_value(json_object_get(attrs, "com.docker.compose.service"));
        if (!type || strcmp(type, "container") || !proj || strcmp(proj, project) || !svc ||
            !wanted(svc, svcs, nsvcs))
                return;
        const char *id = json_string_value(json_object_get(actor, "ID")) ?: "";
        const char *action = json_string_value(json_object_get(ev, "Action")) ?: "";
        /* compose leaves its own labels out of the attributes */
        json_t *shown = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(attrs, k, v)
        {
                if (strncmp(k, "com.docker.compose.", 19) && json_is_string(v))
                        json_object_set(shown, k, v);
        }
        int64_t ns = events_time_ns(ev);
        time_t sec = (time_t)(ns / 1000000000LL);
        long nsec = (long)(ns % 1000000000LL);
        if (json) {
                _cleanup_free_ char *t = time_rfc3339_nano(sec, nsec);
                json_t *o =
                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:O}", "time", t, "type", "container", "action",
                              action, "id", id, "service", svc, "attributes", shown);
                char *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
                printf("%s\n", out);
                free(out);
                json_decref(o);
        } else {
                struct tm tm;
                char when[64];
                localtime_r(&sec, &tm);
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
                strbuf_t sb = STRBUF_INIT;
                sb_append(&sb, "");
                json_object_foreach(shown, k, v)
                {
                        sb_appendf(&sb, "%s%s=%s", sb.len ? ", " : "", k, json_string_value(v));
                }
                printf("%s.%06ld container %s %s (%s)\n", when, nsec / 1000, action, id,
                       sb_str(&sb));
                sb_free(&sb);
        }
        json_decref(shown);
        fflush(stdout);
}

int compose_cmd_events(struct compose_globals *g, int argc, char **argv)
{
        bool json = false;
        const struct cli_opt opts[] = {
            CLI_OPT("json", 0, CLI_FLAG, &json, "Output events as a stream of json objects"), {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "events", "[OPTIONS] [SERVICE...]",
                                "Receive real time events from containers", opts, CLI_ANY_ARGS);
        _cleanup_free_ char *project = cproject_name(g);
        if (!project)
                return COMPOSE_EXIT_FAIL;
        char **svcs = argv + first;
        int nsvcs = argc - first;
        err_t err;
        struct events_tail *t = NULL;
        if (berth_dirs_ensure(&err) < 0 || events_tail_open(&t, false, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return COMPOSE_EXIT_FAIL;
        }
        struct sigaction sa = {.sa_handler = on_sig};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        int rc = 0;
        while (!ev_stop && !ferror(stdout)) {
                json_t *ev = NULL;
                int r = events_tail_next(t, 1000, &ev, &err);
                if (r < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        rc = COMPOSE_EXIT_FAIL;
                        break;
                }
                if (r > 0)
                        emit(json, ev, project, svcs, nsvcs);
                json_decref(ev);
        }
        events_tail_close(t);
        return rc;
}
