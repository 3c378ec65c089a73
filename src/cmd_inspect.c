/* berth inspect / rename / top */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/tabwriter.h"
#include "base/xalloc.h"
#include "commands.h"
#include "container_cli.h"
#include "table.h"
#include "top_ps.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"

int cmd_inspect(int argc, char **argv)
{
        static const struct option lo[] = {{"format", required_argument, 0, 'f'},
                                           {"type", required_argument, 0, 'T'},
                                           {"help", no_argument, 0, 'H'},
                                           {0, 0, 0, 0}};
        const char *fmt = NULL, *type = NULL;
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
                if (c == 'f')
                        fmt = optarg;
                else if (c == 'T')
                        type = optarg;
                else if (c == 'H') {
                        printf("Usage:  berth inspect [OPTIONS] NAME|ID [NAME|ID...]\n\n"
                               "Return low-level information on berth objects\n\n"
                               "Options:\n"
                               "  -f, --format string   json or a Go template ({{.State.Status}} "
                               "...)\n"
                               "      --type string     Only inspect objects of the given type "
                               "(container, image)\n");
                        return 0;
                } else {
                        error_msg("inspect: unknown option '%s'", argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (type && strcmp(type, "container") && strcmp(type, "image")) {
                error_msg("\"%s\" is not a valid value for --type", type);
                return EXIT_BERTH;
        }
        if (optind >= argc) {
                error_msg("\"berth inspect\" requires at least 1 argument.");
                return EXIT_BERTH;
        }
        json_t *all = json_array();
        int rc = 0;
        for (int i = optind; i < argc; i++) {
                err_t err = {0};
                _cleanup_free_ char *id = NULL;
                json_t *j = NULL;
                if ((!type || !strcmp(type, "container")) &&
                    ctr_get(argv[i], &id, &j, NULL, &err) == 0) {
                        json_array_append_new(all, j);
                        continue;
                }
                struct rt_image img;
                if ((!type || !strcmp(type, "image")) &&
                    rt_image_lookup(argv[i], &img, NULL) == 0) {
                        json_array_append_new(all, rt_image_inspect_json(&img));
                        rt_image_free(&img);
                        continue;
                }
                if (err.code == EBADMSG) /* a container whose state file is damaged */
                        error_msg("%s", err.msg);
                else
                        error_msg("Error: No such %s: %s", type ? type : "object", argv[i]);
                rc = 1;
        }
        if (inspect_print(all, fmt) < 0)
                rc = EXIT_BERTH;
        json_decref(all);
        return rc;
}

int cmd_rename(int argc, char **argv)
{
        if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage:  berth rename CONTAINER NEW_NAME\n\nRename a container\n");
                return 0;
        }
        if (argc != 3) {
                error_msg("\"berth rename\" requires exactly 2 arguments.\nUsage:  berth rename "
                          "CONTAINER NEW_NAME");
                return EXIT_BERTH;
        }
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        const char *nn = argv[2][0] == '/' ? argv[2] + 1 : argv[2];
        if (!*nn) {
                error_msg("Neither old nor new names may be empty");
                return EXIT_BERTH;
        }
        if (rt_ctr_resolve(argv[1], &id, &err) < 0 || rt_ctr_rename(id, nn, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}

/* berth top CONTAINER: the processes in the container's pids cgroup. */
int cmd_top(int argc, char **argv)
{
        if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage:  berth top CONTAINER [ps OPTIONS]\n\n"
                       "Display the running processes of a container\n");
                return 0;
        }
        if (argc < 2) {
                error_msg("\"berth top\" requires at least 1 argument.");
                return EXIT_BERTH;
        }
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        json_t *j = NULL;
        if (ctr_get(argv[1], &id, &j, NULL, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        const char *st = rt_doc_status(j);
        bool running = st && (!strcmp(st, "running") || !strcmp(st, "paused"));
        json_decref(j);
        if (!running) {
                error_msg("container %s is not running", id);
                return EXIT_BERTH;
        }
        /* docker's CLI: tabwriter minwidth 20, padding 3 */
        strv_t rows = STRV_INIT;
        if (top_ps(id, &rows, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        strbuf_t text = STRBUF_INIT, out = STRBUF_INIT;
        sb_append(&text, TOP_PS_TITLES "\n");
        for (size_t i = 0; i < rows.n; i++)
                sb_appendf(&text, "%s\n", rows.v[i]);
        tabwriter_format(sb_str(&text), text.len, 20, 3, &out);
        fputs(sb_str(&out), stdout);
        sb_free(&text);
        sb_free(&out);
        strv_free(&rows);
        return 0;
}
