/* berth inspect / rename / top */
#include <dirent.h>
#include <errno.h>
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
#include "cli.h"
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
        const char *fmt = NULL, *type = NULL;
        const struct cli_opt opts[] = {
            CLI_OPT("format", 'f', CLI_STRING, &fmt,
                    "json or a Go template ({{.State.Status}} ...)"),
            CLI_OPT("type", 0, CLI_STRING, &type,
                    "Only inspect objects of the given type (container, image)"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "inspect", "[OPTIONS] NAME|ID [NAME|ID...]",
                            "Return low-level information on berth objects", opts, CLI_AT_LEAST(1));
        if (type && strcmp(type, "container") && strcmp(type, "image")) {
                error_msg("\"%s\" is not a valid value for --type", type);
                return EXIT_BERTH;
        }
        json_t *all = json_array();
        int rc = 0;
        for (int i = first; i < argc; i++) {
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
        CLI_PARSE_OR_RETURN(first, argc, argv, "rename", "CONTAINER NEW_NAME", "Rename a container",
                            NULL, CLI_EXACTLY(2));
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        const char *nn = argv[first + 1][0] == '/' ? argv[first + 1] + 1 : argv[first + 1];
        if (!*nn) {
                error_msg("Neither old nor new names may be empty");
                return EXIT_BERTH;
        }
        if (rt_ctr_resolve(argv[first], &id, &err) < 0 || rt_ctr_rename(id, nn, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}

/* berth top CONTAINER: the processes in the container's pids cgroup. */
int cmd_top(int argc, char **argv)
{
        CLI_PARSE_OR_RETURN(first, argc, argv, "top", "CONTAINER [ps OPTIONS]",
                            "Display the running processes of a container", NULL, CLI_AT_LEAST(1),
                            .flags = CLI_POSIX);
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        json_t *j = NULL;
        if (ctr_get(argv[first], &id, &j, NULL, &err) < 0) {
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
