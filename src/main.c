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

#include "base/crypto_lazy.h"
#include "base/paths.h"
#include "commands.h"
#include "engine/dnsreg.h"
#include "engine/netglue.h"
#include "net/dns.h"
#include "runtime/exe_seal.h"

static const struct command commands[] = {
    {"attach", cmd_attach,
     "Attach local standard input, output, and error streams to a running container"},
    {"build", cmd_build, "Build an image from a Dockerfile"},
    {"compose", cmd_compose, "Define and run multi-container applications"},
    {"container", cmd_container, "Manage containers"},
    {"commit", cmd_commit, "Create a new image from a container's changes"},
    {"cp", cmd_cp, "Copy files/folders between a container and the local filesystem"},
    {"create", cmd_create, "Create a new container"},
    {"diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem"},
    {"events", cmd_events, "Get real time events from berth"},
    {"exec", cmd_exec, "Execute a command in a running container"},
    {"export", cmd_export, "Export a container's filesystem as a tar archive"},
    {"history", cmd_history, "Show the history of an image"},
    {"image", cmd_image, "Manage images"},
    {"images", cmd_images, "List images"},
    {"import", cmd_import, "Import the contents from a tarball to create a filesystem image"},
    {"info", cmd_info, "Display system-wide information"},
    {"inspect", cmd_inspect, "Return low-level information on containers and images"},
    {"kill", cmd_kill, "Kill one or more running containers"},
    {"kube", cmd_kube, "Generate Kubernetes manifests from a compose project"},
    {"load", cmd_load, "Load an image from a tar archive or STDIN"},
    {"login", cmd_login, "Log in to a registry"},
    {"logout", cmd_logout, "Log out from a registry"},
    {"logs", cmd_logs, "Fetch the logs of a container"},
    {"network", cmd_network, "Manage networks"},
    {"pause", cmd_pause, "Pause all processes within one or more containers"},
    {"port", cmd_port, "List port mappings or a specific mapping for the container"},
    {"pull", cmd_pull, "Download an image from a registry"},
    {"ps", cmd_ps, "List containers"},
    {"push", cmd_push, "Upload an image to a registry"},
    {"rename", cmd_rename, "Rename a container"},
    {"restart", cmd_restart, "Restart one or more containers"},
    {"rm", cmd_rm, "Remove one or more containers"},
    {"rmi", cmd_rmi, "Remove one or more images"},
    {"run", cmd_run, "Create and run a new container from an image"},
    {"save", cmd_save, "Save one or more images to a tar archive"},
    {"start", cmd_start, "Start one or more stopped containers"},
    {"stats", cmd_stats, "Display a live stream of container(s) resource usage statistics"},
    {"stop", cmd_stop, "Stop one or more running containers"},
    {"system", cmd_system, "Manage berth"},
    {"tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
    {"top", cmd_top, "Display the running processes of a container"},
    {"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
    {"update", cmd_update, "Update configuration of one or more containers"},
    {"version", cmd_version, "Show the berth version information"},
    {"volume", cmd_volume, "Manage volumes"},
    {"wait", cmd_wait, "Block until one or more containers stop, then print their exit codes"},
};

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
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nRun 'berth COMMAND --help' for more information on a command.\n");
}

/* berth __commands: "PATH<TAB>SUMMARY" for every command and every verb of
 * the command groups (each group lists its own verbs, see CMD_LIST). */
static int list_commands(void)
{
        static const cmd_fn groups[] = {cmd_compose, cmd_container, cmd_image, cmd_kube,
                                        cmd_network, cmd_system,    cmd_volume};
        int rc = 0;
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                printf("%s\t%s\n", commands[i].name, commands[i].summary);
                for (size_t k = 0; k < sizeof(groups) / sizeof(groups[0]); k++) {
                        if (commands[i].fn != groups[k])
                                continue;
                        char *av[] = {(char *)commands[i].name, (char *)CMD_LIST, NULL};
                        fflush(stdout);
                        if (commands[i].fn(2, av) != 0)
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
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (!strcmp(argv[1], commands[i].name))
                        return commands[i].fn(argc - 1, argv + 1);
        error_msg("'%s' is not a berth command.\nSee 'berth --help'", argv[1]);
        return EXIT_BERTH;
}
