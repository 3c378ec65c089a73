/* Every tests/data/invalid/NAME.yaml must fail to load with exactly the text
 * of NAME.err: YAML parsing, interpolation, schema decoding, normalization
 * and validation as `berth compose config` runs them. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "compose/interp.h"
#include "compose/model.h"
#include "compose/node.h"
#include "fsutil.h"
#include "strv.h"
#include "tap.h"

static const char *dir(void)
{
        const char *src = getenv("BERTH_SRC");
        static char buf[4096];
        snprintf(buf, sizeof(buf), "%s/tests/data/invalid", src ? src : ".");
        return buf;
}

/* The message for one file, or NULL when it loads. */
static char *run(const char *name, const char *text, size_t len)
{
        static char *env[] = {"HOME=/home/u", NULL};
        strv_t lookup = STRV_INIT, unset = STRV_INIT;
        struct cnode *root = NULL;
        struct compose_project *p = NULL;
        err_t err;
        char *msg = NULL;
        struct compose_model_opts o = {
            .project_name = "invalid",
            .working_dir = "/wd",
            .home = "/home/u",
            .environment = env,
        };

        strv_push(&lookup, "HOME=/home/u");
        if (cnode_parse_yaml(text, len, name, &root, &err) < 0 ||
            interp_tree(root, interp_lookup_strv, &lookup, &unset, &err) < 0 ||
            compose_project_decode(root, &o, &p, &err) < 0)
                msg = strdup(err.msg);
        compose_project_free(p);
        cnode_free(root);
        strv_free(&lookup);
        strv_free(&unset);
        return msg;
}

int main(void)
{
        DIR *d = opendir(dir());
        strv_t names = STRV_INIT;
        struct dirent *de;

        if (!ok(d != NULL, "open %s", dir()))
                return tap_done();
        while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l > 5 && !strcmp(de->d_name + l - 5, ".yaml"))
                        strv_push(&names, de->d_name);
        }
        closedir(d);
        strv_sort(&names);
        ok(names.n >= 30, "at least 30 invalid files (%zu)", names.n);

        for (size_t i = 0; i < names.n; i++) {
                char path[4200], errpath[4200];
                char *text = NULL, *want = NULL;
                size_t len, wlen;
                err_t e;
                snprintf(path, sizeof(path), "%s/%s", dir(), names.v[i]);
                snprintf(errpath, sizeof(errpath), "%s/%.*s.err", dir(),
                         (int)(strlen(names.v[i]) - 5), names.v[i]);
                if (read_file(path, &text, &len, &e) < 0 ||
                    read_file(errpath, &want, &wlen, &e) < 0) {
                        ok(0, "%s: %s", names.v[i], e.msg);
                        free(text);
                        continue;
                }
                while (wlen && want[wlen - 1] == '\n')
                        want[--wlen] = '\0';
                char *got = run(names.v[i], text, len);
                is_str(got, want, "%s", names.v[i]);
                free(got);
                free(text);
                free(want);
        }
        strv_free(&names);
        cnode_intern_reset();
        return tap_done();
}
