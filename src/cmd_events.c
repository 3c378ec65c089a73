/* berth events / berth system events [--since T] [--until T] [--filter K=V]
 * [--format TEMPLATE|json]: the events journal (base/events.h) as Docker
 * prints its daemon's events.  Without --since and --until only new events
 * are printed, until Ctrl-C; --since replays the kept events from that time
 * first; --until stops at that time (at once when it is past). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/cliformat.h"
#include "base/events.h"
#include "base/gotemplate.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/timefmt.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"

/* -f/--filter K=V into the events filter */
static int filter_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        return events_filter_add(o->dest, arg, err);
}

/* One event as asked; -1 when the template fails (as docker, it stops). */
static int print_event(json_t *ev, bool json, gotmpl_t *tmpl)
{
        strbuf_t out = {0};
        if (json) {
                gotmpl_json(&out, ev, false, true);
                sb_appendc(&out, '\n');
        } else if (tmpl) {
                err_t err = {0};
                _cleanup_json_ json_t *dot = events_template_dot(ev);
                struct gotmpl_opts o = {.type_name = "events.Message",
                                        .string_maps = cliformat_event_maps};
                if (gotmpl_exec(tmpl, dot, &o, &out, &err) < 0) {
                        sb_free(&out);
                        error_msg("%s", err.msg);
                        return -1;
                }
                sb_appendc(&out, '\n');
        } else {
                events_format_text(ev, &out);
        }
        fwrite(sb_str(&out), 1, out.len, stdout);
        fflush(stdout);
        sb_free(&out);
        return 0;
}

int cmd_events(int argc, char **argv)
{
        _cleanup_(events_filter_free) struct events_filter filt = {0};
        const char *format = NULL;
        struct cli_time since = {0}, until = {0};
        err_t err = {0};
        const struct cli_opt opts[] = {
            CLI_OPT("filter", 'f', CLI_FUNC, &filt,
                    "Filter output based on conditions provided\n"
                    "(container, event, image, label, network, type,\n"
                    "volume, scope)",
                    .type = "filter", .fn = filter_opt),
            CLI_OPT("format", 0, CLI_STRING, &format,
                    "Format output using a custom template:\n"
                    "'json': print in JSON format\n"
                    "'TEMPLATE': print output using the given Go template"),
            CLI_TIME_OPT("since", &since, "Show all events created since timestamp"),
            CLI_TIME_OPT("until", &until, "Stream events until this timestamp"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "events", "[OPTIONS]",
                            "Get real time events from berth", opts, CLI_NO_ARGS);
        bool json = format && cliformat_is_json(format);
        if (since.set && until.set && until.ns < since.ns) {
                error_msg("--since time cannot be after --until time");
                return EXIT_BERTH;
        }
        gotmpl_t *tmpl = NULL;
        if (format && *format && !json && gotmpl_parse(format, &tmpl, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        struct events_tail *t = NULL;
        /* past events are printed when a time bound is given, as docker */
        if (berth_dirs_ensure(&err) < 0 || events_tail_open(&t, since.set || until.set, &err) < 0) {
                gotmpl_free(tmpl);
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        int rc = 0;
        for (;;) {
                int timeout = -1;
                if (until.set) {
                        int64_t left = until.ns - time_now_ns();
                        if (left <= 0) {
                                timeout = 0;
                        } else {
                                int64_t ms = left / 1000000 + 1;
                                timeout = ms > 3600000 ? 3600000 : (int)ms;
                        }
                }
                json_t *ev = NULL;
                int r = events_tail_next(t, timeout, &ev, &err);
                if (r < 0) {
                        error_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                        break;
                }
                if (r == 0) {
                        if (until.set && time_now_ns() >= until.ns)
                                break;
                        continue;
                }
                int64_t at = events_time_ns(ev);
                bool show = (!since.set || at >= since.ns) && (!until.set || at <= until.ns) &&
                            events_filter_match(&filt, ev);
                if (show && print_event(ev, json, tmpl) < 0) {
                        json_decref(ev);
                        rc = EXIT_BERTH;
                        break;
                }
                json_decref(ev);
        }
        events_tail_close(t);
        gotmpl_free(tmpl);
        return rc;
}
