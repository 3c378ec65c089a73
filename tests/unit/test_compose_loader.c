/* Unit tests for compose/loader.c and compose/merge.c: discovery, env,
 * project name, profiles, merge rules, !reset/!override, extends, include. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "compose/loader.h"
#include "compose/node.h"
#include "tap.h"

static char tmp[256];

static void put(const char *rel, const char *text)
{
        char *p = xasprintf("%s/%s", tmp, rel), *slash = strrchr(p, '/');
        err_t e;

        *slash = '\0';
        mkdir_p(p, 0755, &e);
        *slash = '/';
        if (atomic_write_file(p, text, strlen(text), 0644, &e) < 0)
                tap_diag("write %s: %s", p, e.msg);
        free(p);
}

static char *at(const char *rel)
{
        return xasprintf("%s%s%s", tmp, *rel ? "/" : "", rel);
}

static void fresh(void)
{
        err_t e;

        if (tmp[0])
                rm_rf(tmp, &e);
        strcpy(tmp, "/tmp/berth-loader-XXXXXX");
        if (!mkdtemp(tmp))
                abort();
}

struct run {
        const char *files[4];
        const char *envv[6];
        const char *envfiles[2];
        const char *profiles[2];
        const char *name;
        const char *cwd; /* relative to tmp */
        const char *projdir;
        const char *stdin_text;
        bool no_interp;
};

static int load(const struct run *r, struct compose_source *s, err_t *e)
{
        struct compose_load_opts o = {0};
        char *files[4] = {0}, *envv[7] = {0}, *cwd = at(r->cwd ? r->cwd : "");
        char *envfiles[2] = {0}, *projdir = r->projdir ? at(r->projdir) : NULL;
        size_t nf = 0, nenv = 0, nef = 0, np = 0;
        int rc;

        for (; nf < 4 && r->files[nf]; nf++)
                files[nf] = strcmp(r->files[nf], "-") ? at(r->files[nf]) : xstrdup("-");
        for (; nenv < 6 && r->envv[nenv]; nenv++)
                envv[nenv] = xstrdup(r->envv[nenv]);
        for (; nef < 2 && r->envfiles[nef]; nef++)
                envfiles[nef] = at(r->envfiles[nef]);
        while (np < 2 && r->profiles[np])
                np++;
        o.files = (const char *const *)files;
        o.nfiles = nf;
        o.environ = envv;
        o.env_files = (const char *const *)envfiles;
        o.nenv_files = nef;
        o.profiles = r->profiles;
        o.nprofiles = np;
        o.project_name = r->name;
        o.project_dir = projdir;
        o.cwd = cwd;
        o.stdin_text = r->stdin_text;
        o.no_interpolate = r->no_interp;
        err_clear(e);
        rc = compose_load(&o, s, e);
        for (size_t i = 0; i < 4; i++)
                free(files[i]);
        for (size_t i = 0; i < 6; i++)
                free(envv[i]);
        free(envfiles[0]);
        free(envfiles[1]);
        free(projdir);
        free(cwd);
        return rc;
}

/* services.<svc>.<key> */
static const struct cnode *svc_get(const struct compose_source *s, const char *svc, const char *key)
{
        return cnode_map_get(cnode_map_get(cnode_map_get(s->root, "services"), svc), key);
}

/* Items of a sequence joined with ',' ("K=V" for maps). */
static char *flat(const struct cnode *n)
{
        strv_t v = STRV_INIT;
        char *j;

        if (!n)
                return xstrdup("(none)");
        if (n->kind == CN_SCALAR)
                return xstrdup(n->str);
        for (size_t i = 0; i < n->n; i++) {
                const struct cnode *it = n->vals[i];
                if (n->kind == CN_MAP)
                        strv_pushf(&v, "%s=%s", n->keys[i]->str,
                                   it->kind == CN_SCALAR ? it->str
                                   : it->kind == CN_NULL ? "~"
                                                         : "{..}");
                else
                        strv_push(&v, it->kind == CN_SCALAR ? it->str : "{..}");
        }
        j = strv_join(&v, ",");
        strv_free(&v);
        return j;
}

#define is_flat(node, want, ...) is_str_owned(flat(node), want, __VA_ARGS__)

static void test_discovery(void)
{
        struct compose_source s;
        err_t e;
        struct run r = {.cwd = "proj/sub/deeper"};

        fresh();
        put("proj/compose.yaml", "services:\n  web:\n    image: a\n    ports: ['80:80']\n");
        put("proj/compose.override.yaml",
            "services:\n  web:\n    image: b\n    ports: ['81:81']\n");
        put("proj/sub/deeper/.keep", "");
        ok(load(&r, &s, &e) == 0, "discovery in a parent dir: %s", e.msg);
        char *want = at("proj/compose.yaml");
        is_int(s.config_files.n, 2, "base + override");
        is_str(s.config_files.v[0], want, "base file absolute");
        free(want);
        want = at("proj");
        is_str(s.working_dir, want, "working dir is the file's dir");
        free(want);
        is_str(s.name, "proj", "name from dir");
        is_str(svc_get(&s, "web", "image")->str, "b", "override merged after base");
        is_flat(svc_get(&s, "web", "ports"), "80:80,81:81", "ports appended");
        compose_source_free(&s);

        put("proj/docker-compose.yml", "services: {x: {image: y}}\n");
        r.cwd = "proj";
        ok(load(&r, &s, &e) == 0, "two candidates");
        ok(s.warnings.n >= 1 && strstr(s.warnings.v[0], "Found multiple config files"),
           "multiple candidates warn");
        ok(svc_get(&s, "web", "image") != NULL, "compose.yaml preferred");
        compose_source_free(&s);

        fresh();
        r.cwd = "";
        ok(load(&r, &s, &e) < 0 && strstr(e.msg, "no configuration file provided"),
           "nothing found: %s", e.msg);

        /* COMPOSE_FILE with a custom separator, from the environment */
        put("a.yml", "services: {a: {image: a}}\n");
        put("b.yml", "services: {b: {image: b}}\n");
        struct run r2 = {.envv = {"COMPOSE_FILE=a.yml;b.yml", "COMPOSE_PATH_SEPARATOR=;"}};
        ok(load(&r2, &s, &e) == 0, "COMPOSE_FILE: %s", e.msg);
        is_int(s.config_files.n, 2, "COMPOSE_FILE split");
        ok(svc_get(&s, "b", "image") != NULL, "second file loaded");
        compose_source_free(&s);

        /* COMPOSE_FILE from .env */
        put(".env", "COMPOSE_FILE=b.yml\n");
        struct run r3 = {0};
        ok(load(&r3, &s, &e) == 0 && s.config_files.n == 1 && svc_get(&s, "b", "image") &&
               !svc_get(&s, "a", "image"),
           "COMPOSE_FILE from .env: %s", e.msg);
        compose_source_free(&s);

        /* -f - */
        struct run r4 = {.files = {"-"},
                         .stdin_text = "name: fromstdin\nservices: {s: {image: x}}\n"};
        ok(load(&r4, &s, &e) == 0, "stdin: %s", e.msg);
        is_str(s.name, "fromstdin", "stdin content used");
        is_str(s.config_files.v[0], "-", "stdin file name");
        compose_source_free(&s);

        struct run r5 = {.files = {"missing.yml"}};
        ok(load(&r5, &s, &e) < 0 && strstr(e.msg, "missing.yml"), "missing -f: %s", e.msg);
}

static void test_name_env_profiles(void)
{
        struct compose_source s;
        err_t e;

        fresh();
        put("My Proj!/compose.yaml", "services: {a: {image: \"${IMG}:${TAG:-1}\"}}\n");
        struct run r = {.files = {"My Proj!/compose.yaml"}, .envv = {"IMG=busybox"}};
        ok(load(&r, &s, &e) == 0, "load: %s", e.msg);
        is_str(s.name, "myproj", "dir name normalised");
        is_str(svc_get(&s, "a", "image")->str, "busybox:1", "interpolated from process env");
        is_str(cnode_map_get(s.root, "name")->str, "myproj", "root name set");
        compose_source_free(&s);

        put("My Proj!/.env", "IMG=fromdotenv\nCOMPOSE_PROJECT_NAME=dotenvname\n"
                             "COMPOSE_PROFILES=p1, p2\n");
        struct run r2 = {.files = {"My Proj!/compose.yaml"}};
        ok(load(&r2, &s, &e) == 0, "load with .env: %s", e.msg);
        is_str(s.name, "dotenvname", "COMPOSE_PROJECT_NAME from .env");
        is_str(svc_get(&s, "a", "image")->str, "fromdotenv:1", ".env value used");
        is_flat(cnode_map_get(s.root, "services"), "a={..}", "services present");
        is_int(s.profiles.n, 2, "COMPOSE_PROFILES split");
        ok(s.profiles.n == 2 && !strcmp(s.profiles.v[1], "p2"), "profile trimmed");
        compose_source_free(&s);

        struct run r3 = {.files = {"My Proj!/compose.yaml"},
                         .envv = {"IMG=proc", "COMPOSE_PROJECT_NAME=procname"},
                         .profiles = {"cli"}};
        ok(load(&r3, &s, &e) == 0, "load: %s", e.msg);
        is_str(svc_get(&s, "a", "image")->str, "proc:1", "process env beats .env");
        is_str(s.name, "procname", "process COMPOSE_PROJECT_NAME");
        ok(s.profiles.n == 1 && !strcmp(s.profiles.v[0], "cli"),
           "--profile beats COMPOSE_PROFILES");
        ok(strv_contains(&s.environment, "IMG=proc") &&
               strv_contains(&s.environment, "COMPOSE_PROFILES=p1, p2"),
           "environment overlay");
        compose_source_free(&s);

        struct run r4 = {.files = {"My Proj!/compose.yaml"}, .name = "cliname"};
        r4.envv[0] = "COMPOSE_PROJECT_NAME=procname";
        ok(load(&r4, &s, &e) == 0 && !strcmp(s.name, "cliname"), "-p wins");
        ok(strv_contains(&s.environment, "COMPOSE_PROJECT_NAME=cliname"),
           "COMPOSE_PROJECT_NAME set to the project name");
        compose_source_free(&s);
        struct run r5 = {.files = {"My Proj!/compose.yaml"}, .name = "Bad Name"};
        ok(load(&r5, &s, &e) < 0 && strstr(e.msg, "invalid project name \"Bad Name\""),
           "invalid -p: %s", e.msg);
        struct run r6 = {.files = {"My Proj!/compose.yaml"}, .envv = {"COMPOSE_PROJECT_NAME=_x"}};
        ok(load(&r6, &s, &e) < 0 && strstr(e.msg, "invalid project name"),
           "invalid COMPOSE_PROJECT_NAME");

        fresh();
        put("d/compose.yaml", "name: \"${PN:-Top_Name}\"\nversion: '3.8'\n"
                              "services: {a: {image: x, environment: [N=$COMPOSE_PROJECT_NAME, "
                              "U=$UNSET_V]}}\n");
        struct run r7 = {.files = {"d/compose.yaml"}};
        ok(load(&r7, &s, &e) == 0, "load: %s", e.msg);
        is_str(s.name, "top_name", "top-level name interpolated and normalised");
        is_flat(svc_get(&s, "a", "environment"), "N=top_name,U=", "COMPOSE_PROJECT_NAME exposed");
        ok(!cnode_map_get(s.root, "version"), "version removed");
        bool vw = false, uw = false;
        for (size_t i = 0; i < s.warnings.n; i++) {
                vw |= strstr(s.warnings.v[i], "the attribute `version` is obsolete") != NULL;
                uw |= strcmp(s.warnings.v[i], "The \"UNSET_V\" variable is not set. Defaulting "
                                              "to a blank string.") == 0;
        }
        ok(vw, "version warning");
        ok(uw, "unset variable warning");
        compose_source_free(&s);

        struct run r8 = {.files = {"d/compose.yaml"}, .no_interp = true};
        ok(load(&r8, &s, &e) == 0, "no interpolation");
        is_flat(svc_get(&s, "a", "environment"), "N=$COMPOSE_PROJECT_NAME,U=$UNSET_V",
                "values kept raw");
        compose_source_free(&s);

        put("env1", "X=1\nY=$X-y\n");
        put("env2", "X=2\n");
        put("d/x.yaml", "services: {a: {image: \"$X $Y\"}}\n");
        struct run r9 = {.files = {"d/x.yaml"}, .envfiles = {"env1", "env2"}};
        ok(load(&r9, &s, &e) == 0, "--env-file: %s", e.msg);
        is_str(svc_get(&s, "a", "image")->str, "2 1-y", "later env file wins");
        compose_source_free(&s);
        struct run r10 = {.files = {"d/x.yaml"}, .envfiles = {"nope"}};
        ok(load(&r10, &s, &e) < 0 && strstr(e.msg, "Couldn't find env file"), "missing env file");

        put("d/req.yaml", "services:\n  a:\n    image: ${NEED:?please set NEED}\n");
        struct run r11 = {.files = {"d/req.yaml"}};
        ok(load(&r11, &s, &e) < 0, "required variable fails");
        ok(strstr(e.msg, "req.yaml:3:12: services.a.image: required variable NEED is missing a "
                         "value: please set NEED") != NULL,
           "required message: %s", e.msg);
}

static const char *base_yaml = "services:\n"
                               "  web:\n"
                               "    image: a\n"
                               "    command: [a, b]\n"
                               "    entrypoint: /x\n"
                               "    environment: {A: '1', B: '2'}\n"
                               "    labels: [l1=a]\n"
                               "    ports: ['80:80', '90:90']\n"
                               "    expose: ['1']\n"
                               "    volumes: ['v1:/data', './src:/src:ro']\n"
                               "    secrets: [s1]\n"
                               "    configs: [c1]\n"
                               "    dns: 1.1.1.1\n"
                               "    extra_hosts: ['h1=1.2.3.4']\n"
                               "    build: ./dir\n"
                               "    depends_on: [db]\n"
                               "    networks: [front]\n"
                               "    logging: {driver: json-file, options: {max-size: 1m}}\n"
                               "    ulimits: {nofile: {soft: 1, hard: 2}}\n"
                               "    healthcheck: {test: [CMD, a], interval: 5s}\n"
                               "    x-thing: {a: 1}\n"
                               "    cap_add: [NET_ADMIN]\n"
                               "    tmpfs: /t1\n"
                               "  db:\n"
                               "    image: pg\n"
                               "    ports: ['5432:5432']\n"
                               "    environment: [X=1]\n"
                               "networks:\n"
                               "  front:\n"
                               "    ipam: {config: [{subnet: 10.0.0.0/24, gateway: 10.0.0.1}]}\n";

static const char *over_yaml =
    "services:\n"
    "  web:\n"
    "    image: b\n"
    "    command: [c]\n"
    "    entrypoint: [/y]\n"
    "    environment: [B=3, C]\n"
    "    labels: {l2: b}\n"
    "    ports: ['80:80', '91:91']\n"
    "    expose: ['1', '2']\n"
    "    volumes: ['v2:/data', {type: bind, source: ./o, target: /other}]\n"
    "    secrets: [{source: s2, target: /run/secrets/s1}]\n"
    "    configs: [{source: c2, target: /c1}]\n"
    "    dns: [8.8.8.8]\n"
    "    extra_hosts: ['h1=1.2.3.4', 'h2=5.6.7.8']\n"
    "    build: {dockerfile: Other}\n"
    "    depends_on: {cache: {condition: service_healthy}}\n"
    "    networks: {back: {aliases: [x]}}\n"
    "    logging: {options: {max-file: '3'}}\n"
    "    ulimits: {nofile: {soft: 3}}\n"
    "    healthcheck: {test: [CMD, b], retries: 3}\n"
    "    x-thing: {b: 2}\n"
    "    cap_add: [NET_ADMIN, SYS_ADMIN]\n"
    "    tmpfs: [/t2]\n"
    "  db:\n"
    "    ports: !reset []\n"
    "    environment: !override {Y: '2'}\n"
    "    image: !reset null\n"
    "networks:\n"
    "  front:\n"
    "    ipam: {config: [{subnet: 10.0.0.0/24, gateway: 10.0.0.254}]}\n";

static void test_merge(void)
{
        struct compose_source s;
        err_t e;
        const struct cnode *n;

        fresh();
        put("compose.yaml", base_yaml);
        put("over.yaml", over_yaml);
        struct run r = {.files = {"compose.yaml", "over.yaml"}};
        ok(load(&r, &s, &e) == 0, "merge loads: %s", e.msg);
        if (!s.root)
                return;
        is_str(svc_get(&s, "web", "image")->str, "b", "scalar replaced");
        is_flat(svc_get(&s, "web", "command"), "c", "command replaced");
        is_flat(svc_get(&s, "web", "entrypoint"), "/y", "entrypoint replaced");
        is_flat(svc_get(&s, "web", "environment"), "A=1,B=3,C", "environment map+list merged");
        is_flat(svc_get(&s, "web", "labels"), "l1=a,l2=b", "labels list+map merged");
        is_flat(svc_get(&s, "web", "ports"), "80:80,90:90,91:91", "ports unique");
        is_flat(svc_get(&s, "web", "expose"), "1,2", "expose unique");
        is_flat(svc_get(&s, "web", "volumes"), "v2:/data,./src:/src:ro,{..}",
                "volumes unique by target");
        n = svc_get(&s, "web", "secrets");
        ok(n && n->n == 1 && n->vals[0]->kind == CN_MAP, "secret replaced by target");
        n = svc_get(&s, "web", "configs");
        ok(n && n->n == 1 && n->vals[0]->kind == CN_MAP, "config replaced by target");
        is_flat(svc_get(&s, "web", "dns"), "1.1.1.1,8.8.8.8", "dns scalar+list");
        is_flat(svc_get(&s, "web", "extra_hosts"), "h1=1.2.3.4,h2=5.6.7.8",
                "extra_hosts without duplicates");
        is_flat(svc_get(&s, "web", "build"), "context=./dir,dockerfile=Other", "build merged");
        is_flat(svc_get(&s, "web", "depends_on"), "db={..},cache={..}", "depends_on merged");
        is_str(
            cnode_map_get(cnode_map_get(svc_get(&s, "web", "depends_on"), "db"), "condition")->str,
            "service_started", "list depends_on gets the default condition");
        is_flat(svc_get(&s, "web", "networks"), "front=~,back={..}", "networks merged");
        is_flat(cnode_map_get(svc_get(&s, "web", "logging"), "options"), "max-size=1m,max-file=3",
                "logging merged (same driver)");
        is_flat(cnode_map_get(svc_get(&s, "web", "ulimits"), "nofile"), "soft=3",
                "ulimit replaced");
        is_flat(svc_get(&s, "web", "healthcheck"), "test={..},interval=5s,retries=3",
                "healthcheck merged");
        is_flat(cnode_map_get(svc_get(&s, "web", "healthcheck"), "test"), "CMD,b",
                "healthcheck.test replaced");
        is_flat(svc_get(&s, "web", "x-thing"), "a=1,b=2", "x- mapping merged");
        is_flat(svc_get(&s, "web", "cap_add"), "NET_ADMIN,SYS_ADMIN", "cap_add unique");
        is_flat(svc_get(&s, "web", "tmpfs"), "/t1,/t2", "tmpfs scalar+list");
        ok(!svc_get(&s, "db", "ports"), "!reset removes ports");
        ok(!svc_get(&s, "db", "image"), "!reset null removes image");
        is_flat(svc_get(&s, "db", "environment"), "Y=2", "!override replaces");
        n = cnode_map_get(
            cnode_map_get(cnode_map_get(cnode_map_get(s.root, "networks"), "front"), "ipam"),
            "config");
        ok(n && n->n == 1 && !strcmp(cnode_map_get(n->vals[0], "gateway")->str, "10.0.0.254"),
           "ipam config merged by subnet");
        n = svc_get(&s, "web", "image");
        char *over = at("over.yaml");
        is_str(n->pos.file, over, "merged value keeps its file");
        free(over);
        is_int(n->pos.line, 3, "merged value keeps its line");
        compose_source_free(&s);

        put("log.yaml", "services: {web: {logging: {driver: syslog}}}\n");
        struct run r2 = {.files = {"compose.yaml", "log.yaml"}};
        ok(load(&r2, &s, &e) == 0, "logging driver change: %s", e.msg);
        is_flat(svc_get(&s, "web", "logging"), "driver=syslog", "other driver replaces logging");
        compose_source_free(&s);

        put("bad.yaml", "services: {web: {healthcheck: [x]}}\n");
        struct run r3 = {.files = {"compose.yaml", "bad.yaml"}};
        ok(load(&r3, &s, &e) < 0 && strstr(e.msg, "cannot override services.web.healthcheck"),
           "map vs list: %s", e.msg);

        put("single.yaml", "services:\n  a:\n    image: x\n    environment: [A=1, B=2, A=3]\n"
                           "    volumes: [a:/x, b:/x]\n");
        struct run r4 = {.files = {"single.yaml"}};
        ok(load(&r4, &s, &e) == 0, "single: %s", e.msg);
        is_flat(svc_get(&s, "a", "environment"), "A=3,B=2", "duplicates in one file: last wins");
        is_flat(svc_get(&s, "a", "volumes"), "b:/x", "duplicate volume target");
        compose_source_free(&s);

        put("dup.yaml", "services:\n  a:\n    image: x\n    image: y\n");
        struct run r5 = {.files = {"dup.yaml"}};
        ok(load(&r5, &s, &e) < 0 && strstr(e.msg, "dup.yaml:4:5: duplicate key \"image\""),
           "duplicate key with position: %s", e.msg);
        put("list.yaml", "- a\n");
        struct run r6 = {.files = {"list.yaml"}};
        ok(load(&r6, &s, &e) < 0 && strstr(e.msg, "Top-level object must be a mapping"),
           "top-level list");
        put("empty.yaml", "");
        struct run r7 = {.files = {"empty.yaml"}};
        ok(load(&r7, &s, &e) < 0 && strstr(e.msg, "empty compose file"), "empty file");
}

static void test_extends(void)
{
        struct compose_source s;
        err_t e;

        fresh();
        put("app/compose.yaml",
            "services:\n"
            "  base:\n    image: busybox\n    user: root\n    environment: {TZ: utc, PORT: '80'}\n"
            "    volumes: ['common:/data:rw']\n    security_opt: [label:role:ROLE]\n"
            "  common:\n    extends: base\n    image: alpine\n"
            "  cli:\n    extends: {service: common}\n    environment: [PORT=8080]\n"
            "    volumes: ['cli:/data:ro']\n    security_opt: [label:user:USER]\n"
            "  far:\n    extends: {file: ../lib/common.yml, service: svc}\n    image: mine\n"
            "  reset:\n    extends: base\n    user: !reset null\n"
            "  ov:\n    extends: base\n    environment: !override {Z: '1'}\n");
        put("lib/common.yml",
            "services:\n"
            "  root:\n    build: ./ctx\n    env_file: [vars.env]\n    volumes: ['./data:/d', "
            "'named:/n']\n    labels: [from=lib]\n"
            "  svc:\n    extends: root\n    image: '${IMG:-libimg}'\n");
        struct run r = {.files = {"app/compose.yaml"}};
        ok(load(&r, &s, &e) == 0, "extends loads: %s", e.msg);
        if (!s.root)
                return;
        is_str(svc_get(&s, "common", "image")->str, "alpine", "main wins over base");
        is_str(svc_get(&s, "common", "user")->str, "root", "base key inherited");
        is_str(svc_get(&s, "cli", "user")->str, "root", "extends is recursive");
        is_flat(svc_get(&s, "cli", "environment"), "PORT=8080,TZ=utc", "environment merged");
        is_flat(svc_get(&s, "cli", "volumes"), "cli:/data:ro", "volumes by target");
        is_flat(svc_get(&s, "cli", "security_opt"), "label:role:ROLE,label:user:USER",
                "sequences appended");
        ok(!svc_get(&s, "cli", "extends"), "extends removed");
        is_str(svc_get(&s, "far", "image")->str, "mine", "other file: main wins");
        char *want = at("lib/ctx");
        is_str(svc_get(&s, "far", "build")->str, want, "build context rebased");
        free(want);
        want = xasprintf("%s/lib/vars.env", tmp);
        is_flat(svc_get(&s, "far", "env_file"), want, "env_file rebased");
        free(want);
        want = xasprintf("%s/lib/data:/d,named:/n", tmp);
        is_flat(svc_get(&s, "far", "volumes"), want, "bind source rebased, named kept");
        free(want);
        is_flat(svc_get(&s, "far", "labels"), "from=lib", "labels from other file");
        ok(!svc_get(&s, "reset", "user"), "!reset applies to the extended base");
        is_flat(svc_get(&s, "ov", "environment"), "Z=1", "!override replaces the base value");
        ok(!svc_get(&s, "ov", "environment")->tag, "!override tag consumed");
        compose_source_free(&s);

        put("cyc.yaml", "services:\n  a: {extends: b}\n  b: {extends: c}\n  c: {extends: a}\n");
        struct run r2 = {.files = {"cyc.yaml"}};
        ok(load(&r2, &s, &e) < 0, "cycle fails");
        char *cyc = at("cyc.yaml");
        char *want2 = xasprintf("Circular reference:\n  a in %s\n  extends b in %s\n  extends c "
                                "in %s\n  extends a in %s",
                                cyc, cyc, cyc, cyc);
        is_str(e.msg, want2, "cycle message names the chain");
        free(cyc);
        free(want2);
        put("miss.yaml", "services:\n  a: {extends: nope}\n");
        struct run r3 = {.files = {"miss.yaml"}};
        ok(load(&r3, &s, &e) < 0 && strstr(e.msg, "service \"nope\" not found"), "missing base: %s",
           e.msg);
        put("missf.yaml", "services:\n  a: {extends: {file: nofile.yml, service: x}}\n");
        struct run r4 = {.files = {"missf.yaml"}};
        ok(load(&r4, &s, &e) < 0 && strstr(e.msg, "nofile.yml not found"), "missing file: %s",
           e.msg);
}

static void test_include(void)
{
        struct compose_source s;
        err_t e;

        fresh();
        put("main/compose.yaml", "include:\n  - ../inc/compose.yaml\n"
                                 "  - path: ../other/c.yaml\n    env_file: ../other/custom.env\n"
                                 "services:\n  web:\n    image: web\n    depends_on: [db]\n");
        put("inc/compose.yaml", "services:\n  db:\n    image: \"pg:${PGV}\"\n    build: ./db\n"
                                "volumes:\n  data: {}\n");
        put("inc/.env", "PGV=16\n");
        put("other/c.yaml", "services:\n  cache:\n    image: \"redis:${RV}\"\n");
        put("other/custom.env", "RV=7\n");
        struct run r = {.files = {"main/compose.yaml"}, .envv = {"RV=override"}};
        ok(load(&r, &s, &e) == 0, "include loads: %s", e.msg);
        if (!s.root)
                return;
        is_str(svc_get(&s, "db", "image")->str, "pg:16", "included .env used");
        is_str(svc_get(&s, "cache", "image")->str, "redis:override",
               "local env wins over env_file");
        char *want = at("inc/db");
        is_str(svc_get(&s, "db", "build")->str, want, "included paths resolved");
        free(want);
        ok(cnode_map_get(cnode_map_get(s.root, "volumes"), "data") != NULL, "volumes imported");
        ok(!cnode_map_get(s.root, "include"), "include removed");
        compose_source_free(&s);

        put("pdm/compose.yaml", "include:\n  - path: [../inc2/c.yaml, ../inc2/o.yaml]\n"
                                "    project_directory: ../pd\n"
                                "services: {web: {image: w}}\n");
        put("inc2/c.yaml", "services:\n  x:\n    build: ./ctx\n    image: \"${V:-none}\"\n");
        put("inc2/o.yaml", "services:\n  x:\n    labels: [o=1]\n");
        put("pd/.env", "V=frompd\n");
        struct run r5 = {.files = {"pdm/compose.yaml"}};
        ok(load(&r5, &s, &e) == 0, "include with project_directory: %s", e.msg);
        want = at("pd/ctx");
        if (s.root) {
                is_str(svc_get(&s, "x", "build")->str, want, "paths relative to project_directory");
                is_str(svc_get(&s, "x", "image")->str, "frompd", ".env of project_directory");
                is_flat(svc_get(&s, "x", "labels"), "o=1", "include path list merged");
        }
        free(want);
        compose_source_free(&s);

        put("ext/compose.yaml", "include: [../inc/compose.yaml]\n"
                                "services:\n  db2:\n    extends: db\n    image: mine\n");
        struct run r6 = {.files = {"ext/compose.yaml"}};
        ok(load(&r6, &s, &e) == 0, "extends an included service: %s", e.msg);
        want = at("inc/db");
        if (s.root)
                is_str(svc_get(&s, "db2", "build")->str, want, "included base inherited");
        free(want);
        compose_source_free(&s);

        put("conf/compose.yaml",
            "include: [../inc/compose.yaml]\nservices:\n  db: {image: other}\n");
        struct run r2 = {.files = {"conf/compose.yaml"}};
        ok(load(&r2, &s, &e) < 0 && strstr(e.msg, "services.db conflicts with imported resource"),
           "conflict: %s", e.msg);

        put("cy/a.yaml", "include: [b.yaml]\nservices: {a: {image: a}}\n");
        put("cy/b.yaml", "include: [a.yaml]\nservices: {b: {image: b}}\n");
        struct run r3 = {.files = {"cy/a.yaml"}};
        ok(load(&r3, &s, &e) < 0 && strstr(e.msg, "include cycle detected"), "include cycle");
        put("m2/compose.yaml", "include: [missing.yaml]\nservices: {a: {image: a}}\n");
        struct run r4 = {.files = {"m2/compose.yaml"}};
        ok(load(&r4, &s, &e) < 0 && strstr(e.msg, "missing.yaml"), "missing include: %s", e.msg);
}

/* issue 9 item 11: hostile compose input has budgets, never a crash or an
 * exponential load. */
static void test_hostile_input(void)
{
        struct compose_source s;
        err_t e;
        strbuf_t sb = STRBUF_INIT;

        fresh();
        /* a 654-byte .env whose every line doubles the previous value */
        sb_append(&sb, "A0=xxxxxxxxxxxxxxxx\n");
        for (int i = 1; i < 40; i++)
                sb_appendf(&sb, "A%d=${A%d}${A%d}\n", i, i - 1, i - 1);
        ok(sb.len == 654, ".env bomb is 654 bytes (%zu)", sb.len);
        put("bomb/.env", sb_str(&sb));
        put("bomb/compose.yaml", "services:\n  a:\n    image: \"x${A39}\"\n");
        struct run r = {.files = {"bomb/compose.yaml"}};
        ok(load(&r, &s, &e) < 0 && strstr(e.msg, "/bomb/.env:18: interpolated value exceeds 1 MiB"),
           ".env doubling: %s", e.msg);
        compose_source_free(&s);

        /* values under the per-value limit, over the per-file total */
        sb_reset(&sb);
        sb_append(&sb, "A0=");
        for (int i = 0; i < 1000; i++)
                sb_appendc(&sb, 'x');
        sb_append(&sb, "\n");
        for (int i = 1; i < 10; i++)
                sb_appendf(&sb, "A%d=${A%d}${A%d}\n", i, i - 1, i - 1);
        for (int i = 0; i < 40; i++)
                sb_appendf(&sb, "B%d=${A9}${A9}\n", i);
        put("total/.env", sb_str(&sb));
        put("total/compose.yaml", "services:\n  a:\n    image: x\n");
        struct run r2 = {.files = {"total/compose.yaml"}};
        ok(load(&r2, &s, &e) < 0 &&
               strstr(e.msg, "/total/.env:26: the values exceed 16 MiB in total"),
           ".env total: %s", e.msg);
        compose_source_free(&s);

        /* compose values each under 1 MiB, together over 16 MiB */
        sb_reset(&sb);
        sb_append(&sb, "services:\n  a:\n    image: x\n    environment:\n");
        for (int i = 0; i < 48; i++)
                sb_appendf(&sb, "      - V%d=${A9}\n", i);
        put("tree/compose.yaml", sb_str(&sb));
        put("tree/.env", "A0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
                         "A1=${A0}${A0}\nA2=${A1}${A1}\nA3=${A2}${A2}\nA4=${A3}${A3}\n"
                         "A5=${A4}${A4}\nA6=${A5}${A5}\nA7=${A6}${A6}\nA8=${A7}${A7}\n"
                         "A9=${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}"
                         "${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}${A8}\n");
        struct run r3 = {.files = {"tree/compose.yaml"}};
        ok(load(&r3, &s, &e) < 0 && strstr(e.msg, "interpolated values exceed 16 MiB in total"),
           "compose total: %s", e.msg);
        compose_source_free(&s);

        /* a NUL byte in a .env is an error, not a cut value */
        put("nul/compose.yaml", "services:\n  a:\n    image: \"${IMG}\"\n");
        {
                char *p = at("nul/.env");
                ok(atomic_write_file(p, "X=1\nIMG=busybox\0:evil\n", 23, 0644, &e) == 0,
                   "write .env with NUL");
                free(p);
        }
        struct run r4 = {.files = {"nul/compose.yaml"}};
        ok(load(&r4, &s, &e) < 0 && strstr(e.msg, "/nul/.env:2:12: a NUL byte is not allowed"),
           ".env NUL: %s", e.msg);
        compose_source_free(&s);

        /* a chain of files that each include the next one twice */
        for (int i = 1; i <= 30; i++) {
                char name[32], text[128];
                snprintf(name, sizeof(name), "inc/f%d.yaml", i);
                snprintf(text, sizeof(text), "include: [f%d.yaml, f%d.yaml]\n", i + 1, i + 1);
                put(name, text);
        }
        put("inc/f31.yaml", "services: {}\n");
        put("inc/compose.yaml", "include: [f1.yaml]\nservices:\n  a:\n    image: x\n");
        struct run r5 = {.files = {"inc/compose.yaml"}};
        ok(load(&r5, &s, &e) < 0 && strstr(e.msg, "more than 256 includes in total"),
           "include bomb: %s", e.msg);
        ok(strstr(e.msg, "/inc/f") && strstr(e.msg, ".yaml:1:"), "names the file: %s", e.msg);
        compose_source_free(&s);
        sb_free(&sb);
}

static void test_names(void)
{
        char *n = compose_normalize_project_name("-_My.App 2");
        is_str(n, "myapp2", "normalize");
        free(n);
        ok(compose_project_name_valid("a-b_c1"), "valid name");
        ok(!compose_project_name_valid("-a"), "leading dash invalid");
        ok(!compose_project_name_valid("A"), "uppercase invalid");
        ok(!compose_project_name_valid(""), "empty invalid");
}

int main(void)
{
        err_t e;

        test_names();
        test_discovery();
        test_name_env_profiles();
        test_merge();
        test_extends();
        test_include();
        test_hostile_input();
        rm_rf(tmp, &e);
        cnode_intern_reset();
        return tap_done();
}
