/* Unit tests: compose project -> Kubernetes manifests (compose/kube.c). No
 * root, no cluster: the manifests are checked field by field; their schema
 * validity is checked by tests/integration/kube.bats with an independent
 * validator. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/emit.h"
#include "compose/kube.h"
#include "compose/kube_play.h"
#include "compose/model.h"
#include "compose_text.h"

static char *env[] = {"HOME=/home/u", "TOKEN=s3cret", NULL};

static struct compose_project *load(const char *yaml)
{
        struct compose_model_opts o = {
            .project_name = "My_Proj", .working_dir = "/wd", .home = "/home/u", .environment = env};
        return tap_project(yaml, &o);
}

/* The manifest of kind and name in docs, or NULL. */
static json_t *find(json_t *docs, const char *kind, const char *name)
{
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
                if (!strcmp(json_string_value(json_object_get(d, "kind")), kind) &&
                    !strcmp(
                        json_string_value(json_object_get(json_object_get(d, "metadata"), "name")),
                        name))
                        return d;
        }
        return NULL;
}

/* A value at a slash-separated path ("spec/template/spec/containers/0/image"). */
static json_t *at(json_t *v, const char *path)
{
        char *p = strdup(path), *save = NULL;
        for (char *t = strtok_r(p, "/", &save); v && t; t = strtok_r(NULL, "/", &save)) {
                char *end;
                long i = strtol(t, &end, 10);
                v = *end || !json_is_array(v) ? json_object_get(v, t)
                                              : json_array_get(v, (size_t)i);
        }
        free(p);
        return v;
}

static const char *str_at(json_t *v, const char *path)
{
        return json_string_value(at(v, path));
}

static bool has_warning(const strv_t *w, const char *needle)
{
        for (size_t i = 0; i < w->n; i++)
                if (strstr(w->v[i], needle))
                        return true;
        return false;
}

static int gen(const char *yaml, const struct kube_opts *o, json_t **docs, strv_t *w)
{
        struct compose_project *p = load(yaml);
        if (!p)
                return -1;
        err_t err;
        struct kube_opts def = {.environment = env};
        int r = compose_kube_generate(p, o ? o : &def, docs, w, &err);
        if (r < 0)
                tap_diag("generate: %s", err.msg);
        compose_project_free(p);
        return r;
}

/* The documents of yaml (o NULL: the defaults), after one check named
 * "WHAT: generated" that they are made; warnings go to w. */
static json_t *generated(const char *yaml, const struct kube_opts *o, strv_t *w, const char *what)
{
        json_t *docs = NULL;
        ok(gen(yaml, o, &docs, w) == 0, "%s: generated", what);
        return docs;
}

static void test_labels(void)
{
        static const struct {
                const char *in, *want;
        } c[] = {
            {"web", "web"},
            {"Web_App", "web-app"},
            {"__x__", "x"},
            {"a..b", "a-b"},
            {"", "x"},
            {"---", "x"},
            {"caf\xc3\xa9", "caf"},
            {"0123456789012345678901234567890123456789012345678901234567890123456789",
             "012345678901234567890123456789012345678901234567890123456789012"},
        };
        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                char *l = kube_dns_label(c[i].in);
                is_str(l, c[i].want, "dns label of '%s'", c[i].in);
                free(l);
        }
}

static void test_wordpress(void)
{
        const char *y = "services:\n"
                        "  db:\n"
                        "    image: mariadb:10.6.4-focal\n"
                        "    command: '--default-authentication-plugin=mysql_native_password'\n"
                        "    volumes: [db_data:/var/lib/mysql]\n"
                        "    restart: always\n"
                        "    environment: [MYSQL_ROOT_PASSWORD=somewordpress]\n"
                        "    expose: [3306, 33060]\n"
                        "  wordpress:\n"
                        "    image: wordpress:latest\n"
                        "    ports: ['80:80']\n"
                        "    restart: always\n"
                        "    environment: [WORDPRESS_DB_HOST=db]\n"
                        "volumes:\n"
                        "  db_data:\n";
        strv_t w = STRV_INIT;
        json_t *docs = generated(y, NULL, &w, "wordpress");
        json_t *db = find(docs, "StatefulSet", "db");
        ok(db != NULL, "db (a named volume, read-write) is a StatefulSet");
        is_str(str_at(db, "spec/volumeClaimTemplates/0/metadata/name"), "db-data",
               "its claim template is named after the volume");
        is_str(str_at(db, "spec/template/spec/containers/0/volumeMounts/0/mountPath"),
               "/var/lib/mysql", "mounted where compose mounts it");
        is_str(str_at(db, "spec/template/spec/containers/0/args/0"),
               "--default-authentication-plugin=mysql_native_password", "command -> args");
        ok(find(docs, "Deployment", "wordpress") != NULL, "wordpress is a Deployment");
        json_t *s = find(docs, "Service", "db");
        is_str(str_at(s, "spec/clusterIP"), "None", "db's Service is headless (publishes nothing)");
        is_int(json_integer_value(at(s, "spec/ports/1/port")), 33060, "exposed ports listed");
        s = find(docs, "Service", "wordpress");
        is_str(str_at(s, "spec/type"), "NodePort", "a published port: NodePort by default");
        ok(has_warning(&w, "80 is outside the NodePort range"), "the node port range is said");
        is_str(
            json_string_value(json_object_get(at(s, "spec/selector"), "app.kubernetes.io/part-of")),
            "my-proj", "project name as a label");
        ok(find(docs, "NetworkPolicy", "default-network") != NULL, "a policy per network");
        ok(find(docs, "NetworkPolicy", "wordpress-published") != NULL,
           "published ports are open to all");
        json_decref(docs);
        strv_free(&w);
}

static void test_mapping(void)
{
        const char *y = "services:\n"
                        "  Web_App:\n"
                        "    image: nginx\n"
                        "    user: '1000:1001'\n"
                        "    working_dir: /srv\n"
                        "    entrypoint: [/bin/sh, -c]\n"
                        "    read_only: true\n"
                        "    cap_add: [CAP_NET_ADMIN]\n"
                        "    cap_drop: [all]\n"
                        "    sysctls: {net.core.somaxconn: '1024'}\n"
                        "    ulimits: {nofile: 1024}\n"
                        "    mem_limit: 256m\n"
                        "    cpus: 0.5\n"
                        "    stop_grace_period: 1m30s\n"
                        "    scale: 3\n"
                        "    extra_hosts: ['somehost=10.0.0.1']\n"
                        "    tmpfs: ['/run:size=64m']\n"
                        "    secrets: [tok]\n"
                        "    configs: [{source: conf, target: /etc/app.conf, mode: 0440}]\n"
                        "    healthcheck:\n"
                        "      test: ['CMD-SHELL', 'curl -f localhost']\n"
                        "      interval: 5s\n"
                        "      retries: 4\n"
                        "      start_period: 20s\n"
                        "    depends_on:\n"
                        "      db: {condition: service_healthy}\n"
                        "      job: {condition: service_completed_successfully}\n"
                        "    networks:\n"
                        "      front: {aliases: [Www]}\n"
                        "  db:\n"
                        "    image: postgres\n"
                        "    restart: 'no'\n"
                        "    healthcheck: {test: [CMD, pg_isready]}\n"
                        "    networks: [front]\n"
                        "  job:\n"
                        "    image: busybox\n"
                        "    restart: on-failure:3\n"
                        "    networks: [front]\n"
                        "networks:\n"
                        "  front: {}\n"
                        "secrets:\n"
                        "  tok: {environment: TOKEN}\n"
                        "configs:\n"
                        "  conf: {content: 'a=1'}\n";
        strv_t w = STRV_INIT;
        json_t *docs = generated(y, NULL, &w, "mapping");
        json_t *d = find(docs, "Deployment", "web-app");
        ok(d != NULL, "Web_App is converted to web-app");
        ok(has_warning(&w, "services.Web_App: named web-app"), "and the warning says how");
        is_int(json_integer_value(at(d, "spec/replicas")), 3, "scale -> replicas");
        json_t *c = at(d, "spec/template/spec/containers/0");
        is_int(json_integer_value(at(c, "securityContext/runAsUser")), 1000, "user -> runAsUser");
        is_int(json_integer_value(at(c, "securityContext/runAsGroup")), 1001,
               "group -> runAsGroup");
        ok(json_is_true(at(c, "securityContext/readOnlyRootFilesystem")), "read_only");
        is_str(str_at(c, "securityContext/capabilities/add/0"), "NET_ADMIN", "cap_add, no CAP_");
        is_str(str_at(c, "securityContext/capabilities/drop/0"), "ALL", "cap_drop upper case");
        is_str(str_at(c, "workingDir"), "/srv", "working_dir");
        is_str(str_at(c, "command/0"), "/bin/sh", "entrypoint -> command");
        is_str(str_at(c, "resources/limits/memory"), "256Mi", "mem_limit -> limits.memory");
        is_str(str_at(c, "resources/limits/cpu"), "500m", "cpus -> limits.cpu");
        is_str(str_at(c, "readinessProbe/exec/command/2"), "curl -f localhost",
               "CMD-SHELL -> sh -c");
        is_int(json_integer_value(at(c, "livenessProbe/periodSeconds")), 5, "interval");
        is_int(json_integer_value(at(c, "livenessProbe/failureThreshold")), 4, "retries");
        is_int(json_integer_value(at(c, "startupProbe/failureThreshold")), 8,
               "start_period: 20s/5s + retries");
        json_t *ps = at(d, "spec/template/spec");
        is_int(json_integer_value(at(ps, "terminationGracePeriodSeconds")), 90,
               "stop_grace_period");
        is_str(str_at(ps, "securityContext/sysctls/0/name"), "net.core.somaxconn", "sysctls");
        is_str(str_at(ps, "hostAliases/0/hostnames/0"), "somehost", "extra_hosts");
        is_str(str_at(ps, "initContainers/0/name"), "wait-for-db",
               "service_healthy -> an init container");
        ok(strstr(str_at(ps, "initContainers/0/command/2"), "nslookup db") != NULL,
           "which waits for db's (headless) Service");
        is_str(str_at(ps, "initContainers/1/name"), "run-job",
               "service_completed_successfully -> the dependency as an init container");
        is_str(str_at(ps, "initContainers/1/image"), "busybox", "with its image");
        ok(has_warning(&w,
                       "depends_on.job: service_completed_successfully: job runs to completion"),
           "and the warning says so");
        ok(has_warning(&w, "services.Web_App.ulimits"), "ulimits named as unmapped");
        ok(find(docs, "Service", "www") != NULL, "an alias becomes a Service");
        json_t *sec = find(docs, "Secret", "tok");
        is_str(str_at(sec, "data/tok"), "czNjcmV0", "an environment secret's value, base64");
        json_t *cm = find(docs, "ConfigMap", "conf");
        is_str(str_at(cm, "data/conf"), "a=1", "config content");
        bool mounted = false;
        size_t i;
        json_t *m;
        json_array_foreach(at(c, "volumeMounts"), i, m) mounted |=
            !strcmp(str_at(m, "mountPath"), "/etc/app.conf");
        ok(mounted, "the config is mounted at its target");
        json_t *db = find(docs, "Pod", "db");
        ok(db != NULL, "restart: no -> a bare Pod");
        is_str(str_at(db, "spec/restartPolicy"), "Never", "restartPolicy Never");
        json_t *job = find(docs, "Pod", "job");
        is_str(str_at(job, "spec/restartPolicy"), "OnFailure", "on-failure -> OnFailure");
        ok(has_warning(&w, "the retry limit of on-failure:3"), "the retry limit is named");
        /* every name is a DNS-1123 label */
        bool all = true;
        json_array_foreach(docs, i, m)
        {
                const char *n = str_at(m, "metadata/name");
                char *l = kube_dns_label(n);
                all &= !strcmp(l, n);
                free(l);
        }
        ok(all, "every metadata.name is a DNS-1123 label");
        json_decref(docs);
        strv_free(&w);
}

/* dns, dns_search and dns_opt -> the pod's dnsConfig, each list only when
 * set, and no dnsConfig without any of them. */
static void test_dns(void)
{
        const char *y = "services:\n"
                        "  all:\n"
                        "    image: busybox\n"
                        "    dns: [10.0.0.1, 10.0.0.2]\n"
                        "    dns_search: [x.local]\n"
                        "    dns_opt: ['ndots:2', rotate]\n"
                        "  opt:\n"
                        "    image: busybox\n"
                        "    dns_opt: [rotate]\n"
                        "  none:\n"
                        "    image: busybox\n";
        strv_t w = STRV_INIT;
        json_t *docs = generated(y, NULL, &w, "dns");
        json_t *dc = at(find(docs, "Deployment", "all"), "spec/template/spec/dnsConfig");
        is_str(str_at(dc, "nameservers/1"), "10.0.0.2", "dns -> nameservers");
        is_str(str_at(dc, "searches/0"), "x.local", "dns_search -> searches");
        is_str(str_at(dc, "options/0/name"), "ndots", "dns_opt NAME:VALUE -> a name");
        is_str(str_at(dc, "options/0/value"), "2", "and a value");
        ok(str_at(dc, "options/1/name") && !strcmp(str_at(dc, "options/1/name"), "rotate") &&
               !at(dc, "options/1/value"),
           "dns_opt NAME -> a name only");
        is_int((long long)json_object_size(dc), 3, "nothing else in dnsConfig");
        dc = at(find(docs, "Deployment", "opt"), "spec/template/spec/dnsConfig");
        ok(dc && json_object_size(dc) == 1 && json_array_size(json_object_get(dc, "options")) == 1,
           "dns_opt alone: options only");
        ok(find(docs, "Deployment", "none") &&
               !at(find(docs, "Deployment", "none"), "spec/template/spec/dnsConfig"),
           "no dns settings: no dnsConfig");
        json_decref(docs);
        strv_free(&w);
}

static void test_options(void)
{
        const char *y = "services:\n"
                        "  web:\n"
                        "    image: nginx\n"
                        "    ports: ['8080:80', '30080:81']\n";
        strv_t w = STRV_INIT;
        struct kube_opts o = {.namespace_ = "team-a", .service_type = KUBE_SVC_LOADBALANCER};
        json_t *docs = generated(y, &o, &w, "options");
        json_t *s = find(docs, "Service", "web");
        is_str(str_at(s, "metadata/namespace"), "team-a", "--namespace");
        is_str(str_at(s, "spec/type"), "LoadBalancer", "--service-type LoadBalancer");
        bool pub = false;
        size_t i;
        json_t *p;
        json_array_foreach(at(s, "spec/ports"), i, p) pub |=
            json_integer_value(json_object_get(p, "port")) == 8080 &&
            json_integer_value(json_object_get(p, "targetPort")) == 80;
        ok(pub, "the load balancer listens on the published port");
        json_decref(docs);
        strv_free(&w);
        o = (struct kube_opts){0};
        docs = generated(y, &o, &w, "NodePort");
        s = find(docs, "Service", "web");
        is_int(json_integer_value(at(s, "spec/ports/1/nodePort")), 30080,
               "a published port inside the NodePort range is the node port");
        json_decref(docs);
        strv_free(&w);
        o = (struct kube_opts){.namespace_ = "Bad_NS"};
        docs = NULL;
        ok(gen(y, &o, &docs, &w) < 0 && !docs, "an invalid namespace is refused");
        strv_free(&w);
        /* stable output */
        char *a = NULL, *b = NULL;
        for (int k = 0; k < 2; k++) {
                o = (struct kube_opts){0};
                docs = NULL;
                gen(y, &o, &docs, &w);
                char *t = compose_emit_yaml(docs);
                *(k ? &b : &a) = t;
                json_decref(docs);
                strv_free(&w);
        }
        is_str(a, b, "two runs print the same");
        free(a);
        free(b);
}

static void test_play(void)
{
        const char *y =
            "apiVersion: apps/v1\n"
            "kind: Deployment\n"
            "metadata: {name: web, labels: {app.kubernetes.io/part-of: Shop}}\n"
            "spec:\n"
            "  replicas: 2\n"
            "  selector: {matchLabels: {app: web}}\n"
            "  template:\n"
            "    metadata: {labels: {app: web, berth.io/network-front: 'true'}}\n"
            "    spec:\n"
            "      terminationGracePeriodSeconds: 20\n"
            "      containers:\n"
            "        - name: web\n"
            "          image: nginx\n"
            "          args: [a, b]\n"
            "          resources: {limits: {memory: 256Mi, cpu: 500m}}\n"
            "          securityContext: {runAsUser: 1000, runAsGroup: 10}\n"
            "          readinessProbe: {exec: {command: [true]}, periodSeconds: 5}\n"
            "---\n"
            "apiVersion: v1\n"
            "kind: Service\n"
            "metadata: {name: www, labels: {app.kubernetes.io/part-of: Shop}}\n"
            "spec: {selector: {app: web}, type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n"
            "---\n"
            "apiVersion: apps/v1\n"
            "kind: StatefulSet\n"
            "metadata: {name: db, labels: {app.kubernetes.io/part-of: Shop}}\n"
            "spec:\n"
            "  selector: {matchLabels: {app: db}}\n"
            "  template:\n"
            "    metadata: {labels: {app: db}}\n"
            "    spec:\n"
            "      containers: [{name: db, image: pg, volumeMounts: [{name: data, mountPath: "
            "/d}]}]\n"
            "  volumeClaimTemplates: [{metadata: {name: data}}]\n";
        json_t *docs = json_array();
        err_t err;
        ok(kube_docs_parse(y, strlen(y), "k.yaml", docs, &err) == 0, "play: parsed");
        is_int(json_array_size(docs), 3, "three documents");
        struct kube_play_opts o = {.data_dir = "/d"};
        json_t *c = NULL, *files = NULL;
        char *project = NULL;
        strv_t w = STRV_INIT;
        ok(kube_play_compose(docs, &o, &c, &files, &project, &w, &err) == 0, "play: mapped");
        is_str(project, "shop", "the project is the part-of label, normalised");
        json_t *web = at(c, "services/web");
        is_int(json_integer_value(at(web, "scale")), 2, "replicas -> scale");
        is_int(json_integer_value(at(web, "mem_limit")), 256 << 20, "limits.memory");
        ok(json_real_value(at(web, "cpus")) == 0.5, "limits.cpu 500m -> 0.5");
        is_str(str_at(web, "user"), "1000:10", "runAsUser:runAsGroup");
        is_str(str_at(web, "command/1"), "b", "args -> command");
        is_str(str_at(web, "healthcheck/interval"), "5s", "an exec probe -> healthcheck");
        is_str(str_at(web, "stop_grace_period"), "20s", "terminationGracePeriodSeconds");
        ok(at(web, "networks/front") != NULL, "the network label -> the network");
        is_str(str_at(web, "networks/front/aliases/0"), "www", "the Service name -> an alias");
        is_str(str_at(web, "ports/0/published"), "30080", "a NodePort is published");
        is_str(str_at(c, "services/db/volumes/0/source"), "data", "a claim template -> a volume");
        ok(at(c, "volumes/data") != NULL, "declared at the top");
        json_decref(c);
        json_decref(files);
        free(project);
        strv_free(&w);
        json_decref(docs);

        const char *bad = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n";
        docs = json_array();
        kube_docs_parse(bad, strlen(bad), "n.yaml", docs, &err);
        ok(kube_play_compose(docs, &o, &c, &files, &project, &w, &err) < 0 && !c,
           "an unknown kind is refused");
        ok(strstr(err.msg, "n.yaml: document 0 (line 1): kind Namespace") != NULL,
           "naming the file, the document and the kind: %s", err.msg);
        strv_free(&w);
        json_decref(docs);
        size_t n;
        char *d = kube_b64decode("czNj\ncmV0", &n);
        is_str(d, "s3cret", "base64 with a line break");
        free(d);
        ok(kube_b64decode("no!", &n) == NULL, "not base64");
}

/* A secret file over 1 MiB (Kubernetes' limit) is refused, not emitted. */
static void test_secret_bound(void)
{
        char path[] = "/tmp/berth-kube-secret.XXXXXX";
        int fd = mkstemp(path);
        ok(fd >= 0, "a temp file");
        static char block[64 * 1024];
        memset(block, 'x', sizeof(block));
        for (int i = 0; i < 17; i++) /* 1088 KiB */
                if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
                        break;
        close(fd);
        char *y = NULL;
        if (asprintf(&y,
                     "services:\n  a:\n    image: x\n    secrets: [big]\n"
                     "secrets:\n  big: {file: %s}\n",
                     path) < 0)
                y = NULL;
        struct compose_project *p = y ? load(y) : NULL;
        json_t *docs = NULL;
        strv_t w = STRV_INIT;
        err_t err;
        struct kube_opts o = {.environment = env};
        ok(p && compose_kube_generate(p, &o, &docs, &w, &err) < 0 && !docs,
           "a secret file over 1 MiB is refused");
        ok(p && strstr(err.msg, "over 1 MiB") != NULL, "and the error says why: %s",
           p ? err.msg : "");
        compose_project_free(p);
        strv_free(&w);
        free(y);
        unlink(path);
}

int main(void)
{
        test_secret_bound();
        test_play();
        test_labels();
        test_wordpress();
        test_mapping();
        test_options();
        test_dns();
        return tap_done();
}
