/* events.h - the events journal: what `berth events` prints.
 *
 * berth has no daemon to keep Docker's in-memory event list, so every berth
 * process that changes something (the CLI, and the monitor for what happens
 * while no CLI runs: die, oom, health_status, restarts) appends one JSON line
 * per event, in Docker's events.Message shape, to <lib>/events/journal:
 *
 *   {"status":"start","id":ID,"from":IMAGE,"Type":"container","Action":"start",
 *    "Actor":{"ID":ID,"Attributes":{"image":IMAGE,"name":NAME}},
 *    "scope":"local","time":SECONDS,"timeNano":NANOSECONDS}
 *
 * (status/id/from, Docker's legacy fields, only for container and image
 * events).  Each line is one write() on an O_APPEND descriptor, so concurrent
 * writers never interleave.  The journal is bounded: once it would pass the
 * limit (EVENTS_MAX, 1 MiB) it is renamed to journal.1 (replacing the one
 * before) under <lib>/events/lock, so at most twice the limit is kept, about
 * as many events as Docker keeps (1000).  Recording never fails the caller:
 * an event that cannot be written (no state dir, a full disk) is lost. */
#ifndef BERTH_BASE_EVENTS_H
#define BERTH_BASE_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

#define EVENTS_MAX (1024 * 1024)
/* A line longer than this is written without the actor's attributes other
 * than name and image (labels can be large). */
#define EVENTS_LINE_MAX (64 * 1024)

/* Record one event.  id: the actor (container id, image id or reference,
 * network id, volume name); attrs: an object of string values, borrowed,
 * may be NULL.  Never fails. */
void events_log(const char *type, const char *action, const char *id, const json_t *attrs);
/* The same with attributes as NULL-terminated key, value pairs. */
void events_logv(const char *type, const char *action, const char *id, ...)
    __attribute__((sentinel));

/* The journal size limit (tests make it small); 0 restores EVENTS_MAX. */
void events_set_max(size_t bytes);

/* One journal line (without its newline) to an event: a JSON object with a
 * string Type and Action, an Actor object with a string ID and string
 * attributes, and an integer timeNano.  -1 when the line is not one. */
int events_parse_line(const char *s, size_t n, json_t **out);
int64_t events_time_ns(const json_t *ev);

/* --filter: Docker's keys (container, event, image, label, network, type,
 * volume, scope, daemon); values of one key match any, different keys must
 * all match. */
struct events_filter {
        json_t *f; /* key -> array of values */
};
int events_filter_add(struct events_filter *f, const char *kv, err_t *err);
bool events_filter_match(const struct events_filter *f, const json_t *ev);
void events_filter_free(struct events_filter *f);

/* Docker's text line: "TIME TYPE ACTION ID (k=v, ...)\n", the time in the
 * local zone with nine fraction digits ("Z" in UTC). */
void events_format_text(const json_t *ev, strbuf_t *out);
/* The event as Docker's template sees it: Go's field names (Status, ID,
 * From, Type, Action, Actor, Scope, Time, TimeNano).  Caller decrefs. */
json_t *events_template_dot(const json_t *ev);

/* Reading the journal: past events, then new ones as they are written. */
struct events_tail;
/* from_start: first every event kept (journal.1, then journal); else only
 * the ones written from now on. */
int events_tail_open(struct events_tail **out, bool from_start, err_t *err);
/* The next event: 1 with *ev set, 0 when none came within timeout_ms (< 0:
 * wait forever), < 0 on error. */
int events_tail_next(struct events_tail *t, int timeout_ms, json_t **ev, err_t *err);
void events_tail_close(struct events_tail *t);

#endif
