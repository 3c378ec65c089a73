/* berth login / berth logout: registry credentials in Docker's config.json
 * (runtime/registry_creds.h), verified against the registry's /v2/ first. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "runtime/registry.h"
#include "runtime/registry_creds.h"

#define SECRET_MAX (64u << 10)

/* The registry a login/logout argument names, as config.json keys it:
 * scheme and path dropped ("https://localhost:5000/v2/" -> "localhost:5000"),
 * Docker Hub's spellings -> "docker.io".  Caller frees. */
static char *login_server(const char *arg)
{
        if (!arg || !*arg)
                return xstrdup("docker.io");
        if (!strcmp(reg_creds_key(arg), REG_CREDS_DOCKER_HUB_KEY))
                return xstrdup("docker.io");
        const char *p = arg;
        if (!strncmp(p, "http://", 7))
                p += 7;
        else if (!strncmp(p, "https://", 8))
                p += 8;
        char *s = xstrndup(p, strcspn(p, "/"));
        if (!strcmp(reg_creds_key(s), REG_CREDS_DOCKER_HUB_KEY)) {
                free(s);
                return xstrdup("docker.io");
        }
        return s;
}

/* The name shown in messages: Docker shows Hub's key for docker.io. */
static const char *shown(const char *server)
{
        return reg_creds_key(server);
}

static char *read_line_tty(const char *prompt, bool echo)
{
        FILE *tty = fopen("/dev/tty", "r+e");
        FILE *in = tty ? tty : stdin, *out = tty ? tty : stderr;
        struct termios saved, quiet;
        bool restore = false;
        /* echo goes off before the prompt shows: nothing typed after it is echoed */
        if (!echo && tcgetattr(fileno(in), &saved) == 0) {
                quiet = saved;
                quiet.c_lflag &= ~(tcflag_t)ECHO;
                restore = tcsetattr(fileno(in), TCSANOW, &quiet) == 0;
        }
        fputs(prompt, out);
        fflush(out);
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, in);
        if (restore) {
                tcsetattr(fileno(in), TCSANOW, &saved);
                fputc('\n', out);
        }
        if (tty)
                fclose(tty);
        if (n < 0) {
                free(line);
                return NULL;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = 0;
        return line;
}

/* Overwrite a secret given on the command line, so /proc/PID/cmdline (ps)
 * no longer shows it once it is copied. */
static void scrub_arg(char *a)
{
        if (a)
                memset(a, '*', strlen(a));
}

/* -p/--password: copied into *(char **)dest, then scrubbed from argv */
static int password_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        (void)err;
        char **secret = o->dest;
        reg_secret_free(*secret);
        *secret = xstrdup(arg);
        scrub_arg((char *)arg);
        return 0;
}

/* *v when set, else asked for on the terminal (echo: the answer shown).
 * false, said, without a terminal or when the answer is empty; *v is the
 * caller's to free either way. */
static bool ask_tty(char **v, const char *prompt, bool echo, const char *required)
{
        if (*v)
                return true;
        if (!isatty(STDIN_FILENO) && access("/dev/tty", R_OK) != 0) {
                error_msg("Cannot perform an interactive login from a non TTY device");
                return false;
        }
        *v = read_line_tty(prompt, echo);
        if (!*v || !**v) {
                error_msg("%s", required);
                return false;
        }
        return true;
}

int cmd_login(int argc, char **argv)
{
        const char *username = NULL;
        char *user = NULL, *secret = NULL;
        bool pw_stdin = false;
        int rc = EXIT_BERTH;
        char *server = NULL;
        const struct cli_opt opts[] = {
            CLI_OPT("password", 'p', CLI_FUNC, &secret, "Password", .type = "string",
                    .fn = password_opt),
            CLI_OPT("password-stdin", 0, CLI_FLAG, &pw_stdin, "Take the password from stdin"),
            CLI_OPT("username", 'u', CLI_STRING, &username, "Username"),
            {0}};
        const struct cli_cmd cmd = CLI_CMD("login", "[OPTIONS] [SERVER]",
                                           "Log in to a registry.\nIf no server is specified, the "
                                           "default is defined by the daemon.",
                                           opts, CLI_AT_MOST(1));
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0) {
                rc = cli_status(first);
                goto out;
        }
        bool pw_arg = secret != NULL;
        user = username ? xstrdup(username) : NULL;
        if (pw_arg && pw_stdin) {
                error_msg("--password and --password-stdin are mutually exclusive");
                goto out;
        }
        if (pw_stdin && !user) {
                error_msg("Must provide --username with --password-stdin");
                goto out;
        }
        if (pw_arg)
                fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use "
                                "--password-stdin.\n");
        server = login_server(first < argc ? argv[first] : NULL);
        err_t err;

        if (pw_stdin) {
                char *buf = NULL;
                size_t n = 0;
                if (read_fd_all(STDIN_FILENO, SECRET_MAX, &buf, &n, &err) < 0) {
                        error_msg("reading the password from stdin: %s", err.msg);
                        goto out;
                }
                while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                        buf[--n] = 0;
                secret = buf;
        }

        /* No credentials given: try the stored ones first, as Docker does. */
        if (!user && !secret) {
                char *su = NULL, *ss = NULL;
                int g = reg_creds_get(server, &su, &ss, &err);
                if (g < 0) {
                        error_msg("%s", err.msg);
                        goto out;
                }
                if (g > 0) {
                        printf("Authenticating with existing credentials...\n");
                        fflush(stdout);
                        if (reg_login_check(server, su, ss, &err) == 0) {
                                free(su);
                                reg_secret_free(ss);
                                printf("Login Succeeded\n");
                                rc = 0;
                                goto out;
                        }
                        fprintf(stderr, "Login did not succeed, error: %s\n", err.msg);
                        free(su);
                        reg_secret_free(ss);
                }
        }
        if (!ask_tty(&user, "Username: ", true, "Non-null Username Required") ||
            !ask_tty(&secret, "Password: ", false, "Password Required"))
                goto out;
        if (reg_login_check(server, user, secret, &err) < 0) {
                error_msg("%s", err.msg);
                goto out;
        }
        int st = reg_creds_store(server, user, secret, &err);
        if (st < 0) {
                error_msg("Error saving credentials: %s", err.msg);
                goto out;
        }
        if (st == 1) {
                _cleanup_free_ char *path = reg_creds_config_path();
                fprintf(stderr,
                        "WARNING! Your password will be stored unencrypted in %s.\n"
                        "Configure a credential helper to remove this warning. See\n"
                        "https://docs.docker.com/engine/reference/commandline/login/"
                        "#credentials-store\n\n",
                        path);
        }
        printf("Login Succeeded\n");
        rc = 0;
out:
        free(server);
        free(user);
        reg_secret_free(secret);
        return rc;
}

int cmd_logout(int argc, char **argv)
{
        CLI_PARSE_OR_RETURN(first, argc, argv, "logout", "[SERVER]",
                            "Log out from a registry.\nIf no server is specified, "
                            "the default is defined by the daemon.",
                            NULL, CLI_AT_MOST(1));
        _cleanup_free_ char *server = login_server(first < argc ? argv[first] : NULL);
        err_t err;
        int r = reg_creds_erase(server, &err);
        if (r < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        if (r == 0) {
                printf("Not logged in to %s\n", shown(server));
                return 0;
        }
        printf("Removing login credentials for %s\n", shown(server));
        return 0;
}
