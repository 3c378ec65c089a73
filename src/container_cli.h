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
#include "engine/spec.h"
#include "engine/start.h"

/* Start a created or exited container (engine/start.h ctr_start).  With
 * attach, stream it (src/container_attach.c) and store its exit status in
 * *status.  Returns < 0 with err filled on failure; *status is then the
 * docker exit status for the failure (125/126/127). */
int container_start(const char *id, int attach, int *status, err_t *err);
/* The same; with attach and ended, ended(id) runs once an auto-removed
 * container's process has ended, while its monitor removes it (before the
 * exit status comes). */
int container_start_then(const char *id, int attach, void (*ended)(const char *id), int *status,
                         err_t *err);
/* ctr_get (no lock kept) for a command's CONTAINER argument, its error
 * printed (error_msg); < 0 then. */
int container_get_said(const char *ref, char **id, json_t **j);

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

/* Which containers use which image ("Image" of each state document), for
 * rt_image_remove/rt_image_prune: pass image_users_find and the struct. */
struct image_users {
        struct {
                char *id, *image;
                bool running;
        } * v;
        size_t n;
};
int image_users_load(struct image_users *u, err_t *err);
const char *image_users_find(const char *image_id, bool *running, void *ud);
/* image prune's and system prune's --filter: Docker's until=, label=,
 * label!= and dangling= (false: *all).  Images the filters leave out are
 * kept through rt_image_prune's in-use callback, prune_filter_in_use (ud:
 * the filter), beside those containers use (users, loaded by the caller). */
struct prune_filter {
        struct image_users users;
        int64_t until_ns;     /* 0: none */
        strv_t label, nlabel; /* "k" or "k=v": all must match / not all may */
        strv_t keep;          /* ids the filters leave out */
        strv_t given;         /* the --filter values (the option's CLI_LIST) */
        bool no_until;        /* until= is refused (volume prune, as docker) */
};
/* A prune command's argv (cli_parse), then its --filter values (pf->given);
 * all NULL: dangling= is not one of its filters (system, container, volume
 * and network prune take until=, label= and label!=).  As cli_parse; pf is
 * freed when it returns <= 0. */
struct cli_cmd;
/* A prune command's --filter (into pf.given; examples: its "e.g." text)
 * and -f/--force (into *force). */
#define PRUNE_OPTS(pf, force, examples)                                                            \
        CLI_OPT("filter", 0, CLI_LIST, &(pf).given, "Provide filter values (e.g. " examples ")",   \
                .type = "filter"),                                                                 \
            CLI_OPT("force", 'f', CLI_FLAG, force, "Do not prompt for confirmation")
int prune_cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct prune_filter *pf,
                    bool *all);
/* Do labels (an object, or NULL) pass the label=/label!= filters? */
bool prune_filter_labels(const struct prune_filter *pf, const json_t *labels);
/* The same as network_prune's match (ud: the filter). */
bool prune_net_match(const json_t *labels, void *ud);
/* After the users are loaded: which images the filters keep. */
int prune_filter_apply(struct prune_filter *pf, err_t *err);
const char *prune_filter_in_use(const char *image_id, bool *running, void *ud);
void prune_filter_free(struct prune_filter *pf);
void image_users_free(struct image_users *u);

/* Remove a stopped container whose lock the caller holds (j its state): its
 * network attachments, then its state and directories. */
int container_remove_locked(const char *id, json_t *j, err_t *err);

/* Remove every stopped (created, exited, dead) container (when until_ns is
 * not 0, only those created before it), each checked under its lock; their
 * ids go to removed, the sizes of their writable layers are added to
 * *reclaimed. */
/* A prune's --filter: "until=TIME" (docker's forms, base/timefmt) into
 * *until_ns (never 0); -1 (printed, naming cmd) for anything else. */
int prune_until_parse(const char *filter, const char *cmd, int64_t *until_ns);
/* pf (NULL: none): only those created before its until, with its labels */
int container_prune(strv_t *removed, unsigned long long *reclaimed, const struct prune_filter *pf,
                    err_t *err);

/* ps's STATUS cell from a container's document: "Up 3 minutes", "Exited (0) 2
 * hours ago", "Created".  Caller frees. */
char *ctr_status_text(const json_t *j);
/* ps's COMMAND cell from a container's state j: Path and Args, cut to 20
 * columns when trunc, quoted as Go quotes.  Caller frees. */
char *ctr_command_text(json_t *j, bool trunc);
/* Names of the volumes that containers (in any state) mount. */
void volumes_in_use(strv_t *used);
/* Bytes in a volume (0 when it cannot be read). */
unsigned long long volume_size(const char *name);
/* Remove the volumes no container mounts: anonymous ones, every one with
 * all.  Their names go to removed, their sizes are added to *reclaimed. */
int volume_prune(bool all, const struct prune_filter *pf, strv_t *removed,
                 unsigned long long *reclaimed, err_t *err);

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
