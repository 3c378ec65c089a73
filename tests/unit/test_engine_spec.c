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
        strv_kv_set(&env, "A", "1");
        strv_kv_set(&env, "B", "2");
        strv_kv_set(&env, "A", "3");
        strv_kv_set(&env, "AB", "4");
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

#define CTR_ID "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"

static long long hc_int(json_t *hc, const char *k)
{
        return json_integer_value(json_object_get(hc, k));
}

/* Security and resources: checked with Docker's rules, rendered in the
 * document shape each front end has always written. */
static void test_host(void)
{
        struct rt_image img;
        struct ctr_spec sp;
        json_t *j = NULL;
        err_t err;
        fake_image(&img);
        ctr_spec_init(&sp, "img", &img);
        sp.name = "h";
        struct ctr_host *h = &sp.host;
        const char *id = CTR_ID;
        h->memory = 64 << 20;
        h->nano_cpus = 1500000000;
        strv_push(&h->cap_add, "NET_ADMIN");
        strv_push(&h->sysctls, "net.ipv4.ip_forward=1");
        ctr_host_add_ulimit(h, "nofile", 1024, -1);
        ok(ctr_host_check(h, &err) == 0, "a valid host part checks");
        ok(ctr_spec_render(&sp, id, &j, &err) == 0, "render");
        json_t *hc = json_object_get(j, "HostConfig");
        ok(hc_int(hc, "Memory") == 64 << 20 && hc_int(hc, "NanoCpus") == 1500000000 &&
               hc_int(hc, "ShmSize") == 64 << 20 && hc_int(hc, "PidsLimit") == 4096,
           "limits, and the defaults of shm and pids");
        ok(json_object_get(hc, "MemorySwap") && json_object_get(hc, "CpusetCpus") &&
               !json_object_get(hc, "MemoryReservation"),
           "run's shape: MemorySwap and CpusetCpus always, no MemoryReservation");
        is_str(jpath_str(json_object_get(hc, "Sysctls"), "net.ipv4.ip_forward", NULL), "1",
               "sysctls");
        json_t *ul = json_array_get(json_object_get(hc, "Ulimits"), 0);
        ok(hc_int(ul, "Hard") == -1 && hc_int(ul, "Soft") == 1024, "ulimit, -1 unlimited");
        json_decref(j);
        j = NULL;

        strv_free(&h->sysctls);
        h->compose_shape = true;
        ok(ctr_spec_render(&sp, id, &j, &err) == 0, "render in compose's shape");
        hc = json_object_get(j, "HostConfig");
        ok(!json_object_get(hc, "MemorySwap") && !json_object_get(hc, "CpusetCpus") &&
               json_object_get(hc, "MemoryReservation") &&
               json_object_size(json_object_get(hc, "Sysctls")) == 0 &&
               json_object_get(hc, "Sysctls"),
           "compose's shape: unset swap/cpuset left out, Sysctls even when empty");
        json_decref(j);
        j = NULL;

        h->memory = 0;
        h->has_memory_swap = true;
        h->memory_swap = 128 << 20;
        ok(ctr_host_check(h, &err) < 0, "a swap limit without a memory limit fails");
        is_str(err.msg, "you should always set the memory limit when using the memoryswap limit",
               "docker's words");
        h->memory = 256 << 20;
        ok(ctr_host_check(h, &err) < 0, "swap below memory fails");
        h->has_memory_swap = false;
        h->memory = 1 << 20;
        ok(ctr_host_check(h, &err) < 0, "memory below 6MB fails");
        is_str(err.msg, "minimum memory limit allowed is 6MB", "its words");
        h->memory = 0;
        strv_push(&h->cap_add, "NOT_A_CAP");
        ok(ctr_host_check(h, &err) < 0, "an unknown capability fails");
        strv_free(&h->cap_add);
        strv_push(&h->sysctls, "net.ipv4.ip_forward=1");
        h->host_network = true;
        ok(ctr_host_check(h, &err) < 0, "a namespaced net.* sysctl with the host's network fails");
        ctr_spec_free(&sp);
        fake_image_free(&img);
}

static void test_health_over(void)
{
        struct rt_image img;
        struct ctr_spec sp;
        struct rt_healthcheck ih = {0};
        fake_image(&img);
        strv_push(&ih.test, "CMD");
        strv_push(&ih.test, "true");
        ih.interval_ns = 5000000000LL;
        ih.timeout_ns = -7;
        ih.retries = 2;
        img.config.healthcheck = &ih;

        ctr_spec_init(&sp, "busybox", &img);
        struct ctr_health_over ov = {0};
        ov.v[CTR_HEALTH_INTERVAL] = 9;
        ov.has[CTR_HEALTH_INTERVAL] = true;
        ctr_spec_health_over_image(&sp, &ov);
        ok(sp.has_health && sp.health.test.n == 2 && !strcmp(sp.health.test.v[1], "true"),
           "no test given: the image's");
        ok(sp.health.interval_ns == 9 && sp.health.retries == 2 && sp.health.timeout_ns == -7,
           "a field given wins, the others are the image's");
        ctr_spec_free(&sp);

        ctr_spec_init(&sp, "busybox", &img);
        strv_t test = STRV_INIT;
        strv_push(&test, "CMD-SHELL");
        strv_push(&test, "exit 0");
        struct ctr_health_over ov2 = {.test = &test, .no_negative = true};
        ov2.v[CTR_HEALTH_RETRIES] = 0;
        ov2.has[CTR_HEALTH_RETRIES] = true;
        ctr_spec_health_over_image(&sp, &ov2);
        ok(sp.health.test.n == 2 && !strcmp(sp.health.test.v[0], "CMD-SHELL"), "a test given wins");
        ok(sp.health.retries == 0 && sp.health.timeout_ns == 0 &&
               sp.health.interval_ns == 5000000000LL,
           "no_negative records an image's negative value as 0; a given 0 stays 0");
        strv_free(&test);
        ctr_spec_free(&sp);

        img.config.healthcheck = NULL;
        ctr_spec_init(&sp, "busybox", &img);
        struct ctr_health_over ov3 = {0};
        ctr_spec_health_over_image(&sp, &ov3);
        ok(sp.has_health && sp.health.test.n == 0 && sp.health.interval_ns == 0,
           "without an image healthcheck nothing given is 0");
        ctr_spec_free(&sp);
        strv_free(&ih.test);
        fake_image_free(&img);
}

int main(void)
{
        test_env();
        test_render();
        test_host();
        test_health_over();
        return tap_done();
}
