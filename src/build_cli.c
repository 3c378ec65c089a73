/* build_cli.c - the builder's output on this terminal (see build_cli.h). */
#include "build_cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "commands.h"
#include "container_cli.h"
#include "pull.h"

static void out_text(void *ud, const char *s)
{
        (void)ud;
        fputs(s, stdout);
        fflush(stdout);
}

static void out_warn(void *ud, const char *msg)
{
        (void)ud;
        warn_msg("%s", msg);
}

static int out_ensure_image(void *ud, const char *ref, bool always, bool quiet, err_t *err)
{
        (void)ud;
        return pull_ensure(stdout, ref, always ? PULL_ALWAYS : PULL_MISSING, NULL, quiet, err);
}

static int out_run(void *ud, const char *id, bool quiet, int *status, err_t *err)
{
        (void)ud;
        int saved[2] = {-1, -1};
        if (quiet) { /* -q: the command's output goes nowhere */
                int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
                saved[0] = fcntl(1, F_DUPFD_CLOEXEC, 3);
                saved[1] = fcntl(2, F_DUPFD_CLOEXEC, 3);
                dup2(nul, 1);
                dup2(nul, 2);
                close(nul);
        }
        int r = container_start(id, ATTACH_OUTPUT, status, err);
        if (saved[0] >= 0) {
                dup2(saved[0], 1);
                dup2(saved[1], 2);
                close(saved[0]);
                close(saved[1]);
        }
        return r;
}

const struct build_out build_out_cli = {
    .text = out_text,
    .warn = out_warn,
    .ensure_image = out_ensure_image,
    .run = out_run,
};
