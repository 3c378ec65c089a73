/* berth diff CONTAINER / berth export [-o FILE] CONTAINER: the container's
 * changes against its image, and its file system as a tar
 * (runtime/ctr_diff.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/ctr_copy.h"

/* The options loop of a command with only --help (and -o for export). */
static int one_container_args(int argc, char **argv, const char *name, const char *usage,
                              const char *shorts, const char **output)
{
        static const struct option lo[] = {{"output", required_argument, NULL, 'o'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
                if (c == 'h') {
                        printf("%s", usage);
                        return 0;
                }
                if (c == 'o' && output) {
                        *output = optarg;
                        continue;
                }
                error_msg("unknown flag: %s\nSee 'berth %s --help'.", argv[optind - 1], name);
                return EXIT_BERTH;
        }
        if (argc - optind != 1) {
                error_msg("\"berth %s\" requires exactly 1 argument.\nSee 'berth %s --help'.\n\n%s",
                          name, name, usage);
                return EXIT_BERTH;
        }
        return -1; /* go on */
}

int cmd_diff(int argc, char **argv)
{
        static const char usage[] = "Usage:  berth diff CONTAINER\n\n"
                                    "Inspect changes to files or directories on a container's "
                                    "filesystem\n\n"
                                    "Aliases:\n  berth container diff, berth diff\n";
        int rc = one_container_args(argc, argv, "diff", usage, "h", NULL);
        if (rc >= 0)
                return rc;
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        strv_t out = STRV_INIT;
        if (ctr_get(argv[optind], &id, &j, NULL, &err) < 0 || rt_ctr_changes(j, &out, &err) < 0) {
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
        static const char usage[] = "Usage:  berth export [OPTIONS] CONTAINER\n\n"
                                    "Export a container's filesystem as a tar archive\n\n"
                                    "Aliases:\n  berth container export, berth export\n\n"
                                    "Options:\n"
                                    "  -o, --output string   Write to a file, instead of STDOUT\n";
        const char *output = NULL;
        int rc = one_container_args(argc, argv, "export", usage, "o:h", &output);
        if (rc >= 0)
                return rc;
        if (!output && isatty(STDOUT_FILENO)) {
                error_msg("cowardly refusing to save to a terminal. Use the -o flag or redirect");
                return 1;
        }
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        if (container_get_said(argv[optind], &id, &j) < 0)
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
