/* commands.h - the command table: one function per subcommand, one file per
 * subcommand (src/cmd_*.c).  Each returns the process exit status. */
#ifndef BERTH_COMMANDS_H
#define BERTH_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/strv.h"

typedef int (*cmd_fn)(int argc, char **argv);

struct command {
        const char *name;
        cmd_fn fn;
        const char *summary; /* NULL: an alias, left out of the help */
};

/* A management group (`berth container`, `berth image`): its verbs. */
struct cmd_group {
        const char *name, *summary;
        const struct command *cmds;
        size_t n;
        const char *more;  /* printed after the verbs in the help, or NULL */
        int noverb_status; /* the exit status without a verb (the help on stderr) */
        int fail_status;   /* an unknown verb's; 0: EXIT_BERTH */
};
/* Run argv[1] of the group (argv[0] is the group's name); --help lists it. */
int cmd_group_run(const struct cmd_group *g, int argc, char **argv);
/* g's verb named verb (an alias's entry has no summary; "list" and "remove"
 * are every group's ls and rm, as in Docker), or NULL */
const struct command *cmd_group_find(const struct cmd_group *g, const char *verb);
/* The management groups, whose verbs most top-level commands are (main.c) */
extern const struct cmd_group cmd_container_group, cmd_image_group, cmd_network_group,
    cmd_system_group, cmd_volume_group;
/* The hidden verb every command group answers (`berth network __commands`):
 * one "GROUP VERB<TAB>SUMMARY" line per verb, aliases left out.  `berth
 * __commands` prints the whole tree; tools/gen-docs.sh makes the man pages
 * and shell completions from it, so they cannot drift from the tables. */
#define CMD_LIST "__commands"
void cmd_list_print(const char *group, const struct command *cmds, size_t n);
/* Exit status for errors of berth itself (as docker's 125). */
#define EXIT_BERTH 125

int cmd_version(int argc, char **argv);
int cmd_kube(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_compose(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_container_prune(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_monitor_exited(int argc, char **argv); /* internal: a monitor's exit hook */
int cmd_settle(int argc, char **argv);         /* internal: frees addresses once veths go */
int cmd_pause(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_events(int argc, char **argv);

/* Print "berth: <msg>" to stderr (only src/ prints); the caller goes on or
 * returns its exit code, nothing exits here. */
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warn_msg each of w (warnings engine/ handed back), then empty it. */
void warn_flush(strv_t *w);

#endif
