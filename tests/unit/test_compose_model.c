/* Unit tests: compose model decoding, short -> long normalization, profiles,
 * validation messages and the service config hash. */
#include <stdlib.h>
#include <string.h>

#include "base/duration.h"
#include "base/size.h"
#include "compose/emit.h"
#include "compose/hash.h"
#include "compose/model.h"
#include "compose_text.h"

static char *env_home[] = {"HOME=/home/u", "FROM_ENV=shell", NULL};

static struct compose_project *load_opts(const char *yaml, const char *const *profiles,
                                         size_t nprofiles, err_t *err)
{
        struct compose_model_opts o = {.project_name = "proj",
                                       .working_dir = "/wd",
                                       .home = "/home/u",
                                       .environment = env_home,
                                       .profiles = profiles,
                                       .nprofiles = nprofiles};
        return project_from_yaml(yaml, &o, err);
}

static struct compose_project *load(const char *yaml, err_t *err)
{
        return load_opts(yaml, NULL, 0, err);
}

/* Compact sorted JSON of a path inside the document, for comparisons. */
static char *at(const struct compose_project *p, const char *svc, const char *key)
{
        json_t *v =
            json_object_get(json_object_get(json_object_get(p->json, "services"), svc), key);
        if (!v)
                return strdup("(absent)");
        return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

#define CHECK(yaml, svc, key, want, name)                                                          \
        do {                                                                                       \
                err_t e_;                                                                          \
                struct compose_project *p_ = load(yaml, &e_);                                      \
                if (!p_) {                                                                         \
                        ok(0, "%s", name);                                                         \
                        tap_diag("error: %s", e_.msg);                                             \
                        break;                                                                     \
                }                                                                                  \
                char *got_ = at(p_, svc, key);                                                     \
                is_str(got_, want, "%s", name);                                                    \
                free(got_);                                                                        \
                compose_project_free(p_);                                                          \
        } while (0)

#define FAILS(yaml, want, name)                                                                    \
        do {                                                                                       \
                err_t e_;                                                                          \
                struct compose_project *p_ = load(yaml, &e_);                                      \
                ok(p_ == NULL, "%s fails", name);                                                  \
                if (!p_)                                                                           \
                        is_str(e_.msg, want, "%s message", name);                                  \
                compose_project_free(p_);                                                          \
        } while (0)

static void test_ports(void)
{
        CHECK("services: {web: {image: x, ports: ['8080:80']}}", "web", "ports",
              "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":\"8080\",\"target\":80}]",
              "port host:container");
        CHECK("services: {web: {image: x, ports: ['127.0.0.1:8080:80/udp']}}", "web", "ports",
              "[{\"host_ip\":\"127.0.0.1\",\"mode\":\"ingress\",\"protocol\":\"udp\","
              "\"published\":\"8080\",\"target\":80}]",
              "port ip:host:container/proto");
        CHECK("services: {web: {image: x, ports: [80]}}", "web", "ports",
              "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"target\":80}]", "port as number");
        CHECK("services: {web: {image: x, ports: ['8000-8001:9000-9001']}}", "web", "ports",
              "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":\"8000\",\"target\":9000},"
              "{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":\"8001\",\"target\":9001}]",
              "port ranges expand");
        CHECK("services: {web: {image: x, ports: ['9000-9010:80']}}", "web", "ports",
              "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":\"9000-9010\","
              "\"target\":80}]",
              "host range for one container port");
        CHECK("services: {web: {image: x, ports: ['[::1]:53:53/udp']}}", "web", "ports",
              "[{\"host_ip\":\"::1\",\"mode\":\"ingress\",\"protocol\":\"udp\","
              "\"published\":\"53\",\"target\":53}]",
              "IPv6 host ip");
        CHECK("services: {web: {image: x, ports: [{target: 80, published: 8080}]}}", "web", "ports",
              "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":\"8080\",\"target\":80}]",
              "long syntax gets defaults, published as string");
        FAILS("services:\n  web:\n    image: x\n    ports: ['80800:80']\n",
              "compose.yaml:4:13: services.web.ports[0]: invalid port \"80800:80\": must be "
              "1-65535",
              "port out of range");
}

static void test_volumes(void)
{
        CHECK("services: {web: {image: x, volumes: ['./data:/data:ro']}}", "web", "volumes",
              "[{\"bind\":{\"create_host_path\":true},\"read_only\":true,\"source\":\"/wd/data\","
              "\"target\":\"/data\",\"type\":\"bind\"}]",
              "relative bind");
        CHECK("services: {web: {image: x, volumes: ['~/cfg:/cfg']}}", "web", "volumes",
              "[{\"bind\":{\"create_host_path\":true},\"source\":\"/home/u/cfg\","
              "\"target\":\"/cfg\",\"type\":\"bind\"}]",
              "~ expansion");
        CHECK("services: {web: {image: x, volumes: ['db:/var/lib/db:nocopy']}}\nvolumes: {db: {}}",
              "web", "volumes",
              "[{\"source\":\"db\",\"target\":\"/var/lib/db\",\"type\":\"volume\","
              "\"volume\":{\"nocopy\":true}}]",
              "named volume");
        CHECK("services: {web: {image: x, volumes: ['/etc/x/:/x/./']}}", "web", "volumes",
              "[{\"bind\":{\"create_host_path\":true},\"source\":\"/etc/x/\","
              "\"target\":\"/x\",\"type\":\"bind\"}]",
              "absolute source kept as written, target cleaned");
        CHECK("services: {web: {image: x, volumes: ['/anon']}}", "web", "volumes",
              "[{\"target\":\"/anon\",\"type\":\"volume\",\"volume\":{}}]", "anonymous volume");
        CHECK(
            "services: {web: {image: x, volumes: [{type: tmpfs, target: /t, tmpfs: {size: 64m}}]}}",
            "web", "volumes",
            "[{\"target\":\"/t\",\"tmpfs\":{\"size\":67108864},\"type\":\"tmpfs\"}]", "tmpfs size");
        CHECK("services: {web: {image: x, volumes: [{type: bind, source: ../up, target: /u, "
              "bind: {propagation: rslave}}]}}",
              "web", "volumes",
              "[{\"bind\":{\"create_host_path\":true,\"propagation\":\"rslave\"},"
              "\"source\":\"/up\",\"target\":\"/u\",\"type\":\"bind\"}]",
              "long bind resolves the source");
        FAILS("services: {web: {image: x, volumes: ['data:/d']}}",
              "compose.yaml:1:38: services.web.volumes[0]: service \"web\" refers to undefined "
              "volume \"data\"",
              "undefined volume");
}

static void test_maps(void)
{
        CHECK("services: {web: {image: x, environment: [A=1, B, C=]}}", "web", "environment",
              "{\"A\":\"1\",\"B\":null,\"C\":\"\"}", "environment list");
        CHECK("services: {web: {image: x, environment: {A: 1, B: true, C: null, FROM_ENV: }}}",
              "web", "environment",
              "{\"A\":\"1\",\"B\":\"true\",\"C\":null,\"FROM_ENV\":\"shell\"}",
              "environment map, null resolved from the environment");
        CHECK("services: {web: {image: x, labels: [a=b, c]}}", "web", "labels",
              "{\"a\":\"b\",\"c\":\"\"}", "labels list");
        CHECK("services: {web: {image: x, extra_hosts: ['h:1.2.3.4', 'g=::1']}}", "web",
              "extra_hosts", "[\"g=::1\",\"h=1.2.3.4\"]", "extra_hosts");
        CHECK("services: {web: {image: x, sysctls: [net.core.somaxconn=1024]}}", "web", "sysctls",
              "{\"net.core.somaxconn\":\"1024\"}", "sysctls list");
        CHECK("services: {web: {image: x, networks: [a]}}\nnetworks: {a: }", "web", "networks",
              "{\"a\":null}", "networks list");
        CHECK("services: {web: {image: x}}", "web", "networks", "{\"default\":null}",
              "default network");
        CHECK("services: {web: {image: x, ulimits: {nofile: {soft: 1, hard: 2}, nproc: 5}}}", "web",
              "ulimits", "{\"nofile\":{\"hard\":2,\"soft\":1},\"nproc\":5}", "ulimits");
}

static void test_misc(void)
{
        CHECK("services: {a: {image: x, depends_on: [b]}, b: {image: x}}", "a", "depends_on",
              "{\"b\":{\"condition\":\"service_started\",\"required\":true}}", "depends_on list");
        CHECK("services: {a: {image: x, depends_on: {b: {condition: service_healthy, required: "
              "false}}}, b: {image: x}}",
              "a", "depends_on", "{\"b\":{\"condition\":\"service_healthy\",\"required\":false}}",
              "depends_on map");
        CHECK("services: {a: {image: x, depends_on: {b: {required: false}, c: {}}}, c: {image: x}}",
              "a", "depends_on", "{\"c\":{\"condition\":\"service_started\",\"required\":true}}",
              "optional dependency on a missing service is dropped");
        CHECK("services: {a: {image: x, network_mode: 'service:b'}, b: {image: x}}", "a",
              "depends_on",
              "{\"b\":{\"condition\":\"service_started\",\"required\":true,\"restart\":true}}",
              "network_mode service:b depends on b");
        CHECK("services: {a: {image: x, network_mode: 'service:b', depends_on: {b: {condition: "
              "service_healthy}}}, b: {image: x}}",
              "a", "depends_on", "{\"b\":{\"condition\":\"service_healthy\",\"required\":true}}",
              "network_mode service:b keeps an explicit dependency");
        CHECK("services: {a: {image: x, network_mode: 'container:b'}}", "a", "depends_on",
              "(absent)", "network_mode container:b adds no dependency");
        CHECK("services: {web: {image: x, healthcheck: {test: curl -f x, interval: 90s, "
              "timeout: 1h, start_period: 500ms, retries: 3}}}",
              "web", "healthcheck",
              "{\"interval\":\"1m30s\",\"retries\":3,\"start_period\":\"500ms\",\"test\":[\"CMD-"
              "SHELL\",\"curl -f x\"],\"timeout\":\"1h0m0s\"}",
              "healthcheck");
        CHECK("services: {web: {image: x, command: \"sh -c 'echo \\\"hi there\\\"' x\\\\ y\"}}",
              "web", "command", "[\"sh\",\"-c\",\"echo \\\"hi there\\\"\",\"x y\"]",
              "command shell split");
        CHECK("services: {web: {image: x}}", "web", "command", "null", "command unset is null");
        CHECK("services: {web: {build: ./app}}", "web", "build",
              "{\"context\":\"/wd/app\",\"dockerfile\":\"Dockerfile\"}", "build string");
        CHECK("services: {web: {image: x, expose: [3306, '8000-8001']}}", "web", "expose",
              "[\"3306\",\"8000-8001\"]", "expose as strings");
        CHECK("services: {web: {image: x, secrets: [s]}}\nsecrets: {s: {file: ./s.txt}}", "web",
              "secrets", "[{\"source\":\"s\",\"target\":\"/run/secrets/s\"}]", "secret short");
        CHECK("services: {web: {image: x, shm_size: 1g, stop_grace_period: 1m30s}}", "web",
              "shm_size", "1073741824", "byte size");
        CHECK("services: {web: {image: x, x-custom: {b: 1, a: [yes]}}}", "web", "x-custom",
              "{\"a\":[\"yes\"],\"b\":1}", "extensions kept");
}

static void test_values(void)
{
        int64_t v;
        err_t e;
        ok(parse_duration("1m30s", &v, &e) == 0 && v == 90000000000LL, "1m30s");
        ok(parse_duration("1.5h", &v, &e) == 0 && v == 5400000000000LL, "1.5h");
        ok(parse_duration("10", &v, &e) < 0, "duration without unit fails");
        ok(parse_duration("3x", &v, &e) < 0, "unknown unit fails");
        char *s = compose_format_duration(3723500000000LL);
        is_str(s, "1h2m3.5s", "format 1h2m3.5s");
        free(s);
        s = compose_format_duration(1500);
        is_str(s, "1.5\xc2\xb5s", "format microseconds");
        free(s);
        s = compose_format_duration(0);
        is_str(s, "0s", "format zero");
        free(s);
        ok(bytes_parse("64m", &v, &e) == 0 && v == 64 << 20, "64m");
        ok(bytes_parse("1GB", &v, &e) == 0 && v == 1LL << 30, "1GB");
        ok(bytes_parse("512", &v, &e) == 0 && v == 512, "512");
        ok(bytes_parse("12q", &v, &e) < 0, "bad size fails");
        strv_t w = STRV_INIT;
        ok(compose_shell_split("a 'b c' \"d\\\"e\" ''", &w, &e) == 0 && w.n == 4 &&
               !strcmp(w.v[1], "b c") && !strcmp(w.v[2], "d\"e") && !strcmp(w.v[3], ""),
           "shell split");
        strv_free(&w);
        ok(compose_shell_split("a 'b", &w, &e) < 0, "unterminated quote fails");
        strv_free(&w);
}

static void test_typed(void)
{
        err_t e;
        struct compose_project *p =
            load("services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n"
                 "    volumes: ['./d:/d', 'v:/v']\n    depends_on: [db]\n    scale: 2\n"
                 "    healthcheck: {test: [CMD, true], interval: 5s}\n"
                 "    logging: {driver: json-file, options: {max-size: 10m}}\n"
                 "    devices: ['/dev/fuse']\n    attach: false\n"
                 "  db: {image: db, command: run it}\nvolumes: {v: }\n",
                 &e);
        if (!ok(p != NULL, "typed project loads")) {
                tap_diag("%s", e.msg);
                return;
        }
        const struct compose_service *web = compose_project_service(p, "web");
        const struct compose_service *db = compose_project_service(p, "db");
        ok(web && db && p->nservices == 2, "services present");
        is_str(p->services[0].name, "db", "services sorted");
        is_int(web->nports, 1, "one port");
        is_int(web->ports[0].target, 80, "port target");
        is_str(web->ports[0].published, "8080", "port published");
        is_int(web->nvolumes, 2, "two mounts");
        ok(web->volumes[0].type == COMPOSE_MOUNT_BIND && web->volumes[0].create_host_path,
           "bind mount");
        is_str(web->volumes[0].source, "/wd/d", "bind source resolved");
        ok(web->volumes[1].type == COMPOSE_MOUNT_VOLUME, "volume mount");
        is_int(web->ndepends_on, 1, "depends_on");
        ok(web->depends_on[0].condition == COMPOSE_DEP_STARTED && web->depends_on[0].required,
           "dependency defaults");
        is_int(web->scale, 2, "scale");
        is_int(web->healthcheck.interval_ns, 5000000000LL, "healthcheck interval");
        ok(!web->has_command && db->has_command && db->command.n == 2, "command");
        is_str(p->networks[0].name, "proj_default", "default network name");
        is_str(p->volumes[0].name, "proj_v", "volume name");
        is_str(web->logging_driver, "json-file", "logging driver");
        ok(web->logging_options.n == 1 && !strcmp(web->logging_options.v[0].value, "10m"),
           "logging options");
        ok(web->ndevices == 1 && !strcmp(web->devices[0].target, "/dev/fuse") &&
               !strcmp(web->devices[0].permissions, "rwm"),
           "device short syntax");
        ok(!web->attach && db->attach, "attach");
        compose_project_free(p);
}

static void test_profiles(void)
{
        const char *yaml = "services:\n  a: {image: x}\n  b: {image: x, profiles: [dev]}\n"
                           "  c: {image: x, profiles: [debug], depends_on: [b]}\n";
        err_t e;
        struct compose_project *p = load(yaml, &e);
        ok(p && p->nservices == 1 && compose_project_service(p, "a"), "no profile: only a");
        ok(p && strv_contains(&p->disabled_services, "b"), "b reported disabled");
        compose_project_free(p);
        const char *dev[] = {"dev"};
        p = load_opts(yaml, dev, 1, &e);
        ok(p && p->nservices == 2, "dev: a and b");
        compose_project_free(p);
        const char *debug[] = {"debug"};
        p = load_opts(yaml, debug, 1, &e);
        ok(!p, "debug alone: c needs disabled b");
        if (!p)
                is_str(e.msg,
                       "compose.yaml:4:49: services.c.depends_on[0]: service \"c\" depends on "
                       "service \"b\", which is disabled by its profiles (enable one with "
                       "--profile)",
                       "message names the disabled dependency");
        compose_project_free(p);
        const char *all[] = {"*"};
        p = load_opts(yaml, all, 1, &e);
        ok(p && p->nservices == 3, "* enables all");
        compose_project_free(p);
}

static void test_errors(void)
{
        FAILS("services:\n  web:\n    imgae: nginx\n",
              "compose.yaml:3:5: services.web: additional property \"imgae\" is not allowed (did "
              "you mean \"image\"?)",
              "unknown key with suggestion");
        FAILS("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n",
              "compose.yaml:2:30: services.a.depends_on[0]: dependency cycle: a -> b -> a",
              "cycle");
        {
                err_t e;
                struct compose_project *p = load("services:\n  a: {image: x, network_mode: "
                                                 "'service:b'}\n  b: {image: x, depends_on: [a]}\n",
                                                 &e);
                ok(!p && strstr(e.msg, "dependency cycle: a -> b -> a"),
                   "network_mode service: takes part in the cycle check");
                if (p)
                        compose_project_free(p);
        }
        FAILS("services:\n  a:\n    image: x\n    container_name: one\n    scale: 2\n",
              "compose.yaml:4:21: services.a.container_name: container_name \"one\" cannot be "
              "used with 2 replicas: container names must be unique",
              "container_name with scale");
}

static void test_hash(void)
{
        err_t e;
        char h1[COMPOSE_HASH_LEN + 1], h2[COMPOSE_HASH_LEN + 1], h3[COMPOSE_HASH_LEN + 1];
        struct compose_project *a =
            load("services: {web: {image: x, ports: ['8080:80'], environment: [A=1, B=2]}}", &e);
        struct compose_project *b =
            load("services:\n  web:\n    scale: 3\n    environment: {B: 2, A: '1'}\n"
                 "    ports: [{target: 80, published: '8080', protocol: tcp}]\n    image: x\n",
                 &e);
        struct compose_project *c =
            load("services: {web: {image: y, ports: ['8080:80'], environment: [A=1, B=2]}}", &e);
        if (!ok(a && b && c, "hash projects load")) {
                compose_project_free(a);
                compose_project_free(b);
                compose_project_free(c);
                return;
        }
        ok(compose_service_hash(a->services[0].json, h1, &e) == 0, "hash a");
        ok(compose_service_hash(b->services[0].json, h2, &e) == 0, "hash b");
        ok(compose_service_hash(c->services[0].json, h3, &e) == 0, "hash c");
        is_int(strlen(h1), 64, "hash is 64 hex digits");
        is_str(h1, h2, "short/long syntax, key order and scale do not change the hash");
        ok(strcmp(h1, h3) != 0, "a different image changes the hash");
        const char *all[] = {"*"};
        struct compose_project *d =
            load_opts("services:\n  web:\n    image: x\n    ports: ['8080:80']\n"
                      "    environment: [A=1, B=2]\n    depends_on: [db]\n    profiles: [p]\n"
                      "    pull_policy: always\n  db: {image: db}\n",
                      all, 1, &e);
        char h4[COMPOSE_HASH_LEN + 1] = "";
        if (d)
                compose_service_hash(compose_project_service(d, "web")->json, h4, &e);
        is_str(h4, h1, "depends_on, profiles and pull_policy do not change the hash");
        compose_project_free(d);
        char again[COMPOSE_HASH_LEN + 1];
        compose_service_hash(a->services[0].json, again, &e);
        is_str(h1, again, "hash is stable");
        compose_project_free(a);
        compose_project_free(b);
        compose_project_free(c);
}

static void test_emit(void)
{
        err_t e;
        struct compose_project *p =
            load("services: {web: {image: x, ports: ['8080:80'], environment: {A: 'yes', B: '', "
                 "C: 'a: b'}}}",
                 &e);
        if (!ok(p != NULL, "emit project loads"))
                return;
        char *y = compose_emit_yaml(p->json);
        is_str(
            y,
            "name: proj\nservices:\n  web:\n    environment:\n      A: \"yes\"\n      B: \"\"\n"
            "      C: \"a: b\"\n    image: x\n    networks:\n      default: null\n"
            "    ports:\n      - mode: ingress\n        target: 80\n        published: \"8080\"\n"
            "        protocol: tcp\nnetworks:\n  default:\n    name: proj_default\n",
            "yaml rendering");
        free(y);
        json_t *blk = json_pack("{s:[s,s,s]}", "k", "echo a\necho b", "x\n", " lead\n");
        char *by = compose_emit_yaml(blk);
        is_str(by, "k:\n  - |-\n    echo a\n    echo b\n  - |\n    x\n  - \" lead\\n\"\n",
               "multi-line strings as literal blocks");
        free(by);
        json_decref(blk);
        json_t *raw = json_pack("{s:s,s:[s]}", "a", "x$y", "b", "$$");
        json_t *esc = compose_escape_dollars(raw);
        json_decref(raw);
        char *ej = json_dumps(esc, JSON_COMPACT | JSON_SORT_KEYS);
        is_str(ej, "{\"a\":\"x$$y\",\"b\":[\"$$$$\"]}", "dollars escaped for output");
        free(ej);
        json_decref(esc);
        char *j = compose_emit_json(p->json);
        ok(strstr(j, "\"command\": null") && strstr(j, "\"ipam\": {}"),
           "json keeps null command and empty ipam");
        free(j);
        compose_project_free(p);
}

int main(void)
{
        test_ports();
        test_volumes();
        test_maps();
        test_misc();
        test_values();
        test_typed();
        test_profiles();
        test_errors();
        test_hash();
        test_emit();
        cnode_intern_reset();
        return tap_done();
}
