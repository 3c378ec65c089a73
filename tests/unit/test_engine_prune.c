/* Unit tests for engine/prune.h: the prune filters, which containers use an
 * image, and volume prune in a temporary BERTH_ROOT (no containers, no
 * root needed). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "prune.h"
#include "runtime/volume.h"
#include "tap.h"
#include "tmp_root.h"

static void test_labels(void)
{
        json_t *labels = json_pack("{s:s,s:s}", "a", "1", "b", "2");
        struct prune_filter pf = {0};
        ok(prune_filter_labels(NULL, labels), "no filter: every object passes");
        ok(prune_filter_labels(&pf, NULL), "an empty filter passes an object without labels");
        strv_push(&pf.label, "a");
        ok(prune_filter_labels(&pf, labels), "label=a: the key is enough");
        ok(!prune_filter_labels(&pf, NULL), "label=a: no labels do not pass");
        strv_push(&pf.label, "b=2");
        ok(prune_filter_labels(&pf, labels), "label=a and label=b=2: both match");
        strv_push(&pf.label, "b=3");
        ok(!prune_filter_labels(&pf, labels), "label=b=3: every label= must match");
        strv_free(&pf.label);
        strv_push(&pf.nlabel, "b=3");
        ok(prune_filter_labels(&pf, labels), "label!=b=3: b is 2, it passes");
        ok(prune_net_match(labels, &pf), "prune_net_match answers the same");
        strv_push(&pf.nlabel, "a");
        ok(prune_filter_labels(&pf, labels),
           "label!=b=3 and label!=a: b=3 does not match, it passes");
        strv_free(&pf.nlabel);
        strv_push(&pf.nlabel, "a");
        strv_push(&pf.nlabel, "b=2");
        ok(!prune_filter_labels(&pf, labels), "label!=a and label!=b=2: all match, it is left out");
        prune_filter_free(&pf);
        json_decref(labels);
}

static void test_image_users(void)
{
        struct prune_filter pf = {0};
        struct image_users *u = &pf.users;
        u->n = 3;
        u->v = xcalloc(3, sizeof(*u->v));
        const char *ids[] = {"c1", "c2", "c3"}, *imgs[] = {"sha256:x", "sha256:x", "sha256:y"};
        for (size_t i = 0; i < 3; i++) {
                u->v[i].id = xstrdup(ids[i]);
                u->v[i].image = xstrdup(imgs[i]);
        }
        u->v[1].running = true;
        bool running = false;
        is_str(image_users_find("sha256:x", &running, u), "c2", "a running user comes first");
        ok(running, "and is said to run");
        is_str(image_users_find("sha256:y", &running, u), "c3", "a stopped user is found");
        ok(!running, "and is said not to run");
        ok(image_users_find("sha256:z", &running, u) == NULL, "an unused image has no user");
        strv_push(&pf.keep, "sha256:z");
        is_str(prune_filter_in_use("sha256:z", &running, &pf), "sha256:z",
               "an image the filters leave out is kept as in use");
        ok(!running, "not as a running one");
        ok(prune_filter_in_use("sha256:w", &running, &pf) == NULL, "another unused one goes");
        prune_filter_free(&pf);
        ok(pf.users.n == 0 && pf.users.v == NULL, "prune_filter_free empties the users");
}

static void write_bytes(const char *vol, size_t n)
{
        json_t *j = NULL;
        if (rt_volume_inspect(vol, &j, NULL) < 0)
                return;
        char *p = xasprintf("%s/f", json_string_value(json_object_get(j, "Mountpoint")));
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        char buf[256] = {0};
        if (fd >= 0 && n <= sizeof(buf) && write(fd, buf, n) == (ssize_t)n)
                close(fd);
        else if (fd >= 0)
                close(fd);
        free(p);
        json_decref(j);
}

static void test_volumes(void)
{
        char root[] = "/tmp/es2-prune-XXXXXX";
        if (!tmp_berth_root(root))
                return;
        err_t err = {0};
        char anon[80];
        snprintf(anon, sizeof(anon), "%s", rt_volume_anon_name());
        json_t *lab = json_pack("{s:s}", "k", "v");
        if (!ok(rt_volume_create(anon, NULL, true, &err) == 0 &&
                    rt_volume_create("es2-named", lab, false, &err) == 0 &&
                    rt_volume_create("es2-other", NULL, false, &err) == 0,
                "three volumes are made")) {
                tap_diag("%s", err.msg);
                json_decref(lab);
                return;
        }
        json_decref(lab);
        write_bytes(anon, 100);
        is_int((int)volume_size(anon), 100, "volume_size counts the bytes in it");
        is_int((int)volume_size("es2-none"), 0, "a missing volume has size 0");
        strv_t used = STRV_INIT;
        volumes_in_use(&used);
        is_int((int)used.n, 0, "without containers no volume is in use");
        strv_t removed = STRV_INIT;
        unsigned long long reclaimed = 0;
        ok(volume_prune(false, NULL, &removed, &reclaimed, &err) == 0, "volume prune runs");
        ok(removed.n == 1 && !strcmp(removed.v[0], anon), "without all: the anonymous one only");
        is_int((int)reclaimed, 100, "its bytes are reclaimed");
        strv_free(&removed);
        struct prune_filter pf = {0};
        strv_push(&pf.label, "k=v");
        ok(volume_prune(true, &pf, &removed, &reclaimed, &err) == 0, "volume prune -a runs");
        ok(removed.n == 1 && !strcmp(removed.v[0], "es2-named"),
           "with all and label=k=v: the labelled one only");
        strv_free(&removed);
        prune_filter_free(&pf);
        json_t *j = NULL;
        ok(rt_volume_inspect("es2-other", &j, NULL) == 0, "the other named volume stays");
        json_decref(j);
        ok(container_prune(&removed, &reclaimed, NULL, &err) == 0 && removed.n == 0,
           "container prune without containers removes nothing");
        strv_t warnings = STRV_INIT;
        ok(container_rm("es2-none", true, true, &warnings, &err) < 0, "rm of no container fails");
        is_str(err.msg, "No such container: es2-none", "with docker's text");
        is_int((int)warnings.n, 0, "and no warning");
        strv_free(&removed);
        rm_rf(root, &err);
}

int main(void)
{
        test_labels();
        test_image_users();
        test_volumes();
        return tap_done();
}
