/* Unit tests for engine/'s compose lifecycle helpers (engine/service.h) and
 * the builder's output interface (engine/build.h): no containers, no root.
 * The builder runs in a temporary BERTH_ROOT on a FROM scratch Dockerfile
 * and must say everything through its struct build_out, nothing on
 * stdout/stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "build.h"
#include "compose/model.h"
#include "compose/node.h"
#include "service.h"
#include "tap.h"
#include "tmp_root.h"

static char *no_env[] = {NULL};

static struct compose_project *load(const char *yaml)
{
        struct cnode *root = NULL;
        struct compose_project *p = NULL;
        struct compose_model_opts o = {
            .project_name = "el", .working_dir = "/wd", .home = "/root", .environment = no_env};
        err_t err;
        if (cnode_parse_yaml(yaml, strlen(yaml), "compose.yaml", &root, &err) < 0 ||
            compose_project_decode(root, &o, &p, &err) < 0) {
                tap_diag("load: %s", err.msg);
                p = NULL;
        }
        cnode_free(root);
        return p;
}

static void test_project(void)
{
        struct compose_project *p = load("services:\n"
                                         "  db: {image: x, stop_grace_period: 1500ms}\n"
                                         "  api: {image: x, depends_on: [db]}\n"
                                         "  web: {image: x, depends_on: [api], scale: 2}\n"
                                         "  one: {image: x, container_name: only}\n");
        if (!ok(p != NULL, "project loads"))
                return;
        err_t err = {0};
        bool *sel = NULL;
        char *names[] = {"web"};
        ok(cproject_select(p, names, 1, true, &sel, &err) == 0, "select web with deps");
        const struct compose_service *web = compose_project_service(p, "web");
        const struct compose_service *db = compose_project_service(p, "db");
        const struct compose_service *one = compose_project_service(p, "one");
        int nsel = 0;
        for (size_t i = 0; i < p->nservices; i++)
                nsel += sel[i];
        is_int(nsel, 3, "web pulls in api and db, not one");
        free(sel);
        ok(cproject_select(p, names, 1, false, &sel, &err) == 0, "select web alone");
        nsel = 0;
        for (size_t i = 0; i < p->nservices; i++)
                nsel += sel[i];
        is_int(nsel, 1, "without deps: web only");
        free(sel);
        char *bad[] = {"nope"};
        ok(cproject_select(p, bad, 1, true, &sel, &err) < 0, "an unknown service is refused");
        is_str(err.msg, "no such service: nope", "its error names it");

        is_int(cservice_level(p, "db"), 0, "db depends on nothing");
        is_int(cservice_level(p, "web"), 2, "web is two levels up");

        strv_t scale = STRV_INIT;
        is_int(compose_scale_of(&scale, web, &err), 2, "scale: the service's own");
        strv_push(&scale, "web=5");
        is_int(compose_scale_of(&scale, web, &err), 5, "--scale web=5 wins");
        is_int(compose_scale_of(&scale, db, &err), 1, "--scale of another service leaves db");
        strv_push(&scale, "bogus");
        ok(compose_scale_of(&scale, db, &err) < 0, "--scale without '=' is refused");
        is_str(err.msg, "invalid --scale \"bogus\": use SERVICE=NUM", "with docker's text");
        strv_free(&scale);

        char *n = cservice_container_name(p, web, 2);
        is_str(n, "el-web-2", "replica name");
        free(n);
        n = cservice_container_name(p, one, 1);
        is_str(n, "only", "container_name");
        free(n);
        is_int(cservice_stop_timeout(db), 2, "stop_grace_period 1500ms rounds up to 2 s");
        is_int(cservice_stop_timeout(web), 10, "default grace period 10 s");

        struct cctr gone = {.service = "old"}, kept = {.service = "web"};
        ok(cctr_is_orphan(p, &gone), "a container of a removed service is an orphan");
        ok(!cctr_is_orphan(p, &kept), "one of a service in the file is not");
        compose_project_free(p);
}

static void test_build_opts(void)
{
        struct compose_project *p = load("services:\n"
                                         "  app:\n"
                                         "    build:\n"
                                         "      context: /ctx\n"
                                         "      dockerfile: D\n"
                                         "      args: {A: 1, B: null}\n"
                                         "      labels: [x=y]\n"
                                         "      tags: [\"t:1\"]\n"
                                         "      network: bridge\n"
                                         "  remote: {build: \"https://example.invalid/r.git\"}\n"
                                         "  named: {image: mine, build: /ctx}\n");
        if (!ok(p != NULL, "build project loads"))
                return;
        compose_build_names(p);
        struct compose_service *app = (struct compose_service *)compose_project_service(p, "app");
        is_str(app->image, "el-app", "a build without image: is named <project>-<service>");
        ok(compose_build_local_image(app), "and is a local image (down --rmi local)");
        ok(!compose_build_local_image(compose_project_service(p, "named")),
           "one with image: is not");
        strv_t cli = STRV_INIT;
        strv_push(&cli, "C=3");
        struct build_opts o = {0};
        err_t err = {0};
        ok(service_build_opts(app, false, &cli, &o, &err) == 0, "build options of app");
        is_str(o.context, "/ctx", "context");
        is_str(o.dockerfile, "/ctx/D", "dockerfile relative to the context");
        is_str(o.network, "default", "network bridge is the default network");
        char *j = strv_join(&o.tags, " ");
        is_str(j, "el-app t:1", "tags: the image, then build.tags");
        free(j);
        j = strv_join(&o.build_args, " ");
        is_str(j, "A=1 B C=3", "args (null: from the environment), then --build-arg");
        free(j);
        j = strv_join(&o.labels, " ");
        is_str(j, "x=y", "labels");
        free(j);
        service_build_opts_free(&o);
        strv_free(&cli);
        struct build_opts r = {0};
        ok(service_build_opts(compose_project_service(p, "remote"), false, NULL, &r, &err) < 0 &&
               err.code == ENOTSUP,
           "a remote context is refused");
        compose_project_free(p);
}

/* --- the builder's output interface ---------------------------------------- */

struct sink {
        struct strbuf text, warn;
        int pulls, runs;
};

static void s_text(void *ud, const char *s)
{
        sb_append(&((struct sink *)ud)->text, s);
}

static void s_warn(void *ud, const char *msg)
{
        sb_appendf(&((struct sink *)ud)->warn, "%s\n", msg);
}

static int s_ensure(void *ud, const char *ref, bool always, bool quiet, err_t *err)
{
        (void)always;
        (void)quiet;
        ((struct sink *)ud)->pulls++;
        return err_set(err, ENOENT, "no image %s here", ref);
}

static int s_run(void *ud, const char *id, bool quiet, int *status, err_t *err)
{
        (void)id;
        (void)quiet;
        (void)err;
        ((struct sink *)ud)->runs++;
        *status = 0;
        return 0;
}

/* Build df in context dir with fds 1 and 2 sent to a file; *printed gets
 * how many bytes reached them. */
static int build(const char *dir, const char *df, bool quiet, struct sink *sk, off_t *printed,
                 char **id, err_t *err)
{
        struct build_out out = {
            .ud = sk, .text = s_text, .warn = s_warn, .ensure_image = s_ensure, .run = s_run};
        struct build_opts o = {.context = dir, .inline_df = df, .quiet = quiet, .out = &out};
        strv_push(&o.tags, "elunit:1");
        strv_push(&o.build_args, "EL_UNUSED=1");
        char path[256];
        snprintf(path, sizeof(path), "%s/printed", dir);
        fflush(stdout);
        int f = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int s1 = dup(1), s2 = dup(2);
        dup2(f, 1);
        dup2(f, 2);
        int r = build_image(&o, id, err);
        fflush(stdout);
        fflush(stderr);
        dup2(s1, 1);
        dup2(s2, 2);
        close(s1);
        close(s2);
        struct stat st;
        *printed = fstat(f, &st) == 0 ? st.st_size : -1;
        close(f);
        strv_free(&o.tags);
        strv_free(&o.build_args);
        return r;
}

static void test_build_out(void)
{
        char root[] = "/tmp/el-unit-XXXXXX";
        if (!tmp_berth_root(root))
                return;
        char ctx[300];
        snprintf(ctx, sizeof(ctx), "%s/ctx", root);
        mkdir(ctx, 0700);
        struct sink sk = {0};
        err_t err = {0};
        char *id = NULL;
        off_t printed;
        int r = build(ctx, "FROM scratch\nLABEL a=b\nONBUILD RUN true\n", false, &sk, &printed, &id,
                      &err);
        if (!ok(r == 0, "FROM scratch + LABEL builds"))
                tap_diag("%s", err.msg);
        is_int(printed, 0, "nothing reached stdout/stderr");
        ok(sk.text.s && !strncmp(sk.text.s, "Step 1/3 : FROM scratch\nStep 2/3 : LABEL a=b\n", 44),
           "the steps go to the sink");
        ok(sk.text.s && strstr(sk.text.s, "Successfully tagged elunit:1\n") != NULL,
           "the tag line goes to the sink");
        ok(sk.warn.s && strstr(sk.warn.s, "ONBUILD is not supported by berth") != NULL,
           "ONBUILD's warning goes to the sink");
        ok(sk.warn.s &&
               strstr(sk.warn.s, "[Warning] One or more build-args [EL_UNUSED] were not consumed"),
           "the unused build-arg warning goes to the sink");
        free(id);
        id = NULL;

        struct compose_project *pp = load("services:\n"
                                          "  here: {image: \"elunit:1\"}\n"
                                          "  gone: {image: \"el-none:1\"}\n"
                                          "  always: {image: \"elunit:1\", pull_policy: always}\n"
                                          "  never: {image: \"el-none:1\", pull_policy: never}\n"
                                          "  built: {image: \"el-none:1\", pull_policy: build}\n");
        if (ok(pp != NULL, "pull project loads")) {
                const struct compose_service *here = compose_project_service(pp, "here");
                const struct compose_service *gone = compose_project_service(pp, "gone");
                ok(!service_wants_pull(here, COMPOSE_PULL_POLICY),
                   "missing: a present image stays");
                ok(service_wants_pull(gone, COMPOSE_PULL_POLICY),
                   "missing: an absent one is pulled");
                ok(service_wants_pull(compose_project_service(pp, "always"), COMPOSE_PULL_POLICY),
                   "pull_policy always: pulled though present");
                ok(!service_wants_pull(compose_project_service(pp, "never"), COMPOSE_PULL_POLICY),
                   "pull_policy never: not pulled though absent");
                ok(!service_wants_pull(compose_project_service(pp, "built"), COMPOSE_PULL_ALWAYS),
                   "--pull always leaves pull_policy build alone");
                ok(service_wants_pull(here, COMPOSE_PULL_ALWAYS), "--pull always pulls");
                ok(!service_wants_pull(gone, COMPOSE_PULL_NEVER), "--pull never never pulls");
                ok(!service_wants_pull(here, COMPOSE_PULL_MISSING) &&
                       service_wants_pull(gone, COMPOSE_PULL_MISSING),
                   "--pull missing: only the absent one");
                compose_project_free(pp);
        }

        struct sink q = {0};
        r = build(ctx, "FROM scratch\nLABEL a=b\n", true, &q, &printed, &id, &err);
        ok(r == 0 && !q.text.len && !q.warn.len && printed == 0, "quiet: nothing at all");
        free(id);
        id = NULL;

        struct sink f = {0};
        r = build(ctx, "FROM el-missing:1\nRUN true\n", false, &f, &printed, &id, &err);
        ok(r < 0 && f.pulls == 1 && f.runs == 0, "a missing FROM image is the sink's to fetch");
        ok(strstr(err.msg, "no image el-missing:1 here") != NULL, "and its error is returned");
        is_int(printed, 0, "nothing reached stdout/stderr");
        sb_free(&sk.text);
        sb_free(&sk.warn);
        sb_free(&f.text);
        sb_free(&f.warn);
        if (rm_rf(root, &err) < 0)
                tap_diag("%s", err.msg);
}

/* The pulls as text: "image:service,service[~]" (~: soft), joined by spaces. */
static const char *pulls_text(const struct compose_project *p, char **names, int n, bool ignore)
{
        static char buf[512];
        struct service_pulls sp;
        buf[0] = '\0';
        service_pulls_make(p, names, n, COMPOSE_PULL_ALWAYS, ignore, &sp);
        for (size_t i = 0; i < sp.n; i++) {
                strncat(buf, i ? " " : "", sizeof(buf) - strlen(buf) - 1);
                strncat(buf, sp.v[i].s->image, sizeof(buf) - strlen(buf) - 1);
                for (size_t k = 0; k < sp.v[i].services.n; k++) {
                        strncat(buf, k ? "," : ":", sizeof(buf) - strlen(buf) - 1);
                        strncat(buf, sp.v[i].services.v[k], sizeof(buf) - strlen(buf) - 1);
                }
                if (sp.v[i].soft)
                        strncat(buf, "~", sizeof(buf) - strlen(buf) - 1);
        }
        service_pulls_free(&sp);
        return buf;
}

static void test_pulls(void)
{
        struct compose_project *p =
            load("services:\n"
                 "  a:\n    image: busybox\n"
                 "  b:\n    image: docker.io/library/busybox:latest\n"
                 "  c:\n    image: alpine\n    build: .\n"
                 "  d:\n    build: .\n"
                 "  e:\n    image: nginx\n    pull_policy: build\n    build: .\n");
        if (!p)
                return;
        is_str(pulls_text(p, NULL, 0, false), "busybox:a,b alpine:c~",
               "one pull per image; none for a built image or pull_policy build; build: makes "
               "a failure soft");
        char *b[] = {"b"};
        is_str(pulls_text(p, b, 1, false), "docker.io/library/busybox:latest:b",
               "only the services named");
        is_str(pulls_text(p, NULL, 0, true), "busybox:a,b~ alpine:c~",
               "--ignore-pull-failures: every failure is soft");
        ok(compose_selected("x", NULL, 0) && !compose_selected("x", b, 1) &&
               compose_selected("b", b, 1),
           "compose_selected: no names select all");
        struct service_pulls none;
        char *nobody[] = {"d"};
        service_pulls_make(p, nobody, 1, COMPOSE_PULL_ALWAYS, false, &none);
        service_pulls_run(&none, 0, NULL);
        ok(none.n == 0, "nothing to pull: the run does nothing");
        service_pulls_free(&none);
        compose_project_free(p);
}

int main(void)
{
        test_project();
        test_build_opts();
        test_build_out();
        test_pulls();
        return tap_done();
}
