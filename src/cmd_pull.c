/* berth pull / berth image pull [-a] [-q] [--platform os/arch[/variant]]
 * NAME[:TAG|@DIGEST], with Docker's output: one line per layer (redrawn on a
 * terminal, one line per state change otherwise), then Digest: and Status:,
 * then the full reference. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "layer_lines.h"
#include "pull.h"
#include "runtime/image.h"
#include "runtime/registry.h"
#include "runtime/registry_ref.h"

struct pull_ui {
        struct layer_lines l;
        bool quiet;
};

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
                human_size(cur, a, sizeof(a));
                human_size(total, b, sizeof(b));
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
                human_size(cur, a, sizeof(a));
                human_size(total, b, sizeof(b));
                snprintf(text, sizeof(text), "Extracting  %s/%s", a, b);
                transient = true;
                break;
        case REG_L_COMPLETE:
        default:
                snprintf(text, sizeof(text), "Pull complete");
                break;
        }
        if (!ui->quiet)
                layer_lines_show(&ui->l, id, text, transient);
}

int pull_image(FILE *out, const char *ref, const char *platform, bool quiet, err_t *err)
{
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, err) < 0)
                return -1;
        struct pull_ui ui = {.l = {.out = out, .tty = isatty(fileno(out))}, .quiet = quiet};
        if (!quiet) {
                if (!r.tag && !r.digest)
                        fprintf(out, "Using default tag: latest\n");
                reg_ref_default_tag(&r);
                fprintf(out, "%s: Pulling from %s\n", r.digest ? r.digest : r.tag, r.path);
                fflush(out);
        }
        reg_ref_free(&r);
        struct reg_pull_opts o = {.platform = platform, .progress = on_progress, .ud = &ui};
        struct reg_pull_result res;
        int rc = reg_pull(ref, &o, &res, err);
        layer_lines_free(&ui.l);
        if (rc < 0)
                return -1;
        if (!quiet) {
                fprintf(out, "Digest: %s\n", res.digest);
                const char *shown = res.name ? res.name : res.full;
                fprintf(out, "Status: %s for %s\n",
                        res.updated ? "Downloaded newer image" : "Image is up to date", shown);
        }
        if (out == stdout)
                fprintf(out, "%s\n", res.full);
        fflush(out);
        reg_pull_result_free(&res);
        return 0;
}

int pull_policy_parse(const char *s, enum pull_policy *out, err_t *err)
{
        if (!strcmp(s, "missing"))
                *out = PULL_MISSING;
        else if (!strcmp(s, "always"))
                *out = PULL_ALWAYS;
        else if (!strcmp(s, "never"))
                *out = PULL_NEVER;
        else
                return err_set(err, EINVAL,
                               "invalid pull option: '%s': must be one of \"always\", "
                               "\"missing\" or \"never\"",
                               s);
        return 0;
}

int pull_ensure(FILE *out, const char *image, enum pull_policy pol, const char *platform,
                bool quiet, err_t *err)
{
        struct rt_image img;
        if (pol != PULL_ALWAYS) {
                if (rt_image_lookup(image, &img, err) == 0) {
                        rt_image_free(&img);
                        return 0;
                }
                if (err->code != ENOENT || pol == PULL_NEVER)
                        return -1;
                /* an ID prefix or a bad name is not something to pull */
                struct reg_ref r;
                err_t e2;
                if (reg_ref_parse(image, &r, &e2) < 0)
                        return -1;
                reg_ref_free(&r);
                if (!quiet) {
                        fprintf(out, "Unable to find image '%s' locally\n", image);
                        fflush(out);
                }
        }
        return pull_image(out, image, platform, quiet, err);
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
        while ((c = getopt_long(argc, argv, "aqh", opts, NULL)) != -1) {
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
                error_msg("\"pull\" requires exactly 1 argument.\nSee 'berth pull --help'.");
                return EXIT_BERTH;
        }
        const char *ref = argv[optind];
        err_t err;
        if (!all) {
                if (pull_image(stdout, ref, platform, quiet, &err) < 0) {
                        error_msg("%s", err.msg);
                        return EXIT_BERTH;
                }
                return 0;
        }
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        bool bad = r.tag || r.digest;
        char *name = reg_ref_familiar_name(&r);
        reg_ref_free(&r);
        if (bad) {
                free(name);
                error_msg("tag can't be used with --all-tags/-a");
                return EXIT_BERTH;
        }
        strv_t tags = STRV_INIT;
        struct reg_pull_opts o = {.platform = platform};
        int rc = 0;
        if (reg_list_tags(name, &o, &tags, &err) < 0) {
                error_msg("%s", err.msg);
                rc = EXIT_BERTH;
        }
        for (size_t i = 0; rc == 0 && i < tags.n; i++) {
                char *one = xasprintf("%s:%s", name, tags.v[i]);
                if (pull_image(stdout, one, platform, quiet, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                }
                free(one);
        }
        strv_free(&tags);
        free(name);
        return rc;
}
