/* logs.h - a compose project's container logs: the json log files the
 * monitor writes, read as they grow and multiplexed line by line, for
 * `compose logs` and the attached mode of `up` (compose_follow: follow until
 * the containers exit, stop the project on abort or interruption).  Nothing
 * here prints: lines and events go to the caller's callbacks. */
#ifndef BERTH_ENGINE_LOGS_H
#define BERTH_ENGINE_LOGS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "service.h"

/* One container's log being read. */
struct log_src {
        char *id;
        char *name; /* "service-N" (a one-off: its container name) */
        char *service;
        char *path;
        size_t index; /* its place in the set (the caller's color) */
        int fd;       /* -1 until opened */
        strbuf_t partial;
        bool done; /* the container exited and its log was drained */
        int code;
        int64_t since_ns; /* lines stamped before this are skipped (0: none) */
        int64_t until_ns; /* lines stamped after this are skipped (0: none) */
};

struct log_set {
        struct log_src *v;
        size_t n;
        size_t width; /* the longest name */
};

struct log_out {
        void *ud;
        /* A complete line of s: msg as logged, time its RFC 3339 stamp (NULL
         * when the line is not a log record). */
        void (*line)(void *ud, const struct log_set *set, const struct log_src *s, const char *time,
                     const char *msg);
        /* The lines read so far were all given. */
        void (*flush)(void *ud);
};

/* The logs of the containers of l whose service is in services (NULL or
 * empty: all), one-off containers only when oneoff. */
void log_set_open(const struct cctr_list *l, const strv_t *services, bool oneoff,
                  struct log_set *out);
void log_set_free(struct log_set *set);
/* Open s's log at its last tail lines (tail < 0: from the start; 0: its end). */
void log_src_open_tail(struct log_src *s, long tail);
/* Read what is new in s and hand over its complete lines. */
void log_src_drain(struct log_set *set, struct log_src *s, const struct log_out *out);
/* Is s's container running (or restarting)?  *code: its last exit code. */
bool log_src_running(const struct log_src *s, int *code);

/* The attached mode of up. */
struct follow_opts {
        bool abort_on_exit, abort_on_failure;
        const char *exit_code_from;               /* the service whose exit code is the result */
        const volatile sig_atomic_t *interrupted; /* set by the caller's signal handler */
};
struct follow_out {
        struct log_out log;
        /* the containers followed, before their lines */
        void (*attaching)(void *ud, const struct log_set *set);
        /* s's container exited with code */
        void (*exited)(void *ud, const struct log_src *s, int code);
        /* The containers are about to be stopped (interrupted: by a signal,
         * else a container exited with abort_on_exit / _failure). */
        void (*stopping)(void *ud, bool interrupted);
        /* Stop the containers of l now. */
        int (*stop)(void *ud, const struct compose_project *p, struct cctr_list *l, err_t *err);
        /* the stop failed */
        void (*error)(void *ud, const err_t *err);
};
/* Follow the logs of services (NULL or empty: all) of cp's containers from
 * the time cp was opened, until every container exited, one did
 * (abort_on_exit) or failed (abort_on_failure), or *o->interrupted; in the
 * last cases the containers are stopped (out->stopping, out->stop).  Returns the exit
 * status (exit_code_from's, the aborting container's, 130 when
 * interrupted), or -1 with err when the containers cannot be observed. */
int compose_follow(const struct cproject *cp, const strv_t *services, const struct follow_opts *o,
                   const struct follow_out *out, err_t *err);

#endif
