/* Unit tests for the typed container spec and its renderer (no root, no
 * state: the image is made up in memory). */
#include <stdlib.h>
#include <string.h>

#include "runtime/image.h"
#include "spec.h"
#include "tap.h"

static const char *jpath_str(json_t *j, const char *a, const char *b)
{
        json_t *v = json_object_get(j, a);
        if (b)
                v = json_object_get(v, b);
        return json_string_value(v) ?: "(none)";
}

static void fake_image(struct rt_image *img)
{
        memset(img, 0, sizeof(*img));
        img->id = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        strv_push(&img->config.env, "HOME=/root");
        strv_push(&img->config.cmd, "sh");
        strv_push(&img->config.labels, "from=image");
        strv_push(&img->config.labels, "keep=me");
        strv_push(&img->config.exposed_ports, "80/tcp");
        strv_push(&img->layer_dirs, "/l/2");
        strv_push(&img->layer_dirs, "/l/1");
        img->config.working_dir = "/img";
}

static void fake_image_free(struct rt_image *img)
{
        strv_free(&img->config.env);
        strv_free(&img->config.cmd);
        strv_free(&img->config.labels);
        strv_free(&img->config.exposed_ports);
        strv_free(&img->layer_dirs);
}

static void test_env(void)
{
        strv_t env = STRV_INIT;
        ctr_env_set(&env, "A", "1");
        ctr_env_set(&env, "B", "2");
        ctr_env_set(&env, "A", "3");
        ctr_env_set(&env, "AB", "4");
        ok(env.n == 3 && !strcmp(env.v[0], "A=3") && !strcmp(env.v[1], "B=2") &&
               !strcmp(env.v[2], "AB=4"),
           "env set replaces in place, appends new keys, matches whole keys");
        strv_free(&env);
}

static void test_render(void)
{
        struct rt_image img;
        struct ctr_spec sp;
        json_t *j = NULL;
        err_t err;
        const char *id = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

        fake_image(&img);
        ctr_spec_init(&sp, "busybox", &img);
        ok(sp.proc.env.n == 2 && !strcmp(sp.proc.env.v[0], CTR_DEFAULT_PATH),
           "an image without PATH gets docker's first");
        ok(!strcmp(sp.proc.workdir, "/img") && sp.proc.cmd.n == 1, "image process defaults");
        sp.name = "web";
        strv_push(&sp.proc.entrypoint, "/bin/echo");
        strv_push(&sp.proc.cmd, "x");
        strv_push(&sp.labels, "from=run");
        strv_push(&sp.labels, "bare");
        strv_push(&sp.exposed, "53/udp");
        sp.has_health = true;
        strv_push(&sp.health.test, "CMD-SHELL");
        strv_push(&sp.health.test, "true");
        sp.health.interval_ns = 2000000000LL;
        sp.health.retries = 4;
        ok(restart_policy_parse("on-failure:2", &sp.restart, &err) == 0, "restart");
        ok(ctr_spec_render(&sp, id, &j, &err) == 0, "render");
        is_str(jpath_str(j, "Name", NULL), "/web", "Name has docker's slash");
        is_str(jpath_str(j, "Path", NULL), "/bin/echo", "Path is the entrypoint's first word");
        ok(json_array_size(json_object_get(j, "Args")) == 2, "Args are the rest, then cmd");
        is_str(jpath_str(j, "Config", "Hostname"), "abcdef012345", "hostname from the id");
        is_str(jpath_str(j, "Config", "Image"), "busybox", "Config.Image as asked for");
        is_str(jpath_str(j, "Image", NULL), img.id, "Image is the resolved id");
        json_t *labels = json_object_get(json_object_get(j, "Config"), "Labels");
        is_str(json_string_value(json_object_get(labels, "from")), "run", "a later label wins");
        is_str(json_string_value(json_object_get(labels, "keep")), "me", "image labels kept");
        is_str(json_string_value(json_object_get(labels, "bare")), "", "a bare label is empty");
        json_t *ex = json_object_get(json_object_get(j, "Config"), "ExposedPorts");
        ok(json_object_get(ex, "80/tcp") && json_object_get(ex, "53/udp"),
           "exposed: the image's and the spec's");
        json_t *h = json_object_get(json_object_get(j, "Config"), "Healthcheck");
        ok(json_integer_value(json_object_get(h, "Interval")) == 2000000000LL &&
               json_integer_value(json_object_get(h, "Retries")) == 4 &&
               !json_object_get(h, "Timeout"),
           "healthcheck: set fields only");
        json_t *rp = json_object_get(json_object_get(j, "HostConfig"), "RestartPolicy");
        is_str(json_string_value(json_object_get(rp, "Name")), "on-failure", "restart name");
        ok(json_integer_value(json_object_get(rp, "MaximumRetryCount")) == 2, "restart count");
        is_str(json_string_value(json_object_get(
                   json_object_get(json_object_get(j, "GraphDriver"), "Data"), "LowerDir")),
               "/l/2:/l/1", "lower dirs, top first");
        is_str(jpath_str(json_object_get(j, "State"), "Status", NULL), "created", "created");
        json_decref(j);
        j = NULL;

        strv_free(&sp.health.test);
        strv_push(&sp.health.test, "NONE");
        ok(ctr_spec_render(&sp, id, &j, &err) == 0, "render with the healthcheck disabled");
        h = json_object_get(json_object_get(j, "Config"), "Healthcheck");
        ok(json_object_size(h) == 1 && json_array_size(json_object_get(h, "Test")) == 1,
           "NONE is the whole healthcheck");
        json_decref(j);
        j = NULL;

        strv_free(&sp.proc.entrypoint);
        strv_free(&sp.proc.cmd);
        ok(ctr_spec_render(&sp, id, &j, &err) < 0 && !j, "nothing to run fails");
        is_str(err.msg, "no command specified", "docker's words");
        ctr_spec_free(&sp);
        fake_image_free(&img);
}

int main(void)
{
        test_env();
        test_render();
        return tap_done();
}
