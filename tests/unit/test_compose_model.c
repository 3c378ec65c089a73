/* Unit tests: compose model decoding, short -> long normalization, profiles,
 * validation messages and the service config hash; the decoding cases are in
 * tests/data/compose-model.json. */
#include <stdlib.h>
#include <string.h>

#include "base/duration.h"
#include "base/size.h"
#include "compose/emit.h"
#include "compose/hash.h"
#include "compose/model.h"
#include "compose_text.h"
#include "json_cases.h"

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

/* tests/data/compose-model.json: each case's yaml loads, and the value of
 * key in service is want (compact, sorted) or absent; or it fails with the
 * message error. */
static void model_case(const json_t *file, const json_t *c)
{
        const char *name = jcase_str(c, "name"), *error = jcase_str(c, "error");
        err_t e;
        struct compose_project *p = load(jcase_str(c, "yaml"), &e);
        (void)file;
        if (error) {
                ok(p == NULL, "%s fails", name);
                if (!p)
                        is_str(e.msg, error, "%s message", name);
        } else if (!p) {
                ok(0, "%s", name);
                tap_diag("error: %s", e.msg);
        } else {
                char *want = json_is_true(json_object_get(c, "absent"))
                                 ? strdup("(absent)")
                                 : json_dumps(json_object_get(c, "want"),
                                              JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
                char *got = at(p, jcase_str(c, "service"), jcase_str(c, "key"));
                is_str(got, want, "%s", name);
                free(got);
                free(want);
        }
        compose_project_free(p);
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
        err_t e;
        struct compose_project *p = load("services:\n  a: {image: x, network_mode: "
                                         "'service:b'}\n  b: {image: x, depends_on: [a]}\n",
                                         &e);
        ok(!p && strstr(e.msg, "dependency cycle: a -> b -> a"),
           "network_mode service: takes part in the cycle check");
        if (p)
                compose_project_free(p);
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
        json_cases_each("tests/data/compose-model.json", NULL, model_case);
        test_values();
        test_typed();
        test_profiles();
        test_errors();
        test_hash();
        test_emit();
        cnode_intern_reset();
        return tap_done();
}
