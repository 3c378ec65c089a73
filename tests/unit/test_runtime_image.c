/* Image store API: references, --change instructions, config JSON, and a
 * store round trip (import from a pipe, lookup, list, tag, remove). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "runtime/image.h"
#include "tap.h"
#include "tar_mem.h"

static void norm(const char *in, const char *want)
{
        char *out = NULL;
        err_t err;
        int r = rt_image_ref_normalize(in, &out, &err);
        if (want) {
                ok(r == 0, "normalize %s", in);
                is_str(out, want, "normalize %s -> %s", in, want);
        } else {
                ok(r < 0 && err.code == EINVAL && strstr(err.msg, "invalid reference format"),
                   "normalize rejects %s", in);
        }
        free(out);
}

static void change(struct rt_image_config *c, const char *instr)
{
        err_t err;
        int r = rt_image_config_apply_change(c, instr, &err);
        ok(r == 0, "change %s%s%s", instr, r ? ": " : "", r ? err.msg : "");
}

static void change_fails(const char *instr)
{
        struct rt_image_config c = {0};
        err_t err;
        ok(rt_image_config_apply_change(&c, instr, &err) < 0, "change rejects %s", instr);
        rt_image_config_free(&c);
}

static char *joined(const strv_t *sv)
{
        return sv->n ? strv_join(sv, "|") : strdup("");
}

#define is_strv(sv, want, name) is_str_owned(joined(sv), want, name)

/* A one-file rootfs tar on a pipe. */
static int tar_pipe(void)
{
        static char buf[16384];
        size_t used = 0;
        struct archive *a = tar_mem_open(buf, sizeof(buf), &used);
        struct archive_entry *e = archive_entry_new();
        tar_mem_entry(e, "hello", AE_IFREG, 0644, 5);
        archive_write_header(a, e);
        archive_write_data(a, "world", 5);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        int p[2];
        if (pipe(p) < 0 || write(p[1], buf, used) != (ssize_t)used)
                abort();
        close(p[1]);
        return p[0];
}

int main(void)
{
        /* references */
        norm("busybox", "busybox:latest");
        norm("busybox:1.36", "busybox:1.36");
        norm("docker.io/library/busybox", "busybox:latest");
        norm("docker.io/foo/bar:x", "foo/bar:x");
        norm("localhost:5000/app", "localhost:5000/app:latest");
        norm("registry.example.com/team/app:v1.2-rc_3", "registry.example.com/team/app:v1.2-rc_3");
        norm("BusyBox", NULL);
        norm("a b", NULL);
        norm("busybox:", NULL);
        norm("busybox:-x", NULL);
        norm("x@sha256:0000", NULL);
        norm("", NULL);

        /* --change */
        struct rt_image_config c = {0};
        change(&c, "CMD [\"echo\", \"hi\"]");
        ok(c.has_cmd, "CMD sets has_cmd");
        is_strv(&c.cmd, "echo|hi", "CMD JSON form");
        change(&c, "cmd echo $HOME");
        is_strv(&c.cmd, "/bin/sh|-c|echo $HOME", "CMD shell form, keyword case-insensitive");
        change(&c, "ENTRYPOINT [\"/init\"]");
        ok(c.has_entrypoint && !c.has_cmd && c.cmd.n == 0, "ENTRYPOINT resets CMD");
        change(&c, "ENV A=1 B=\"x y\" C='z'");
        change(&c, "ENV A=2");
        change(&c, "ENV OLD legacy form");
        is_strv(&c.env, "B=x y|C=z|A=2|OLD=legacy form", "ENV forms, later keys replace earlier");
        change(&c, "LABEL b=2 a=\"1 2\"");
        is_strv(&c.labels, "a=1 2|b=2", "LABEL sorted");
        change(&c, "WORKDIR /a");
        change(&c, "WORKDIR b");
        is_str(c.working_dir, "/a/b", "relative WORKDIR appends");
        change(&c, "USER 1000:1000");
        is_str(c.user, "1000:1000", "USER");
        change(&c, "EXPOSE 80 443/tcp 53/udp 80");
        is_strv(&c.exposed_ports, "443/tcp|53/udp|80/tcp", "EXPOSE normalised and deduplicated");
        change(&c, "VOLUME /data /logs");
        change(&c, "VOLUME [\"/data\", \"/x\"]");
        is_strv(&c.volumes, "/data|/logs|/x", "VOLUME both forms");
        change(&c, "VOLUME //srv/./www/");
        is_strv(&c.volumes, "/data|/logs|/srv/www|/x", "VOLUME path cleaned");
        change_fails("VOLUME [\"/../../../tmp/secret\"]");
        change_fails("VOLUME /data/../../etc");
        change_fails("VOLUME relative");
        change_fails("VOLUME /");
        change_fails("VOLUME [\"/a\\nb\"]");
        {
                err_t e;
                ok(rt_image_volume_path_check("img:1", "/a/..", &e) < 0 &&
                       !strcmp(e.msg, "image img:1: VOLUME \"/a/..\" must not contain \"..\""),
                   "volume check names image and path: %s", e.msg);
                ok(rt_image_volume_path_check("img", "/a/..b/c..", &e) == 0,
                   "\"..b\" is a name, not \"..\"");
                ok(rt_image_volume_path_check("img", "./x", &e) < 0, "relative refused");
                ok(rt_image_volume_path_check("img", "/./", &e) < 0, "root refused");
        }
        change(&c, "STOPSIGNAL SIGTERM");
        is_str(c.stop_signal, "SIGTERM", "STOPSIGNAL");
        change_fails("EXPOSE 99999");
        change_fails("EXPOSE 80/icmp");
        change_fails("ENV");
        change_fails("ENV =x");
        change_fails("LABEL a=\"unterminated");
        change_fails("RUN rm -rf /");
        change_fails("WORKDIR");

        /* config JSON round trip */
        c.healthcheck = calloc(1, sizeof(*c.healthcheck));
        strv_push(&c.healthcheck->test, "CMD-SHELL");
        strv_push(&c.healthcheck->test, "true");
        c.healthcheck->interval_ns = 5000000000LL;
        c.healthcheck->retries = 3;
        json_t *j = rt_image_config_to_json(&c);
        struct rt_image_config c2;
        err_t err;
        ok(rt_image_config_from_json(j, &c2, &err) == 0, "config from JSON");
        is_strv(&c2.env, "B=x y|C=z|A=2|OLD=legacy form", "Env round trip");
        is_strv(&c2.entrypoint, "/init", "Entrypoint round trip");
        ok(c2.has_entrypoint && !c2.has_cmd, "Cmd null stays unset");
        is_strv(&c2.exposed_ports, "443/tcp|53/udp|80/tcp", "ExposedPorts round trip");
        is_strv(&c2.labels, "a=1 2|b=2", "Labels round trip");
        ok(c2.healthcheck && c2.healthcheck->interval_ns == 5000000000LL &&
               c2.healthcheck->retries == 3 && c2.healthcheck->test.n == 2,
           "Healthcheck round trip");
        json_decref(j);
        rt_image_config_free(&c2);
        rt_image_config_free(&c);
        json_t *bad = json_pack("{s:[i]}", "Cmd", 1);
        ok(rt_image_config_from_json(bad, &c2, &err) < 0, "non-string Cmd rejected");
        json_decref(bad);

        /* store round trip in a private root */
        char root[] = "/tmp/berth-imgtest.XXXXXX";
        if (!mkdtemp(root))
                return 1;
        setenv("BERTH_ROOT", root, 1);
        struct rt_image img;
        ok(rt_image_lookup("busybox", &img, &err) < 0 && err.code == ENOENT &&
               !strcmp(err.msg, "No such image: busybox"),
           "lookup in an empty store: ENOENT, `No such image: busybox`");
        struct rt_image_config cfg = {0};
        change(&cfg, "CMD [\"sh\"]");
        int fd = tar_pipe();
        char *id = NULL;
        ok(rt_image_import(fd, "docker.io/library/t:1", &cfg, "test", &id, &err) == 0,
           "import from a pipe");
        close(fd);
        rt_image_config_free(&cfg);
        ok(rt_image_lookup("t:1", &img, &err) == 0, "lookup by name");
        is_str(img.id, id, "lookup returns the imported ID");
        is_strv(&img.repo_tags, "t:1", "repo tags");
        ok(img.layer_dirs.n == 1 && img.layer_dirs.v[0][0] == '/', "one absolute layer dir");
        char *hello = NULL;
        if (img.layer_dirs.n) {
                char *p = NULL;
                if (asprintf(&p, "%s/hello", img.layer_dirs.v[0]) > 0)
                        read_file(p, &hello, NULL, &err);
                free(p);
        }
        is_str(hello, "world", "layer unpacked");
        free(hello);
        ok(img.size == 5 && img.created > 1600000000, "size and created");
        ok(img.config.has_cmd && img.config.cmd.n == 1, "config stored");
        rt_image_free(&img);
        ok(rt_image_lookup(id + 7, &img, &err) == 0, "lookup by full hex ID");
        rt_image_free(&img);
        char prefix[12];
        snprintf(prefix, sizeof(prefix), "%.10s", id);
        ok(rt_image_lookup(prefix, &img, &err) == 0, "lookup by sha256: prefix");
        rt_image_free(&img);
        ok(rt_image_tag("t:1", "u", &err) == 0, "tag");
        struct rt_image *list;
        size_t n;
        ok(rt_image_list(&list, &n, &err) == 0 && n == 1 && list[0].repo_tags.n == 2,
           "list: one image with two names");
        rt_image_list_free(list, n);

        /* commit: a layer and config on a parent, then a config-only child */
        struct rt_image_config cc = {0};
        change(&cc, "ENV K=v");
        strv_t hist = STRV_INIT, tags = STRV_INIT, rep2 = STRV_INIT;
        strv_push(&hist, "ENV K=v");
        strv_push(&tags, "c:1");
        int lfd = tar_pipe();
        char *cid = NULL, *cid2 = NULL;
        struct rt_image_commit cm = {.parent = "t:1",
                                     .layer_fd = lfd,
                                     .config = &cc,
                                     .created_by = "RUN x",
                                     .empty_history = &hist,
                                     .tags = &tags};
        ok(rt_image_commit(&cm, &cid, &err) == 0, "commit a layer on t:1 (%s)", err.msg);
        close(lfd);
        ok(rt_image_lookup("c:1", &img, &err) == 0 && img.diff_ids.n == 2 &&
               img.layer_dirs.n == 2 && img.parent && !strcmp(img.parent, id),
           "commit: parent's layer + the new one, tagged, parent recorded");
        is_strv(&img.config.env, "K=v", "commit: the given config");
        rt_image_free(&img);
        struct rt_image_commit cm2 = {.parent = cid, .layer_fd = -1, .config = &cc};
        ok(cid && rt_image_commit(&cm2, &cid2, &err) == 0 &&
               rt_image_lookup(cid2, &img, &err) == 0 && img.diff_ids.n == 2 &&
               img.repo_tags.n == 0 && strcmp(cid, cid2),
           "config-only commit: same layers, untagged, a new ID");
        rt_image_free(&img);
        struct rt_image_commit missing = {.parent = "nope:1", .layer_fd = -1, .config = &cc};
        char *cid3 = NULL;
        ok(rt_image_commit(&missing, &cid3, &err) < 0 && err.code == ENOENT,
           "commit on a missing parent fails");
        ok(rt_image_remove(cid2, false, NULL, NULL, &rep2, &err) == 0 &&
               rt_image_remove("c:1", false, NULL, NULL, &rep2, &err) == 0,
           "committed images removed");
        ok(rt_image_lookup("t:1", &img, &err) == 0 && img.layer_dirs.n == 1,
           "the parent keeps its layer");
        rt_image_free(&img);
        free(cid);
        free(cid2);
        strv_free(&hist);
        strv_free(&tags);
        strv_free(&rep2);
        rt_image_config_free(&cc);

        strv_t report = STRV_INIT;
        ok(rt_image_remove(id, false, NULL, NULL, &report, &err) < 0 && err.code == EBUSY,
           "remove by ID with two names needs force");
        ok(rt_image_remove("t:1", false, NULL, NULL, &report, &err) == 0 && report.n == 1,
           "remove by name untags");
        ok(rt_image_remove("u", false, NULL, NULL, &report, &err) == 0 && report.n == 3,
           "remove of the last name deletes");
        char want[100];
        snprintf(want, sizeof(want), "Deleted: %s", id);
        is_str(report.n == 3 ? report.v[2] : NULL, want, "remove reports the deleted ID");
        strv_free(&report);
        ok(rt_image_lookup(id, &img, &err) < 0 && err.code == ENOENT, "gone after remove");
        free(id);
        rm_rf(root, &err);
        return tap_done();
}
