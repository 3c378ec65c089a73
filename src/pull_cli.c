/* pull_cli.c - pulling an image with Docker's output (pull.h), for `pull`,
 * `run`/`create --pull` and build's FROM: one line per layer (redrawn on a
 * terminal, one line per state change otherwise), then Digest: and Status:,
 * then the full reference. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "layer_lines.h"
#include "pull.h"
#include "runtime/image.h"
#include "runtime/registry.h"
#include "runtime/registry_ref.h"

static void on_progress(void *ud, const char *id, enum reg_layer_state st, unsigned long long cur,
                        unsigned long long total)
{
        static const char *const texts[] = {
            [REG_L_PULLING] = "Pulling fs layer",     [REG_L_WAITING] = "Waiting",
            [REG_L_EXISTS] = "Already exists",        [REG_L_DOWNLOADING] = "Downloading",
            [REG_L_VERIFYING] = "Verifying Checksum", [REG_L_DOWNLOADED] = "Download complete",
            [REG_L_EXTRACTING] = "Extracting",        [REG_L_COMPLETE] = "Pull complete",
        };
        const char *text = (unsigned)st < sizeof(texts) / sizeof(texts[0]) && texts[st]
                               ? texts[st]
                               : "Pull complete";
        if (st == REG_L_DOWNLOADING || st == REG_L_EXTRACTING)
                layer_lines_bytes(ud, id, text, cur, total);
        else
                layer_lines_show(ud, id, text, false);
}

int pull_image(FILE *out, const char *ref, const char *platform, bool quiet, err_t *err)
{
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, err) < 0)
                return -1;
        struct layer_lines ui = {.out = out, .tty = isatty(fileno(out)), .quiet = quiet};
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
        layer_lines_free(&ui);
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
