/* berth image import / berth import: a rootfs tarball becomes a one-layer image. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "cli.h"
#include "commands.h"
#include "runtime/image.h"

/* -c/--change: one Dockerfile instruction applied to the image config */
static int change_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        if (rt_image_config_apply_change(o->dest, arg, err) < 0)
                return err_wrap(err, "invalid --change \"%s\"", arg);
        return 0;
}

int cmd_import(int argc, char **argv)
{
        struct rt_image_config cfg = {0};
        const char *message = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *id = NULL;
        err_t err;
        int rc = EXIT_BERTH;
        const struct cli_opt opts[] = {
            CLI_OPT("change", 'c', CLI_FUNC, &cfg,
                    "Apply Dockerfile instruction to the created image", .type = "list",
                    .fn = change_opt),
            CLI_OPT("message", 'm', CLI_STRING, &message, "Set commit message for imported image"),
            {0}};
        const struct cli_cmd cmd =
            CLI_CMD("image import", "[OPTIONS] file|- [REPOSITORY[:TAG]]",
                    "Import the contents from a tarball to create a filesystem image", opts,
                    CLI_RANGE(1, 2));
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0) {
                rc = cli_status(first);
                goto out;
        }
        const char *src = argv[first];
        const char *name = argc - first == 2 ? argv[first + 1] : NULL;
        if (!strcmp(src, "-")) {
                fd = dup(STDIN_FILENO);
        } else {
                fd = open(src, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        error_msg("open %s: %s", src, strerror(errno));
                        goto out;
                }
        }
        if (rt_image_import(fd, name, &cfg, message, &id, &err) < 0) {
                error_msg("%s", err.msg);
                goto out;
        }
        printf("%s\n", id);
        rc = 0;
out:
        rt_image_config_free(&cfg);
        return rc;
}
