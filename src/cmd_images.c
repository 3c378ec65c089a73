/* berth images / berth image ls: list images like docker. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "table.h"
#include "runtime/image.h"

struct row {
        char *repo, *tag;
        const struct rt_image *img;
};

/* "a/b:tag" -> repo "a/b", tag "tag" */
static void split_tag(const char *ref, char **repo, char **tag)
{
        const char *slash = strrchr(ref, '/');
        const char *colon = strrchr(slash ? slash : ref, ':');
        *repo = colon ? xstrndup(ref, (size_t)(colon - ref)) : xstrdup(ref);
        *tag = xstrdup(colon ? colon + 1 : "latest");
}

static bool row_matches(const struct row *r, const char *filter_repo, const char *filter_tag)
{
        if (!filter_repo)
                return true;
        if (strcmp(r->repo, filter_repo) != 0)
                return false;
        return !filter_tag || !strcmp(r->tag, filter_tag);
}

static const char *const image_headers[] = {
    "ID",         "IMAGE ID",    "Repository",   "REPOSITORY",  "Tag",         "TAG",
    "Digest",     "DIGEST",      "CreatedSince", "CREATED",     "CreatedAt",   "CREATED AT",
    "Size",       "SIZE",        "Containers",   "CONTAINERS",  "VirtualSize", "VIRTUAL SIZE",
    "SharedSize", "SHARED SIZE", "UniqueSize",   "UNIQUE SIZE", NULL};

#define IMAGES_TABLE "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"

/* --filter dangling=true|false into *(int *)dest */
static int dangling_filter(const struct cli_opt *o, const char *f, err_t *err)
{
        if (!strcmp(f, "dangling=true") || !strcmp(f, "dangling=1"))
                *(int *)o->dest = 1;
        else if (!strcmp(f, "dangling=false") || !strcmp(f, "dangling=0"))
                *(int *)o->dest = 0;
        else
                return err_set(err, EINVAL,
                               "images: unsupported filter \"%s\" (supported: "
                               "dangling=true|false)",
                               f);
        return 0;
}

int cmd_images(int argc, char **argv)
{
        bool quiet = false, notrunc = false;
        const char *format = NULL;
        int dangling = -1; /* --filter dangling=true|false */
        bool all = false;  /* also the untagged steps of builds */
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &all, "Show all images"),
            CLI_OPT("filter", 'f', CLI_FUNC, &dangling, "Filter output (dangling=true|false)",
                    .type = "filter", .fn = dangling_filter),
            FORMAT_OPT(0, &format, "{{.Repository}}:{{.Tag}} ..."),
            CLI_OPT("no-trunc", 0, CLI_FLAG, &notrunc, "Don't truncate output"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only show image IDs"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "images", "[OPTIONS] [REPOSITORY[:TAG]]",
                            "List images", opts, CLI_AT_MOST(1));
        char *frepo = NULL, *ftag = NULL;
        if (first < argc) {
                const char *a = argv[first];
                const char *slash = strrchr(a, '/');
                const char *colon = strrchr(slash ? slash : a, ':');
                frepo = colon ? xstrndup(a, (size_t)(colon - a)) : xstrdup(a);
                ftag = colon ? xstrdup(colon + 1) : NULL;
                char *norm = NULL;
                err_t e2;
                /* docker.io/library/x lists as x */
                if (rt_image_ref_normalize(a, &norm, &e2) == 0) {
                        char *ntag = NULL;
                        free(frepo);
                        split_tag(norm, &frepo, &ntag);
                        free(ntag);
                        free(norm);
                }
        }

        struct rt_image *imgs;
        size_t n;
        err_t err;
        if (rt_image_list(&imgs, &n, &err) < 0) {
                error_msg("%s", err.msg);
                free(frepo);
                free(ftag);
                return EXIT_BERTH;
        }
        size_t nrows = 0, cap = 16;
        struct row *rows = xmalloc(cap * sizeof(*rows));
        for (size_t i = 0; i < n; i++) {
                size_t ntags = imgs[i].repo_tags.n ? imgs[i].repo_tags.n : 1;
                if (dangling >= 0 && (imgs[i].repo_tags.n == 0) != (dangling == 1))
                        continue;
                bool step = false; /* an untagged build step another image builds on */
                for (size_t k = 0; !all && !imgs[i].repo_tags.n && k < n; k++)
                        step |= imgs[k].parent && !strcmp(imgs[k].parent, imgs[i].id);
                if (step)
                        continue;
                for (size_t k = 0; k < ntags; k++) {
                        struct row r = {.img = &imgs[i]};
                        if (imgs[i].repo_tags.n) {
                                split_tag(imgs[i].repo_tags.v[k], &r.repo, &r.tag);
                        } else {
                                r.repo = xstrdup("<none>");
                                r.tag = xstrdup("<none>");
                        }
                        if (!row_matches(&r, frepo, ftag)) {
                                free(r.repo);
                                free(r.tag);
                                continue;
                        }
                        if (nrows == cap)
                                rows = xrealloc(rows, (cap *= 2) * sizeof(*rows));
                        rows[nrows++] = r;
                }
        }

        struct cliformat cf;
        int rc = 0;
        if (!quiet &&
            format_open(&cf, format, IMAGES_TABLE, image_headers, "*formatter.ImageContext") < 0)
                rc = EXIT_BERTH;
        for (size_t i = 0; i < nrows && !rc; i++) {
                const struct rt_image *img = rows[i].img;
                const char *hex = img->id + strlen("sha256:");
                char idbuf[80], since[64], size[32];
                snprintf(idbuf, sizeof(idbuf), "%s", notrunc ? img->id : hex);
                if (!notrunc)
                        idbuf[12] = '\0';
                if (quiet) {
                        printf("%s\n", idbuf);
                        continue;
                }
                {
                        _cleanup_free_ char *ago =
                            human_duration((long long)time(NULL) - img->created);
                        snprintf(since, sizeof(since), "%s ago", ago);
                }
                human_size(img->size, size, sizeof(size));
                _cleanup_free_ char *created_at = go_time_text(img->created, 0);
                json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                                      "Containers", "N/A", "CreatedAt", created_at, "CreatedSince",
                                      since, "Digest", "<none>", "ID", idbuf, "Repository",
                                      rows[i].repo, "SharedSize", "N/A", "Size", size, "Tag",
                                      rows[i].tag, "UniqueSize", "N/A", "VirtualSize", size);
                if (format_row(&cf, o, NULL) < 0)
                        rc = EXIT_BERTH;
                json_decref(o);
        }
        if (!quiet) {
                if (!rc)
                        format_print(&cf);
                cliformat_free(&cf);
        }
        for (size_t i = 0; i < nrows; i++) {
                free(rows[i].repo);
                free(rows[i].tag);
        }
        free(rows);
        free(frepo);
        free(ftag);
        rt_image_list_free(imgs, n);
        return rc;
}
