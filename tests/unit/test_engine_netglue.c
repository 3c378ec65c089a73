/* Unit tests for the spec's network part as engine/netglue.c records it,
 * and its files (no root, no network state: only the modes that touch no
 * network are recorded here; the rest is tests/integration). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netglue.h"
#include "runtime/image.h"
#include "spec.h"
#include "tap.h"

static const char *ID = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

static void fake_image(struct rt_image *img)
{
        memset(img, 0, sizeof(*img));
        img->id = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        strv_push(&img->config.cmd, "sh");
}

/* A rendered document for a spec whose network part fill() sets. */
static json_t *doc_for(struct ctr_spec *sp, struct rt_image *img)
{
        json_t *j = NULL;
        err_t err;
        fake_image(img);
        ctr_spec_init(sp, "busybox", img);
        if (ctr_spec_render(sp, ID, &j, &err) < 0)
                tap_diag("render: %s", err.msg);
        return j;
}

static void done(struct ctr_spec *sp, struct rt_image *img, json_t *j, strv_t *w)
{
        json_decref(j);
        ctr_spec_free(sp);
        strv_free(&img->config.cmd);
        strv_free(w);
}

static void test_host_mode(void)
{
        struct rt_image img;
        struct ctr_spec sp;
        strv_t w = STRV_INIT;
        err_t err;
        json_t *j = doc_for(&sp, &img);
        sp.net.network = "host";
        sp.net.ports = calloc(1, sizeof(*sp.net.ports));
        ok(portspec_parse("8080:80", &sp.net.ports[0], &err) == 0, "a typed port");
        sp.net.nports = 1;
        struct portspec sctp;
        ok(portspec_parse("81/sctp", &sctp, &err) == 0, "a port berth cannot publish");
        ctr_net_add_port(&sp.net, &sctp, "81/sctp"); /* not refused: host mode discards it */
        strv_push(&sp.net.add_hosts, "db:10.160.0.9");
        strv_push(&sp.net.dns, "10.160.0.1");
        sp.net.has_dns_search = true;
        strv_push(&sp.net.dns_search, "example.test");
        ok(netwire_create(j, &sp.net, false, &w, &err) == 0, "host mode with ports records");
        ok(w.n == 1 &&
               !strcmp(w.v[0], "published ports are discarded when using host network mode"),
           "the warning is handed back, not printed");
        json_t *hc = json_object_get(j, "HostConfig");
        is_str(json_string_value(json_object_get(hc, "NetworkMode")), "host", "NetworkMode");
        ok(json_object_size(json_object_get(hc, "PortBindings")) == 0, "no port bindings");
        is_str(json_string_value(json_array_get(json_object_get(hc, "ExtraHosts"), 0)),
               "db:10.160.0.9", "ExtraHosts");
        is_str(json_string_value(json_array_get(json_object_get(hc, "Dns"), 0)), "10.160.0.1",
               "Dns");
        is_str(json_string_value(json_array_get(json_object_get(hc, "DnsSearch"), 0)),
               "example.test", "DnsSearch when the spec asks for it");
        ok(json_is_array(json_object_get(hc, "DnsOptions")), "DnsOptions with it");
        done(&sp, &img, j, &w);

        j = doc_for(&sp, &img);
        sp.net.network = "none";
        ok(netwire_create(j, &sp.net, false, &w, &err) == 0 && w.n == 0, "none: no warning");
        hc = json_object_get(j, "HostConfig");
        ok(!json_object_get(hc, "DnsSearch"), "no DnsSearch unless asked for (run's document)");
        done(&sp, &img, j, &w);
}

static void test_refused(void)
{
        /* the network, an alias and an --add-host to add, whether the
         * container has a hostname; the check's name and docker's text */
        static const struct {
                const char *network, *alias, *add_host;
                bool hostname;
                const char *name, *msg;
        } cases[] = {
            {"none", "x", NULL, false, "aliases off user networks fail",
             "network-scoped aliases are supported only for containers on user-defined "
             "networks"},
            {"container:egx", NULL, NULL, true, "container: with a hostname fails",
             "conflicting options: hostname and the network mode"},
            {"host", NULL, "nohostip", false, "a bad --add-host fails",
             "invalid argument \"nohostip\" for \"--add-host\" flag: expected HOST:IP"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                struct rt_image img;
                struct ctr_spec sp;
                strv_t w = STRV_INIT;
                err_t err;
                json_t *j = doc_for(&sp, &img);
                sp.net.network = cases[i].network;
                if (cases[i].alias)
                        strv_push(&sp.net.aliases, cases[i].alias);
                if (cases[i].add_host)
                        strv_push(&sp.net.add_hosts, cases[i].add_host);
                ok(netwire_create(j, &sp.net, cases[i].hostname, &w, &err) < 0, "%s",
                   cases[i].name);
                is_str(err.msg, cases[i].msg, "docker's text");
                done(&sp, &img, j, &w);
        }
}

static void test_files(void)
{
        struct rt_image img;
        struct ctr_spec sp;
        strv_t w = STRV_INIT;
        err_t err;
        char path[] = "/tmp/eg-unit-file.XXXXXX";
        int fd = mkstemp(path);
        ok(fd >= 0, "a file to bind");
        close(fd);
        json_t *j = doc_for(&sp, &img);
        ctr_spec_add_file(&sp, path, "/run/secrets/s", "service web: secrets s");
        ok(ctr_spec_files(&sp, j, &err) == 0, "a file is recorded");
        json_t *m = json_array_get(json_object_get(j, "Mounts"), 0);
        is_str(json_string_value(json_object_get(m, "Destination")), "/run/secrets/s",
               "its target");
        ok(json_is_false(json_object_get(m, "RW")) &&
               !strcmp(json_string_value(json_object_get(m, "Mode")) ?: "", "ro"),
           "read-only");
        char want[128];
        snprintf(want, sizeof(want), "%s:/run/secrets/s:ro", path);
        is_str(json_string_value(
                   json_array_get(json_object_get(json_object_get(j, "HostConfig"), "Binds"), 0)),
               want, "and in Binds");
        unlink(path);
        done(&sp, &img, j, &w);

        j = doc_for(&sp, &img);
        ctr_spec_add_file(&sp, path, "/c", "service web: configs c");
        ok(ctr_spec_files(&sp, j, &err) < 0, "a missing file fails");
        snprintf(want, sizeof(want), "service web: configs c: file %s: No such file or directory",
                 path);
        is_str(err.msg, want, "naming the service, the key and the file");
        done(&sp, &img, j, &w);
}

int main(void)
{
        setenv("BERTH_ROOT", "/nonexistent/berth-unit", 1); /* nothing here may touch state */
        test_host_mode();
        test_refused();
        test_files();
        return tap_done();
}
