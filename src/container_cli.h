/* container_cli.h - CLI helpers shared by the container commands. */
#ifndef BERTH_CONTAINER_CLI_H
#define BERTH_CONTAINER_CLI_H

#include "base/detachkeys.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "engine/create.h"
#include "engine/netglue.h"
#include "engine/prune.h"
#include "engine/spec.h"
#include "engine/start.h"

/* Start a created or exited container (engine/start.h ctr_start).  With
 * attach, stream it (src/container_attach.c) and store its exit status in
 * *status.  Returns < 0 with err filled on failure; *status is then the
 * docker exit status for the failure (125/126/127). */
int container_start(const char *id, int attach, int *status, err_t *err);
/* The same; with attach and ended, ended(id, sock) runs once an auto-removed
 * container's process has ended, while its monitor removes it (before the
 * exit status comes); sock is the attach connection, which the monitor
 * holds until it exits. */
int container_start_then(const char *id, int attach, void (*ended)(const char *id, int sock),
                         int *status, err_t *err);
/* ctr_get (no lock kept) for a command's CONTAINER argument, its error
 * printed (error_msg); < 0 then. */
int container_get_said(const char *ref, char **id, json_t **j);
/* Each CONTAINER argument (argv[first...], first from cli_parse) resolved to
 * its id and handed to fn: the argument is printed when fn returns 0
 * (docker's output; > 0: fn printed), the error when it fails, and the exit
 * status is then 1.  CTR_EACH_STOP from fn: the arguments after this one are
 * left alone. */
#define CTR_EACH_STOP 2
int container_each(int first, int argc, char **argv,
                   int (*fn)(const char *id, const char *arg, void *ud, err_t *err), void *ud);

/* How an attached terminal behaves: the detach sequence (NULL: none; it
 * applies to a tty's input) and whether SIGINT/SIGTERM are passed to the
 * container or end berth (--sig-proxy=false).  NULL: none, and passed. */
struct attach_ui {
        struct detach_keys *keys;
        bool no_sig_proxy;
};

/* Stream an already running container (attach).  Returns 1 (status left
 * unset) when the user typed the detach sequence: the container runs on. */
int container_attach(const char *id, int attach, bool tty, const struct attach_ui *ui, int *status,
                     err_t *err);

/* ps's STATUS cell from a container's document: "Up 3 minutes", "Exited (0) 2
 * hours ago", "Created".  Caller frees. */
char *ctr_status_text(const json_t *j);
/* ps's COMMAND cell from a container's state j: Path and Args, cut to 20
 * columns when trunc, quoted as Go quotes.  Caller frees. */
char *ctr_command_text(json_t *j, bool trunc);
/* stats: the options of `stats` and `compose stats`. */
struct stats_opts {
        bool all, stream, trunc;
        const char *format;
};
/* Parse them from argv (cmd names the command: "stats", "compose stats"), as
 * cli_parse: the first operand's index, 0 after --help, -1 after an error. */
int stats_parse(int argc, char **argv, const char *cmd, struct stats_opts *o);
/* Print the usage table of refs (named: as the user named them, shown in
 * any state; else running ones unless all), or of every container when
 * nrefs is 0 and not named; refresh each second while o->stream. */
int stats_run(const struct stats_opts *o, char **refs, int nrefs, bool named);

#endif
