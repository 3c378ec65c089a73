/* berth diff CONTAINER / berth export [-o FILE] CONTAINER: the container's
 * changes against its image, and its file system as a tar
 * (runtime/ctr_diff.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/ctr_copy.h"

int cmd_diff(int argc, char **argv)
{
        CLI_PARSE_OR_RETURN(first, argc, argv, "diff", "CONTAINER",
                            "Inspect changes to files or directories on a container's filesystem",
                            NULL, CLI_EXACTLY(1),
                            .more = "Aliases:\n berth container diff, berth diff\n");
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        strv_t out = STRV_INIT;
        if (ctr_get(argv[first], &id, &j, NULL, &err) < 0 || rt_ctr_changes(j, &out, &err) < 0) {
                strv_free(&out);
                error_msg("%s", err.msg);
                return 1;
        }
        for (size_t i = 0; i < out.n; i++)
                printf("%s\n", out.v[i]);
        strv_free(&out);
        return 0;
}

int cmd_export(int argc, char **argv)
{
        const char *output = NULL;
        const struct cli_opt opts[] = {
            CLI_OPT("output", 'o', CLI_STRING, &output, "Write to a file, instead of STDOUT"), {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "export", "[OPTIONS] CONTAINER",
                            "Export a container's filesystem as a tar archive", opts,
                            CLI_EXACTLY(1),
                            .more = "Aliases:\n berth container export, berth export\n");
        if (!output && isatty(STDOUT_FILENO)) {
                error_msg("cowardly refusing to save to a terminal. Use the -o flag or redirect");
                return 1;
        }
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        if (container_get_said(argv[first], &id, &j) < 0)
                return 1;
        if (!output) {
                if (rt_ctr_export(j, STDOUT_FILENO, &err) < 0) {
                        error_msg("%s", err.msg);
                        return 1;
                }
                return 0;
        }
        /* -o: a new temp file next to it, renamed over it when complete */
        _cleanup_free_ char *tmp = xasprintf("%s.XXXXXX", output);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                error_msg("failed to export container: create %s: %s", tmp, strerror(errno));
                return 1;
        }
        int r = rt_ctr_export(j, fd, &err);
        if (r == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
                r = err_sys(&err, errno, "write %s", tmp);
        close(fd);
        if (r == 0 && rename(tmp, output) < 0)
                r = err_sys(&err, errno, "rename %s to %s", tmp, output);
        if (r < 0) {
                unlink(tmp);
                error_msg("failed to export container: %s", err.msg);
                return 1;
        }
        return 0;
}
