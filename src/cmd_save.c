/* berth save / berth image save: images into a tar archive (docker-save format,
 * also an OCI image layout). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "runtime/image.h"

int cmd_save(int argc, char **argv)
{
        const char *output = NULL;
        const struct cli_opt opts[] = {
            CLI_OPT("output", 'o', CLI_STRING, &output, "Write to a file, instead of STDOUT"), {0}};
        CLI_PARSE_OR_RETURN(
            first, argc, argv, "save", "[OPTIONS] IMAGE [IMAGE...]",
            "Save one or more images to a tar archive (streamed to STDOUT by default)", opts,
            CLI_AT_LEAST(1));
        int fd;
        char *tmp = NULL;
        if (output && strcmp(output, "-") != 0) {
                /* write next to the target and rename: no half-written archive on error.
                 * The temp name is random and created O_EXCL (mkostemp), so
                 * nobody can plant a symlink or a file there beforehand. */
                const char *slash = strrchr(output, '/');
                tmp = slash ? xasprintf("%.*s/.berth-save-XXXXXX", (int)(slash - output), output)
                            : xstrdup(".berth-save-XXXXXX");
                fd = mkostemp(tmp, O_CLOEXEC);
                if (fd < 0) {
                        error_msg("create a temporary file next to %s: %s", output,
                                  strerror(errno));
                        free(tmp);
                        return EXIT_BERTH;
                }
                mode_t um = umask(0);
                umask(um);
                (void)fchmod(fd, 0666 & ~um);
        } else {
                if (isatty(STDOUT_FILENO)) {
                        error_msg("cowardly refusing to save to a terminal. Use the -o flag or "
                                  "redirect");
                        return EXIT_BERTH;
                }
                fd = STDOUT_FILENO;
        }
        err_t err;
        int r = rt_image_save((const char *const *)argv + first, (size_t)(argc - first), fd, &err);
        if (tmp) {
                if (r == 0 && fsync(fd) < 0)
                        r = err_sys(&err, errno, "write %s", output);
                close(fd);
                if (r == 0 && rename(tmp, output) < 0)
                        r = err_sys(&err, errno, "rename %s", output);
                if (r < 0)
                        unlink(tmp);
                free(tmp);
        }
        if (r < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}
