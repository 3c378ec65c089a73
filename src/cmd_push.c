/* berth push / berth image push [-a] [-q] NAME[:TAG], with Docker's output:
 * "The push refers to repository [NAME]", one line per layer, then
 * "TAG: digest: sha256:... size: N". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "layer_lines.h"
#include "runtime/image.h"
#include "runtime/registry.h"
#include "runtime/registry_ref.h"

static void on_progress(void *ud, const char *id, enum reg_push_state st, unsigned long long cur,
                        unsigned long long total, const char *from)
{
        static const char *const texts[] = {
            [REG_P_PREPARING] = "Preparing",
            [REG_P_WAITING] = "Waiting",
            [REG_P_PUSHING] = "Pushing",
            [REG_P_PUSHED] = "Pushed",
            [REG_P_EXISTS] = "Layer already exists",
            [REG_P_SKIPPED] = "Skipped foreign layer",
        };
        char text[160];
        if (st == REG_P_PUSHING) {
                layer_lines_bytes(ud, id, texts[st], cur, total);
                return;
        }
        if ((unsigned)st < sizeof(texts) / sizeof(texts[0]) && texts[st])
                snprintf(text, sizeof(text), "%s", texts[st]);
        else /* REG_P_MOUNTED */
                snprintf(text, sizeof(text), "Mounted from %.100s", from ? from : "");
        layer_lines_show(ud, id, text, false);
}

/* Push ref with Docker's output on stdout (quiet: only NAME:TAG at the end);
 * platform (may be NULL): push --platform. */
static int push_image(const char *ref, bool quiet, const char *platform, err_t *err)
{
        struct layer_lines ui = {.out = stdout, .tty = isatty(STDOUT_FILENO), .quiet = quiet};
        struct reg_push_opts o = {.progress = on_progress, .ud = &ui, .platform = platform};
        struct reg_push_result res;
        struct reg_ref r;
        if (reg_ref_parse(ref, &r, err) < 0)
                return -1;
        _cleanup_free_ char *fam = reg_ref_familiar_name(&r);
        if (!r.digest) {
                /* no header for an image that is not there, as Docker */
                reg_ref_default_tag(&r);
                _cleanup_free_ char *local = reg_ref_familiar_string(&r);
                struct rt_image img;
                if (rt_image_lookup(local, &img, err) < 0) {
                        reg_ref_free(&r);
                        if (err->code == ENOENT)
                                err_set(err, ENOENT,
                                        "An image does not exist locally with the tag: %s", fam);
                        return -1;
                }
                rt_image_free(&img);
        }
        reg_ref_free(&r);
        if (!quiet) {
                printf("The push refers to repository [%s]\n", fam);
                fflush(stdout);
        }
        int rc = reg_push(ref, &o, &res, err);
        layer_lines_free(&ui);
        if (rc < 0)
                return -1;
        if (quiet)
                printf("%s:%s\n", res.name, res.tag);
        else
                printf("%s: digest: %s size: %zu\n", res.tag, res.digest, res.size);
        fflush(stdout);
        reg_push_result_free(&res);
        return 0;
}

/* The local tags of repository name (familiar form), sorted. */
static int repo_tags(const char *name, strv_t *out, err_t *err)
{
        struct rt_image *v;
        size_t n;
        if (rt_image_list(&v, &n, err) < 0)
                return -1;
        size_t nl = strlen(name);
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < v[i].repo_tags.n; j++) {
                        const char *t = v[i].repo_tags.v[j];
                        if (!strncmp(t, name, nl) && t[nl] == ':' && !strchr(t + nl + 1, '/') &&
                            !strv_contains(out, t))
                                strv_push(out, t);
                }
        rt_image_list_free(v, n);
        strv_sort(out);
        return 0;
}

int cmd_push(int argc, char **argv)
{
        struct pull_push_args a = {0};
        int rc;
        int first = pull_push_args_parse(
            argc, argv, "push", "[OPTIONS] NAME[:TAG]", "Upload an image to a registry",
            "Push all tags of an image to the repository",
            "Push the platform-specific manifest (os/arch[/variant]);\n"
            "berth keeps one platform per image, so it must be the image's",
            &a);
        if (first <= 0)
                return cli_status(first);
        const char *ref = argv[first];
        bool quiet = a.quiet;
        const char *platform = a.platform;
        err_t err;
        if (!a.all) {
                if (push_image(ref, quiet, platform, &err) < 0) {
                        error_msg("%s", err.msg);
                        return EXIT_BERTH;
                }
                return 0;
        }
        _cleanup_free_ char *fam = all_tags_repo(ref, &err);
        if (!fam) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        strv_t tags = STRV_INIT;
        if (repo_tags(fam, &tags, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        if (!tags.n) {
                error_msg("An image does not exist locally with the tag: %s", fam);
                return EXIT_BERTH;
        }
        rc = 0;
        for (size_t i = 0; i < tags.n && rc == 0; i++)
                if (push_image(tags.v[i], quiet, platform, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                }
        strv_free(&tags);
        return rc;
}
