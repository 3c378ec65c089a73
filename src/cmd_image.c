/* berth image: the image subcommands (most are also top-level commands). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/err.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "prune_cli.h"
#include "runtime/image.h"
#include "table.h"

static int image_doc(const char *name, json_t **doc, err_t *err)
{
        struct rt_image img;
        if (rt_image_lookup(name, &img, err) < 0)
                return -1;
        *doc = rt_image_inspect_json(&img);
        rt_image_free(&img);
        return 0;
}

static int image_inspect(int argc, char **argv)
{
        return inspect_cmd(argc, argv, "image inspect", "[OPTIONS] IMAGE [IMAGE...]",
                           "Display detailed information on one or more images",
                           "Format output using a custom template", image_doc, EXIT_BERTH);
}

static const char *const history_headers[] = {
    "ID",         "IMAGE", "CreatedSince", "CREATED", "CreatedAt", "CREATED AT", "CreatedBy",
    "CREATED BY", "Size",  "SIZE",         "Comment", "COMMENT",   NULL};

/* Go's time.RFC3339 of secs in the local zone */
static void rfc3339_local(long long secs, char *buf, size_t n)
{
        time_t t = (time_t)secs;
        struct tm tm;
        localtime_r(&t, &tm);
        size_t l = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
        long off = tm.tm_gmtoff / 60;
        if (!off)
                snprintf(buf + l, n - l, "Z");
        else
                snprintf(buf + l, n - l, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 60,
                         labs(off) % 60);
}

static int image_history(int argc, char **argv)
{
        bool trunc = true, quiet = false;
        const char *format = NULL;
        const struct cli_opt opts[] = {
            FORMAT_OPT(0, &format, "{{.ID}} {{.CreatedBy}} ..."),
            CLI_OPT("no-trunc", 0, CLI_UNSET, &trunc, "Don't truncate output"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only show image IDs"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "image history", "[OPTIONS] IMAGE",
                            "Show the history of an image", opts, CLI_EXACTLY(1));
        struct rt_image img;
        err_t err;
        if (rt_image_lookup(argv[first], &img, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        const char *hex = img.id + strlen("sha256:");
        size_t n = json_array_size(img.history), nlayers = img.layer_dirs.n, layer = 0;
        /* the size of each entry: its layer's (layer_dirs is top first) */
        unsigned long long *sizes = xcalloc(n + 1, sizeof(*sizes));
        for (size_t i = 0; i < n; i++) {
                json_t *h = json_array_get(img.history, i);
                if (!json_is_true(json_object_get(h, "empty_layer")) && layer < nlayers)
                        sizes[i] = path_size(img.layer_dirs.v[nlayers - 1 - layer++]);
        }
        /* --format: docker's historyContext fields */
        struct cliformat cf;
        bool templ = format && *format && !quiet;
        if (templ && format_open(&cf, format,
                                 "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t"
                                 "{{.Comment}}",
                                 history_headers, "*formatter.historyContext") < 0) {
                free(sizes);
                rt_image_free(&img);
                return EXIT_BERTH;
        }
        struct table t;
        table_init(&t, 5);
        if (!quiet && !templ)
                table_row(&t, "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
        for (size_t i = n; i-- > 0;) {
                json_t *h = json_array_get(img.history, i);
                _cleanup_free_ char *id =
                    i + 1 == n ? (trunc ? xstrndup(hex, 12) : xstrdup(img.id)) : NULL;
                if (quiet) {
                        printf("%s\n", id ? id : "<missing>");
                        continue;
                }
                long long created = 0;
                time_parse_rfc3339(json_string_value(json_object_get(h, "created")), &created,
                                   NULL);
                _cleanup_free_ char *dur = human_duration((long long)time(NULL) - created);
                _cleanup_free_ char *ago = xasprintf("%s ago", dur);
                const char *by = json_string_value(json_object_get(h, "created_by"));
                _cleanup_free_ char *flat = xstrdup(by ? by : "");
                for (char *p = flat; *p; p++)
                        if (*p == '\t' || *p == '\n')
                                *p = ' ';
                _cleanup_free_ char *cby = trunc ? text_ellipsis(flat, 45) : xstrdup(flat);
                char sz[32];
                human_size(sizes[i], sz, sizeof(sz));
                const char *comment = json_string_value(json_object_get(h, "comment"));
                if (templ) {
                        char at[48];
                        rfc3339_local(created, at, sizeof(at));
                        json_t *o =
                            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id ? id : "<missing>",
                                      "CreatedSince", ago, "CreatedAt", at, "CreatedBy", cby,
                                      "Size", sz, "Comment", comment ? comment : "");
                        int r = format_row(&cf, o, NULL);
                        json_decref(o);
                        if (r < 0) {
                                cliformat_free(&cf);
                                table_end(&t, false);
                                free(sizes);
                                rt_image_free(&img);
                                return EXIT_BERTH;
                        }
                        continue;
                }
                table_row(&t, id ? id : "<missing>", ago, cby, sz, comment ? comment : "");
        }
        if (templ)
                format_print(&cf);
        table_end(&t, !quiet && !templ);
        free(sizes);
        rt_image_free(&img);
        return 0;
}

static int image_prune(int argc, char **argv)
{
        bool all = false, force = false;
        struct prune_cli pc = {0};
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &all, "Remove all unused images, not just dangling ones"),
            PRUNE_OPTS(pc, &force,
                       "\"until=<timestamp>\",\n\"label=<key>[=<value>]\", "
                       "\"label!=<key>[=<value>]\",\n\"dangling=false\""),
            {0}};
        PRUNE_PARSE_OR_RETURN(first, argc, argv, &pc, &all, "image prune", "[OPTIONS]",
                              "Remove unused images", opts, CLI_NO_ARGS);
        if (!force && !cli_confirm(all ? "This will remove all images without at least one "
                                         "container associated to them."
                                       : "This will remove all dangling images.")) {
                prune_cli_free(&pc);
                return 0;
        }
        strv_t report = STRV_INIT;
        unsigned long long reclaimed = 0;
        err_t err;
        if (image_users_load(&pc.f.users, &err) < 0 || prune_filter_apply(&pc.f, &err) < 0) {
                error_msg("%s", err.msg);
                prune_cli_free(&pc);
                return EXIT_BERTH;
        }
        int r = rt_image_prune(all, prune_filter_in_use, &pc.f, &report, &reclaimed, &err);
        prune_cli_free(&pc);
        prune_print_deleted("Images", &report);
        if (r < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        prune_print_total(reclaimed);
        return 0;
}

static const struct command image_commands[] = {
    {"build", cmd_build, "Build an image from a Dockerfile"},
    {"history", image_history, "Show the history of an image"},
    {"import", cmd_import, "Import the contents from a tarball to create a filesystem image"},
    {"inspect", image_inspect, "Display detailed information on one or more images"},
    {"load", cmd_load, "Load an image from a tar archive or STDIN"},
    {"ls", cmd_images, "List images"},
    {"images", cmd_images, NULL},
    {"prune", image_prune, "Remove unused images"},
    {"pull", cmd_pull, "Download an image from a registry"},
    {"push", cmd_push, "Upload an image to a registry"},
    {"rm", cmd_rmi, "Remove one or more images"},
    {"rmi", cmd_rmi, NULL},
    {"save", cmd_save, "Save one or more images to a tar archive"},
    {"tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
};

const struct cmd_group cmd_image_group = {
    "image", "Manage images", image_commands, ARRAY_SIZE(image_commands), NULL, 0, 0};
