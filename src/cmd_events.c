/* berth events / berth system events [--since T] [--until T] [--filter K=V]
 * [--format TEMPLATE|json]: the events journal (base/events.h) as Docker
 * prints its daemon's events.  Without --since and --until only new events
 * are printed, until Ctrl-C; --since replays the kept events from that time
 * first; --until stops at that time (at once when it is past). */
#include <getopt.h>
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
#include "commands.h"
#include "container_cli.h"

static void events_usage(FILE *f)
{
        fprintf(f, "Usage:  berth events [OPTIONS]\n\n"
                   "Get real time events from berth\n\n"
                   "Options:\n"
                   "  -f, --filter filter   Filter output based on conditions provided\n"
                   "                        (container, event, image, label, network, type,\n"
                   "                        volume, scope)\n"
                   "      --format string   Format output using a custom template:\n"
                   "                        'json': print in JSON format\n"
                   "                        'TEMPLATE': print output using the given Go template\n"
                   "      --since string    Show all events created since timestamp\n"
                   "      --until string    Stream events until this timestamp\n");
}

static int parse_time(const char *what, const char *s, int64_t *ns)
{
        if (time_parse_docker(s, time_now_ns(), ns) < 0) {
                error_msg("invalid value for \"%s\": %s\n(a duration as 10m or 1h30m, a Unix "
                          "timestamp, or an RFC 3339 time)",
                          what, s);
                return -1;
        }
        return 0;
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
        static const struct option lo[] = {
            {"filter", required_argument, 0, 'f'}, {"format", required_argument, 0, 'F'},
            {"since", required_argument, 0, 'S'},  {"until", required_argument, 0, 'U'},
            {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
        _cleanup_(events_filter_free) struct events_filter filt = {0};
        const char *format = NULL;
        int64_t since = 0, until = 0;
        bool has_since = false, has_until = false;
        err_t err = {0};
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f:h", lo, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (events_filter_add(&filt, optarg, &err) < 0) {
                                error_msg("%s", err.msg);
                                return EXIT_BERTH;
                        }
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'S':
                        if (parse_time("since", optarg, &since) < 0)
                                return EXIT_BERTH;
                        has_since = true;
                        break;
                case 'U':
                        if (parse_time("until", optarg, &until) < 0)
                                return EXIT_BERTH;
                        has_until = true;
                        break;
                case 'h':
                        events_usage(stdout);
                        return 0;
                default:
                        error_msg("events: unknown option '%s'\nSee 'berth events --help'.",
                                  argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (optind < argc) {
                error_msg("\"berth events\" accepts no arguments.\nSee 'berth events --help'.");
                return EXIT_BERTH;
        }
        bool json = format && cliformat_is_json(format);
        if (has_since && has_until && until < since) {
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
        if (berth_dirs_ensure(&err) < 0 || events_tail_open(&t, has_since || has_until, &err) < 0) {
                gotmpl_free(tmpl);
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        int rc = 0;
        for (;;) {
                int timeout = -1;
                if (has_until) {
                        int64_t left = until - time_now_ns();
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
                        if (has_until && time_now_ns() >= until)
                                break;
                        continue;
                }
                int64_t at = events_time_ns(ev);
                bool show = (!has_since || at >= since) && (!has_until || at <= until) &&
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
