/* berth pull / berth image pull [-a] [-q] [--platform os/arch[/variant]]
 * NAME[:TAG|@DIGEST], with Docker's output: one line per layer (redrawn on a
 * terminal, one line per state change otherwise), then Digest: and Status:,
 * then the full reference. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "commands.h"
#include "pull.h"
#include "runtime/registry.h"
#include "runtime/registry_ref.h"

struct pull_ui {
        bool tty, quiet;
        strv_t ids;   /* layer lines in order */
        strv_t lines; /* their current text */
};

/* Docker's HumanSize: 3 significant digits, decimal units. */
static void human(unsigned long long n, char *buf, size_t len)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        double v = (double)n;
        size_t u = 0;
        while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000;
                u++;
        }
        snprintf(buf, len, "%.3g%s", v, units[u]);
}

static void on_progress(void *ud, const char *id, enum reg_layer_state st, unsigned long long cur,
                        unsigned long long total)
{
        struct pull_ui *ui = ud;
        char text[128], a[32], b[32];
        bool transient = false;
        switch (st) {
        case REG_L_PULLING:
                snprintf(text, sizeof(text), "Pulling fs layer");
                break;
        case REG_L_WAITING:
                snprintf(text, sizeof(text), "Waiting");
                break;
        case REG_L_EXISTS:
                snprintf(text, sizeof(text), "Already exists");
                break;
        case REG_L_DOWNLOADING:
                human(cur, a, sizeof(a));
                human(total, b, sizeof(b));
                snprintf(text, sizeof(text), "Downloading  %s/%s", a, b);
                transient = true;
                break;
        case REG_L_VERIFYING:
                snprintf(text, sizeof(text), "Verifying Checksum");
                break;
        case REG_L_DOWNLOADED:
                snprintf(text, sizeof(text), "Download complete");
                break;
        case REG_L_EXTRACTING:
                human(cur, a, sizeof(a));
                human(total, b, sizeof(b));
                snprintf(text, sizeof(text), "Extracting  %s/%s", a, b);
                transient = true;
                break;
        case REG_L_COMPLETE:
        default:
                snprintf(text, sizeof(text), "Pull complete");
                break;
        }
        if (ui->quiet)
                return;
        if (!ui->tty) {
                if (!transient)
                        printf("%s: %s\n", id, text);
                fflush(stdout);
                return;
        }
        ssize_t i = strv_index(&ui->ids, id);
        if (i < 0) {
                strv_push(&ui->ids, id);
                strv_push(&ui->lines, text);
                printf("%s: %s\n", id, text);
        } else {
                size_t up = ui->ids.n - (size_t)i;
                printf("\033[%zuA\r\033[2K%s: %s\033[%zuB\r", up, id, text, up);
        }
        fflush(stdout);
}

int pull_image(const char *ref, const char *platform, bool quiet, err_t *err)
{
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, err) < 0)
                return -1;
        struct pull_ui ui = {.tty = isatty(STDOUT_FILENO), .quiet = quiet};
        if (!quiet) {
                if (!r.tag && !r.digest)
                        printf("Using default tag: latest\n");
                reg_ref_default_tag(&r);
                printf("%s: Pulling from %s\n", r.digest ? r.digest : r.tag, r.path);
                fflush(stdout);
        }
        reg_ref_free(&r);
        struct reg_pull_opts o = {.platform = platform, .progress = on_progress, .ud = &ui};
        struct reg_pull_result res;
        int rc = reg_pull(ref, &o, &res, err);
        strv_free(&ui.ids);
        strv_free(&ui.lines);
        if (rc < 0)
                return -1;
        if (!quiet) {
                printf("Digest: %s\n", res.digest);
                const char *shown = res.name ? res.name : res.full;
                printf("Status: %s for %s\n",
                       res.updated ? "Downloaded newer image" : "Image is up to date", shown);
        }
        printf("%s\n", res.full);
        fflush(stdout);
        reg_pull_result_free(&res);
        return 0;
}

int cmd_pull(int argc, char **argv)
{
        static const struct option opts[] = {
            {"all-tags", no_argument, NULL, 'a'},
            {"quiet", no_argument, NULL, 'q'},
            {"platform", required_argument, NULL, 'P'},
            {"disable-content-trust", no_argument, NULL, 'D'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool all = false, quiet = false;
        const char *platform = getenv("DOCKER_DEFAULT_PLATFORM");
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "+aqh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'P':
                        platform = optarg;
                        break;
                case 'D':
                        break;
                case 'h':
                        printf("Usage:  berth pull [OPTIONS] NAME[:TAG|@DIGEST]\n\n"
                               "Download an image from a registry\n\n"
                               "Options:\n"
                               "  -a, --all-tags                Download all tagged images in "
                               "the repository\n"
                               "      --platform string         Set platform if server is "
                               "multi-platform capable\n"
                               "  -q, --quiet                   Suppress verbose output\n");
                        return 0;
                default:
                        return EXIT_BERTH;
                }
        }
        if (argc - optind != 1) {
                die_msg("\"pull\" requires exactly 1 argument.\nSee 'berth pull --help'.");
                return EXIT_BERTH;
        }
        const char *ref = argv[optind];
        err_t err;
        if (!all) {
                if (pull_image(ref, platform, quiet, &err) < 0) {
                        die_msg("%s", err.msg);
                        return EXIT_BERTH;
                }
                return 0;
        }
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, &err) < 0) {
                die_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        bool bad = r.tag || r.digest;
        char *name = reg_ref_familiar_name(&r);
        reg_ref_free(&r);
        if (bad) {
                free(name);
                die_msg("tag can't be used with --all-tags/-a");
                return EXIT_BERTH;
        }
        strv_t tags = STRV_INIT;
        struct reg_pull_opts o = {.platform = platform};
        int rc = 0;
        if (reg_list_tags(name, &o, &tags, &err) < 0) {
                die_msg("%s", err.msg);
                rc = EXIT_BERTH;
        }
        for (size_t i = 0; rc == 0 && i < tags.n; i++) {
                char *one = xasprintf("%s:%s", name, tags.v[i]);
                if (pull_image(one, platform, quiet, &err) < 0) {
                        die_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                }
                free(one);
        }
        strv_free(&tags);
        free(name);
        return rc;
}
