/* Unit tests for engine/project_rm.h: a compose project's volumes removed
 * by label and by its file, in a temporary BERTH_ROOT, every removal
 * reported (no containers, no root needed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "compose_text.h"
#include "project_rm.h"
#include "runtime/volume.h"
#include "service.h"
#include "tap.h"
#include "tmp_root.h"

static char *no_env[] = {NULL};

static struct compose_project *load(const char *yaml)
{
        struct compose_model_opts o = {
            .project_name = "es2p", .working_dir = "/wd", .home = "/root", .environment = no_env};
        return tap_project(yaml, &o);
}

/* The report as text: "+Kind name[ working]" at begin, "=rc" at end. */
static size_t rep_begin(void *ud, const char *kind, const char *name, bool working)
{
        strbuf_t *sb = ud;
        sb_appendf(sb, "+%s %s%s;", kind, name, working ? " working" : "");
        return 7;
}

static void rep_end(void *ud, size_t handle, int rc, const err_t *err)
{
        (void)err;
        sb_appendf(ud, "=%zu %d;", handle, rc);
}

static bool vol_exists(const char *name)
{
        json_t *j = NULL;
        if (rt_volume_inspect(name, &j, NULL) < 0)
                return false;
        json_decref(j);
        return true;
}

static int make_vol(const char *name, const char *project)
{
        json_t *l = project ? json_pack("{s:s}", LBL_PROJECT, project) : NULL;
        err_t err;
        int r = rt_volume_create(name, l, false, &err);
        json_decref(l);
        return r;
}

int main(void)
{
        char root[] = "/tmp/es2-projrm-XXXXXX";
        if (!tmp_berth_root(root))
                return tap_done();
        err_t err = {0};
        strbuf_t sb = STRBUF_INIT;
        struct remove_report rep = {.ud = &sb, .begin = rep_begin, .end = rep_end};

        ok(make_vol("es2p_data", "es2p") == 0 && make_vol("es2p_ext", NULL) == 0 &&
               make_vol("es2q_data", "es2q") == 0,
           "three volumes are made");
        is_int(project_remove_labelled_volumes("es2p", &rep, &err), 0,
               "down -v from labels: nothing fails");
        is_str(sb_str(&sb), "+Volume es2p_data;=7 0;", "only the project's labelled volume goes");
        ok(!vol_exists("es2p_data") && vol_exists("es2p_ext") && vol_exists("es2q_data"),
           "the others stay");
        sb_free(&sb);

        struct compose_project *p =
            load("services:\n  web: {image: x}\n"
                 "volumes:\n  data: {}\n  ext: {external: true, name: es2p_ext}\n  gone: {}\n");
        if (ok(p != NULL, "project loads")) {
                ok(make_vol("es2p_data", NULL) == 0, "its volume is made again, unlabelled");
                is_int(project_remove_volumes(p, &rep), 0, "down -v: nothing fails");
                is_str(sb_str(&sb), "+Volume es2p_data;=7 0;",
                       "the declared volume goes; an external one and a missing one are left");
                ok(!vol_exists("es2p_data") && vol_exists("es2p_ext"), "es2p_ext stays");
                is_int(project_remove_volumes(p, NULL), 0, "without a report too");
                compose_project_free(p);
        }
        sb_free(&sb);

        p = load("services:\n  web: {build: .}\n  db: {image: es2-none-db}\n");
        if (ok(p != NULL, "a project with a built service loads")) {
                compose_build_names(p);
                is_int(project_remove_images(p, false, &rep, &err), 0,
                       "down --rmi local: an image already gone counts as removed");
                is_str(sb_str(&sb), "+Image es2p-web;=7 0;", "only the image berth names itself");
                sb_free(&sb);
                is_int(project_remove_images(p, true, &rep, &err), 0, "down --rmi all");
                is_str(sb_str(&sb), "+Image es2-none-db;=7 0;+Image es2p-web;=7 0;",
                       "every service's image, in the services' order");
                sb_free(&sb);
                compose_project_free(p);
        }

        is_int(project_remove_networks("es2p", &rep, &err), 0,
               "no network is labelled as the project's: nothing fails");
        is_str(sb_str(&sb), "", "and nothing is reported");
        sb_free(&sb);
        rm_rf(root, &err);
        return tap_done();
}
