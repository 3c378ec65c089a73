/* compose_cmds.h - `berth compose` subcommands and their shared global options. */
#ifndef BERTH_COMPOSE_CMDS_H
#define BERTH_COMPOSE_CMDS_H

#include <stdbool.h>

#include "base/strv.h"
#include "cli.h"
#include "compose_cli.h"

/* Global options of `berth compose`, as docker compose v2 takes them (before
 * the subcommand).  Environment defaults (COMPOSE_FILE, COMPOSE_PROJECT_NAME,
 * COMPOSE_PROFILES) are applied by the loader, not here. */
struct compose_globals {
        strv_t files;             /* -f, --file (repeatable; "-" is stdin) */
        const char *project_name; /* -p, --project-name */
        strv_t profiles;          /* --profile (repeatable) */
        strv_t env_files;         /* --env-file (repeatable) */
        const char *project_dir;  /* --project-directory */
        int parallel;             /* --parallel (-1 = unlimited, 0 = default) */
        const char *progress;     /* --progress auto|tty|plain|quiet */
        bool dry_run;             /* --dry-run */
};

typedef int (*compose_fn)(struct compose_globals *g, int argc, char **argv);

struct compose_command {
        const char *name;
        compose_fn fn;
        const char *summary;
};

int compose_cmd_config(struct compose_globals *g, int argc, char **argv);

struct compose_load_opts;
/* (compose_project.c) Fill the loader's options from the global options (files, project name
 * and directory, env files, profiles, the process environment). */
void compose_globals_load_opts(const struct compose_globals *g, struct compose_load_opts *lo);
/* Print the loader's and the model's warnings as compose v2 does. */
void compose_print_warnings(const strv_t *w);

int compose_cmd_up(struct compose_globals *g, int argc, char **argv);
int compose_cmd_pull(struct compose_globals *g, int argc, char **argv);
int compose_cmd_create(struct compose_globals *g, int argc, char **argv);
int compose_cmd_down(struct compose_globals *g, int argc, char **argv);
int compose_cmd_ps(struct compose_globals *g, int argc, char **argv);
int compose_cmd_ls(struct compose_globals *g, int argc, char **argv);
int compose_cmd_logs(struct compose_globals *g, int argc, char **argv);
int compose_cmd_exec(struct compose_globals *g, int argc, char **argv);
int compose_cmd_images(struct compose_globals *g, int argc, char **argv);
int compose_cmd_kill(struct compose_globals *g, int argc, char **argv);
/* pause: the running containers of the services; unpause (argv[0]): the
 * paused ones. */
int compose_cmd_pause(struct compose_globals *g, int argc, char **argv);
int compose_cmd_port(struct compose_globals *g, int argc, char **argv);
int compose_cmd_rm(struct compose_globals *g, int argc, char **argv);
int compose_cmd_run(struct compose_globals *g, int argc, char **argv);
/* start, stop (from the labels alone without a compose file) and restart
 * (stop, then start) of the services' containers, as argv[0] says. */
int compose_cmd_start_stop(struct compose_globals *g, int argc, char **argv);
int compose_cmd_stats(struct compose_globals *g, int argc, char **argv);
int compose_cmd_top(struct compose_globals *g, int argc, char **argv);
int compose_cmd_wait(struct compose_globals *g, int argc, char **argv);
int compose_cmd_events(struct compose_globals *g, int argc, char **argv);
int compose_cmd_watch(struct compose_globals *g, int argc, char **argv);
int compose_cmd_version(struct compose_globals *g, int argc, char **argv);
int compose_cmd_cp(struct compose_globals *g, int argc, char **argv);
int compose_cmd_scale(struct compose_globals *g, int argc, char **argv);
int compose_cmd_attach(struct compose_globals *g, int argc, char **argv);
struct cproject;
/* develop.watch of the services named (all when none) of an open project,
 * until SIGINT/SIGTERM; quiet hides the progress lines. */
int compose_watch_run(struct compose_globals *g, struct cproject *cp, char **svcs, int nsvcs,
                      bool quiet);

#endif
