/* Unit tests for engine/commit.h's image config of a commit: the
 * container's Config, what it lacks from the image, then the changes. */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "commit.h"
#include "tap.h"

int main(void)
{
        json_t *doc = json_pack("{s:{s:[s,s],s:[s]}}", "Config", "Cmd", "sh", "-c", "Env", "A=1");
        struct rt_image img = {0};
        strv_push(&img.config.volumes, "/data");
        img.config.stop_signal = xstrdup("SIGQUIT");
        strv_t changes = STRV_INIT;
        struct rt_image_config cfg = {0};
        err_t err = {0};
        if (!ok(ctr_commit_config(doc, &img, &changes, &cfg, &err) == 0, "no changes"))
                tap_diag("%s", err.msg);
        ok(cfg.cmd.n == 2 && !strcmp(cfg.cmd.v[0], "sh"), "the container's command");
        ok(cfg.env.n == 1 && !strcmp(cfg.env.v[0], "A=1"), "its environment");
        ok(cfg.volumes.n == 1 && !strcmp(cfg.volumes.v[0], "/data"),
           "the image's volumes when the container records none");
        is_str(cfg.stop_signal, "SIGQUIT", "the image's stop signal");
        rt_image_config_free(&cfg);

        strv_push(&changes, "CMD [\"a\"]");
        strv_push(&changes, "ENTRYPOINT [\"e\"]");
        memset(&cfg, 0, sizeof(cfg));
        if (!ok(ctr_commit_config(doc, &img, &changes, &cfg, &err) == 0, "CMD then ENTRYPOINT"))
                tap_diag("%s", err.msg);
        ok(cfg.entrypoint.n == 1 && !strcmp(cfg.entrypoint.v[0], "e"), "the entrypoint is set");
        ok(cfg.cmd.n == 1 && !strcmp(cfg.cmd.v[0], "a"),
           "a CMD the changes set before ENTRYPOINT stays");
        rt_image_config_free(&cfg);
        strv_free(&changes);

        strv_push(&changes, "BOGUS x");
        memset(&cfg, 0, sizeof(cfg));
        ok(ctr_commit_config(doc, &img, &changes, &cfg, &err) < 0, "an unknown instruction fails");
        rt_image_config_free(&cfg);
        strv_free(&changes);
        rt_image_config_free(&img.config);
        json_decref(doc);
        return tap_done();
}
