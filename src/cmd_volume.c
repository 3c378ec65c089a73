/* berth volume create|ls|inspect|rm|prune */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "prune_cli.h"
#include "table.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/volume.h"

static int vol_create(int argc, char **argv)
{
        const char *name = NULL, *driver = NULL;
        _cleanup_cli_list_ strv_t lv = STRV_INIT;
        const struct cli_opt opts[] = {
            CLI_OPT("driver", 'd', CLI_STRING, &driver,
                    "Specify volume driver name (only \"local\")"),
            CLI_OPT("label", 'l', CLI_LIST, &lv, "Set metadata for a volume"),
            CLI_OPT("name", 0, CLI_STRING, &name, "Specify volume name"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "volume create", "[OPTIONS] [VOLUME]",
                            "Create a volume", opts, CLI_AT_MOST(1));
        if (driver && strcmp(driver, "local")) {
                error_msg("volume driver \"%s\" is not supported (only local)", driver);
                return EXIT_BERTH;
        }
        if (!name && first < argc)
                name = argv[first];
        json_t *labels = json_object();
        for (size_t i = 0; i < lv.n; i++) {
                char *eq = strchr(lv.v[i], '=');
                if (eq)
                        *eq++ = '\0';
                json_object_set_new(labels, lv.v[i], json_string(eq ? eq : ""));
        }
        const char *vn = name ? name : rt_volume_anon_name();
        _cleanup_free_ char *n = xstrdup(vn);
        err_t err = {0};
        int r = rt_volume_create(n, labels, false, &err);
        json_decref(labels);
        if (r < 0 && err.code != EEXIST) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        printf("%s\n", n);
        return 0;
}

static const char *const vol_headers[] = {
    "Name",       "VOLUME NAME", "Driver",       "DRIVER",       "Scope",  "SCOPE",  "Mountpoint",
    "MOUNTPOINT", "Labels",      "LABELS",       "Links",        "LINKS",  "Size",   "SIZE",
    "Group",      "GROUP",       "Availability", "AVAILABILITY", "Status", "STATUS", NULL};

#define VOL_TABLE "table {{.Driver}}\t{{.Name}}"

static int vol_ls(int argc, char **argv)
{
        bool quiet = false;
        const char *format = NULL;
        const struct cli_opt opts[] = {
            FORMAT_OPT(0, &format, "{{.Name}} {{.Mountpoint}} ..."),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only display volume names"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "volume ls", "[OPTIONS]", "List volumes", opts,
                            CLI_NO_ARGS);
        struct cliformat cf;
        if (!quiet &&
            format_open(&cf, format, VOL_TABLE, vol_headers, "*formatter.volumeContext") < 0)
                return EXIT_BERTH;
        err_t err = {0};
        strv_t names = STRV_INIT;
        int rc = 0;
        if (rt_volume_list(&names, &err) < 0) {
                error_msg("%s", err.msg);
                rc = EXIT_BERTH;
        }
        for (size_t i = 0; i < names.n && !rc; i++) {
                if (quiet) {
                        printf("%s\n", names.v[i]);
                        continue;
                }
                json_t *j = NULL;
                if (rt_volume_inspect(names.v[i], &j, &err) < 0)
                        continue; /* removed meanwhile */
                json_t *labels = json_object_get(j, "Labels");
                _cleanup_free_ char *lt = labels_text(labels);
                json_t *o = json_pack(
                    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Availability", "N/A", "Driver",
                    json_string_value(json_object_get(j, "Driver")) ?: "local", "Group", "N/A",
                    "Labels", lt, "Links", "N/A", "Mountpoint",
                    json_string_value(json_object_get(j, "Mountpoint")) ?: "", "Name", names.v[i],
                    "Scope", json_string_value(json_object_get(j, "Scope")) ?: "local", "Size",
                    "N/A", "Status", "N/A");
                json_t *m = label_methods(labels);
                if (format_row(&cf, o, m) < 0)
                        rc = EXIT_BERTH;
                json_decref(m);
                json_decref(o);
                json_decref(j);
        }
        if (!quiet) {
                if (!rc)
                        format_print(&cf);
                cliformat_free(&cf);
        }
        strv_free(&names);
        return rc;
}

static int vol_inspect(int argc, char **argv)
{
        return inspect_cmd(argc, argv, "volume inspect", "[OPTIONS] VOLUME [VOLUME...]",
                           "Display detailed information on one or more volumes",
                           "a Go template ({{.Mountpoint}} ...)", rt_volume_inspect, 1);
}

static int vol_rm(int argc, char **argv)
{
        const struct cli_opt opts[] = {
            CLI_OPT("force", 'f', CLI_FLAG, NULL, "Accepted for compatibility"), {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "volume rm", "[OPTIONS] VOLUME [VOLUME...]",
                            "Remove one or more volumes", opts, CLI_AT_LEAST(1));
        strv_t used = STRV_INIT;
        volumes_in_use(&used);
        int rc = 0;
        for (int i = first; i < argc; i++) {
                err_t err = {0};
                if (strv_contains(&used, argv[i])) {
                        error_msg("remove %s: volume is in use", argv[i]);
                        rc = 1;
                        continue;
                }
                if (rt_volume_remove(argv[i], &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        strv_free(&used);
        return rc;
}

static int vol_prune(int argc, char **argv)
{
        bool all = false, force = false;
        struct prune_cli pc = {.no_until = true}; /* as docker */
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &all,
                    "Remove all unused volumes, not just anonymous ones"),
            PRUNE_OPTS(pc, &force, "\"label=<key>[=<value>]\",\n\"label!=<key>[=<value>]\""),
            {0}};
        PRUNE_PARSE_OR_RETURN(first, argc, argv, &pc, NULL, "volume prune", "[OPTIONS]",
                              "Remove unused local volumes", opts, CLI_NO_ARGS);
        /* docker's prompt and report: the list only when something went,
         * then the space */
        if (!force && !cli_confirm(all ? "This will remove all local volumes not used by at "
                                         "least one container."
                                       : "This will remove anonymous local volumes not used by "
                                         "at least one container.")) {
                prune_cli_free(&pc);
                return 0;
        }
        strv_t removed = STRV_INIT;
        unsigned long long reclaimed = 0;
        err_t err = {0};
        int rc = volume_prune(all, &pc.f, &removed, &reclaimed, &err);
        prune_cli_free(&pc);
        return prune_report("Volumes", &removed, reclaimed, rc, &err);
}

static const struct command volume_commands[] = {
    {"create", vol_create, "Create a volume"},
    {"inspect", vol_inspect, "Display detailed information on one or more volumes"},
    {"ls", vol_ls, "List volumes"},
    {"prune", vol_prune, "Remove unused local volumes"},
    {"rm", vol_rm, "Remove one or more volumes"},
};

const struct cmd_group cmd_volume_group = {
    "volume", "Manage volumes", volume_commands, ARRAY_SIZE(volume_commands), NULL, EXIT_BERTH, 0};
