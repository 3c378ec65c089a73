/* berth - daemonless container engine and compose orchestrator. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/crypto_lazy.h"
#include "base/paths.h"
#include "commands.h"
#include "engine/dnsreg.h"
#include "engine/netglue.h"
#include "net/dns.h"
#include "runtime/exe_seal.h"

/* The top-level commands.  As in Docker, a management group (`berth
 * container`) and most commands (`berth attach` is `berth container attach`,
 * `berth ps` is `berth container ls`) are a group's table and a verb in it,
 * and the group's table holds their functions and summaries; the rest have
 * their own. */
static const struct toplevel {
        const char *name;
        cmd_fn fn;
        const char *summary;
        const struct cmd_group *group;    /* the command is this group */
        const struct cmd_group *alias_of; /* the command is this group's verb */
        const char *verb;                 /* that verb, when not named as the command */
} commands[] = {
    {"attach", .alias_of = &cmd_container_group},
    {"build", .alias_of = &cmd_image_group},
    {"compose", .fn = cmd_compose, .summary = "Define and run multi-container applications"},
    {"container", .group = &cmd_container_group},
    {"commit", .alias_of = &cmd_container_group},
    {"cp", .alias_of = &cmd_container_group},
    {"create", .alias_of = &cmd_container_group},
    {"diff", .alias_of = &cmd_container_group},
    {"events", .alias_of = &cmd_system_group},
    {"exec", .alias_of = &cmd_container_group},
    {"export", .alias_of = &cmd_container_group},
    {"history", .alias_of = &cmd_image_group},
    {"image", .group = &cmd_image_group},
    {"images", .alias_of = &cmd_image_group, .verb = "ls"},
    {"import", .alias_of = &cmd_image_group},
    {"info", .alias_of = &cmd_system_group},
    {"inspect", .fn = cmd_inspect,
     .summary = "Return low-level information on containers and images"},
    {"kill", .alias_of = &cmd_container_group},
    {"kube", .fn = cmd_kube, .summary = "Generate Kubernetes manifests from a compose project"},
    {"load", .alias_of = &cmd_image_group},
    {"login", .fn = cmd_login, .summary = "Log in to a registry"},
    {"logout", .fn = cmd_logout, .summary = "Log out from a registry"},
    {"logs", .alias_of = &cmd_container_group},
    {"network", .group = &cmd_network_group},
    {"pause", .alias_of = &cmd_container_group},
    {"port", .alias_of = &cmd_container_group},
    {"pull", .alias_of = &cmd_image_group},
    {"ps", .alias_of = &cmd_container_group, .verb = "ls"},
    {"push", .alias_of = &cmd_image_group},
    {"rename", .alias_of = &cmd_container_group},
    {"restart", .alias_of = &cmd_container_group},
    {"rm", .alias_of = &cmd_container_group},
    {"rmi", .alias_of = &cmd_image_group, .verb = "rm"},
    {"run", .alias_of = &cmd_container_group},
    {"save", .alias_of = &cmd_image_group},
    {"start", .alias_of = &cmd_container_group},
    {"stats", .alias_of = &cmd_container_group},
    {"stop", .alias_of = &cmd_container_group},
    {"system", .group = &cmd_system_group},
    {"tag", .alias_of = &cmd_image_group},
    {"top", .alias_of = &cmd_container_group},
    {"unpause", .alias_of = &cmd_container_group},
    {"update", .alias_of = &cmd_container_group},
    {"version", .fn = cmd_version, .summary = "Show the berth version information"},
    {"volume", .group = &cmd_volume_group},
    {"wait", .alias_of = &cmd_container_group},
};

/* the group verb that c (an alias) is */
static const struct command *aliased(const struct toplevel *c)
{
        return cmd_group_find(c->alias_of, c->verb ? c->verb : c->name);
}

static const char *summary_of(const struct toplevel *c)
{
        if (c->group)
                return c->group->summary;
        return c->alias_of ? aliased(c)->summary : c->summary;
}

/* run c with argv[0] its name */
static int run_command(const struct toplevel *c, int argc, char **argv)
{
        if (c->group)
                return cmd_group_run(c->group, argc, argv);
        return (c->alias_of ? aliased(c)->fn : c->fn)(argc, argv);
}

/* "PREFIX<message>\n" on stderr */
static void __attribute__((format(printf, 2, 0)))
vmsg(const char *prefix, const char *fmt, va_list ap)
{
        fputs(prefix, stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void error_msg(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vmsg("berth: ", fmt, ap);
        va_end(ap);
}

void warn_msg(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vmsg("berth: warning: ", fmt, ap);
        va_end(ap);
}

void warn_flush(strv_t *w)
{
        for (size_t i = 0; i < w->n; i++)
                warn_msg("%s", w->v[i]);
        strv_free(w);
}

/* net_dns_set_rebuild's hook: say why, then rebuild the damaged records. */
static int dns_rebuild(net_dns_records_t *r, const char *why, err_t *err)
{
        warn_msg("%s; the DNS records are rebuilt from the networks and the running containers "
                 "(the damaged file is kept as records.json.bad)",
                 why);
        return dnsreg_rebuild(r, err);
}

static void usage(FILE *f)
{
        fprintf(f, "Usage:  berth [OPTIONS] COMMAND\n\nCommands:\n");
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, summary_of(&commands[i]));
        fprintf(f, "\nRun 'berth COMMAND --help' for more information on a command.\n");
}

/* berth __commands: "PATH<TAB>SUMMARY" for every command and every verb of
 * the command groups (each group lists its own verbs, see CMD_LIST). */
static int list_commands(void)
{
        int rc = 0;
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
                const struct toplevel *c = &commands[i];
                printf("%s\t%s\n", c->name, summary_of(c));
                if (c->group || c->fn == cmd_compose || c->fn == cmd_kube) {
                        char *av[] = {(char *)c->name, (char *)CMD_LIST, NULL};
                        fflush(stdout);
                        if (run_command(c, 2, av) != 0)
                                rc = EXIT_BERTH;
                }
        }
        return rc;
}

/* libcrypto is loaded on the first digest (base/crypto_lazy.h) */
static void crypto_missing(const char *msg)
{
        error_msg("%s", msg);
        fflush(stdout);
        _exit(EXIT_BERTH);
}

static pid_t main_pid;

/* At exit of the command (not of a child it forked): a settler when
 * netwire_settle_needed says so.  posix_spawn (a vfork): the command's exit
 * waits for the exec, not for the settler; the settler has a session of its
 * own, no signal blocked or ignored, and /dev/null for its stdio, so that
 * nothing reading the command's output waits for it. */
static void settle_at_exit(void)
{
        if (getpid() != main_pid || !netwire_settle_needed())
                return;
        posix_spawnattr_t a;
        posix_spawn_file_actions_t fa;
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_init(&a);
        posix_spawnattr_setflags(&a, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                         POSIX_SPAWN_SETSIGDEF);
        posix_spawnattr_setsigmask(&a, &none);
        posix_spawnattr_setsigdefault(&a, &all);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        char *av[] = {(char *)"berth", (char *)"__settle", NULL};
        pid_t pid;
        extern char **environ;
        int e = posix_spawn(&pid, "/proc/self/exe", &fa, &a, av, environ);
        if (e != 0) /* posix_spawn returns the error; errno is not set */
                error_msg("cannot start a settler for released addresses: %s (the next berth "
                          "command on their networks frees them)",
                          strerror(e));
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&a);
}

static void settle_on_exit(void)
{
        main_pid = getpid();
        atexit(settle_at_exit);
}

int main(int argc, char **argv)
{
        crypto_lazy_on_failure(crypto_missing);
        if (argc < 2) {
                usage(stderr);
                return EXIT_BERTH;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
                usage(stdout);
                return 0;
        }
        if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))
                return cmd_version(1, argv + 1);
        /* commands that execute in containers from this process (exec, compose
         * health probes) run from a sealed copy of the binary */
        if (!strcmp(argv[1], "exec") || !strcmp(argv[1], "compose")) {
                static const char *const sib[][2] = {{"BERTH_MONITOR", "berth-monitor"},
                                                     {"BERTH_DNS_BIN", "berth-dns"},
                                                     {NULL, NULL}};
                err_t err = {0};
                if (rt_exe_seal(argv, sib, &err) < 0) {
                        error_msg("%s", err.msg);
                        return EXIT_BERTH;
                }
        }
        if (!strcmp(argv[1], CMD_LIST)) /* internal: the command tree, for the docs */
                return list_commands();
        net_dns_set_rebuild(dns_rebuild);         /* a damaged records file is rebuilt */
        if (!strcmp(argv[1], "__monitor-exited")) /* berth-monitor's exit hook */
                return cmd_monitor_exited(argc - 1, argv + 1);
        if (!strcmp(argv[1], "__settle")) /* left behind by settle_on_exit */
                return cmd_settle(argc - 1, argv + 1);
        berth_dirs_harden(); /* state dirs 0700, even when made looser before */
        settle_on_exit();
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                if (!strcmp(argv[1], commands[i].name))
                        return run_command(&commands[i], argc - 1, argv + 1);
        error_msg("'%s' is not a berth command.\nSee 'berth --help'", argv[1]);
        return EXIT_BERTH;
}
