/* Unit tests for the container runtime's pure parts: capability sets,
 * ulimit specs, the state store with a private BERTH_ROOT. */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "runtime/container.h"
#include "runtime/security.h"
#include "runtime/volume.h"
#include "tap.h"

static void test_caps(void)
{
        err_t err = {0};
        strv_t add = STRV_INIT, drop = STRV_INIT;
        uint64_t caps;
        ok(rt_caps_compute(false, &add, &drop, &caps, &err) == 0, "default caps");
        is_int(caps, 0xa80425fbULL, "docker's 14 capabilities");
        strv_push(&drop, "ALL");
        strv_push(&add, "cap_chown");
        strv_push(&add, "NET_ADMIN");
        ok(rt_caps_compute(false, &add, &drop, &caps, &err) == 0, "drop ALL, add two");
        is_int(caps, (1ULL << 0) | (1ULL << 12), "CHOWN | NET_ADMIN");
        strv_push(&add, "NO_SUCH_CAP");
        ok(rt_caps_compute(false, &add, &drop, &caps, &err) < 0, "unknown capability fails");
        ok(strstr(err.msg, "NO_SUCH_CAP") != NULL, "error names it: %s", err.msg);
        strv_free(&add);
        strv_free(&drop);
        strv_t none = STRV_INIT;
        ok(rt_caps_compute(true, &none, &none, &caps, &err) == 0 && (caps & (1ULL << 21)),
           "privileged includes SYS_ADMIN");
        /* the names, as docker and libcap spell them, each its number */
        static const struct {
                const char *name;
                int bit;
        } names[] = {{"CAP_CHOWN", 0},         {"dac_read_search", 2},
                     {"Net_Bind_Service", 10}, {"CAP_SYS_ADMIN", 21},
                     {"sys_tty_config", 26},   {"AUDIT_WRITE", 29},
                     {"setfcap", 31},          {"SYSLOG", 34},
                     {"audit_read", 37},       {"CAP_CHECKPOINT_RESTORE", 40}};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                uint64_t m = 0;
                bool known = names[i].bit <= rt_cap_last();
                ok((rt_cap_parse(names[i].name, &m, &err) == 0) == known &&
                       (!known || m == 1ULL << names[i].bit),
                   "%s is capability %d", names[i].name, names[i].bit);
        }
        uint64_t m = 0;
        ok(rt_cap_parse("CAP_", &m, &err) < 0 && rt_cap_parse("cap_cap_chown", &m, &err) < 0 &&
               rt_cap_parse("", &m, &err) < 0,
           "no name, a doubled prefix: refused");
}

static void test_ulimits(void)
{
        err_t err = {0};
        struct rt_ulimit u;
        char *name = NULL;
        ok(rt_ulimit_parse("nofile=1024:2048", &u, &name, &err) == 0, "nofile=1024:2048");
        is_str(name, "nofile", "name");
        is_int(u.soft, 1024, "soft");
        is_int(u.hard, 2048, "hard");
        free(name);
        ok(rt_ulimit_parse("nproc=10", &u, NULL, &err) == 0 && u.soft == 10 && u.hard == 10,
           "single value");
        ok(rt_ulimit_parse("nofile=20:10", &u, NULL, &err) < 0, "soft above hard fails");
        ok(rt_ulimit_parse("bogus=1", &u, NULL, &err) < 0, "unknown type fails");
        ok(rt_ulimit_parse("nofile=x", &u, NULL, &err) < 0, "non-number fails");
}

/* The temporary BERTH_ROOT of test_store and test_topdir (base/paths.c reads
 * BERTH_ROOT once): removed by main once both ran. */
static char tmpl[] = "/tmp/berth-unit-ctr.XXXXXX";

static void test_store(void)
{
        ok(mkdtemp(tmpl) != NULL, "temp root");
        setenv("BERTH_ROOT", tmpl, 1);
        err_t err = {0};
        ok(berth_dirs_ensure(&err) == 0, "dirs");
        char *id = rt_ctr_gen_id();
        is_int(strlen(id), 64, "id is 64 hex");
        json_t *j = json_pack("{s:s,s:s,s:s,s:{s:s},s:{s:{s:s}}}", "Id", id, "Name", "/rt-unit",
                              "Created", "2026-01-01T00:00:00Z", "Config", "Hostname", "h",
                              "GraphDriver", "Data", "LowerDir", "/nonexistent");
        ok(rt_ctr_create(j, 0, &err) == 0, "create: %s", err.msg);
        char *got = NULL;
        ok(rt_ctr_resolve("rt-unit", &got, &err) == 0 && !strcmp(got, id), "resolve by name");
        free(got);
        char prefix[8];
        memcpy(prefix, id, 7);
        prefix[7] = '\0';
        ok(rt_ctr_resolve(prefix, &got, &err) == 0 && !strcmp(got, id), "resolve by prefix");
        free(got);
        ok(rt_ctr_resolve("rt-missing", &got, &err) < 0 &&
               !strcmp(err.msg, "No such container: rt-missing"),
           "missing container message");
        json_t *j2 = json_pack("{s:s,s:s,s:{},s:{s:{s:s}}}", "Id", "x", "Name", "/rt-unit",
                               "Config", "GraphDriver", "Data", "LowerDir", "/n");
        char *id2 = rt_ctr_gen_id();
        json_object_set_new(j2, "Id", json_string(id2));
        ok(rt_ctr_create(j2, 0, &err) < 0 && strstr(err.msg, "is already in use"), "name conflict");
        ok(rt_ctr_rename(id, "rt-unit2", &err) == 0, "rename");
        ok(rt_ctr_resolve("rt-unit2", &got, &err) == 0, "resolve new name");
        free(got);
        json_t *st = NULL;
        ok(rt_ctr_load(id, &st, &err) == 0, "load");
        json_object_set_new(st, "State", json_pack("{s:s}", "Status", "running"));
        /* the monitor lock: a monitor is alive from its launcher's claim on,
         * before it records a pid, until the last holder closes it */
        pid_t init = 42;
        ok(!rt_ctr_monitor_alive(id, &init) && init == 42, "no monitor");
        err = (err_t){0};
        int claim = rt_ctr_monitor_claim(id, &err);
        ok(claim >= 0, "claim the monitor lock: %s", err.msg);
        init = 42;
        ok(rt_ctr_monitor_alive(id, &init) && init == 0, "alive from the claim on, no init yet");
        ok(rt_ctr_reconcile(id, st, &err) == 0 &&
               !strcmp(json_string_value(json_object_get(json_object_get(st, "State"), "Status")),
                       "running"),
           "reconcile leaves a container whose monitor holds the lock running");
        close(claim);
        ok(!rt_ctr_monitor_alive(id, NULL), "not alive once the lock is closed");
        ok(rt_ctr_reconcile(id, st, &err) == 0, "reconcile a running container without monitor");
        is_str(json_string_value(json_object_get(json_object_get(st, "State"), "Status")), "exited",
               "it is exited now");
        ok(rt_volume_create("rt-v1", NULL, false, &err) == 0, "volume create");
        ok(rt_volume_create("rt-v1", NULL, false, &err) < 0, "volume exists");
        ok(rt_volume_create("bad/name", NULL, false, &err) < 0, "invalid volume name");
        ok(rt_volume_remove("rt-v1", &err) == 0, "volume rm");
        ok(rt_ctr_destroy(id, &err) == 0, "destroy: %s", err.msg);
        ok(rt_ctr_resolve(id, &got, &err) < 0, "gone");
        /* run --rm: volatile, no exit reserve; a dir that lost its
         * config.json is damaged, listed, and destroyed like any */
        char *vid = rt_ctr_gen_id();
        json_t *vj =
            json_pack("{s:s,s:s,s:s,s:{s:s},s:{s:b},s:{s:{s:s}}}", "Id", vid, "Name", "/rt-vol",
                      "Created", "2026-01-01T00:00:00Z", "Config", "Hostname", "h", "HostConfig",
                      "AutoRemove", 1, "GraphDriver", "Data", "LowerDir", "/nonexistent");
        ok(rt_ctr_create(vj, RT_CTR_VOLATILE, &err) == 0, "volatile create: %s", err.msg);
        char *vdir = rt_ctr_dir(vid), *res = NULL, *cfg = NULL;
        if (asprintf(&res, "%s/%s", vdir, RT_CTR_EXIT_RESERVE) < 0 ||
            asprintf(&cfg, "%s/config.json", vdir) < 0)
                res = cfg = NULL;
        ok(res && access(res, F_OK) < 0 && errno == ENOENT, "no exit reserve");
        ok(cfg && rt_ctr_save(vid, vj, &err) == 0 && unlink(cfg) == 0, "saved, then lost");
        json_t *vst = NULL;
        err = (err_t){0};
        ok(rt_ctr_load(vid, &vst, &err) < 0 && err.code == EUCLEAN && strstr(err.msg, "is missing"),
           "a dir without config.json is damaged: %s", err.msg);
        strv_t ids = STRV_INIT;
        ok(rt_ctr_list(&ids, &err) == 0 && ids.n == 1 && !strcmp(ids.v[0], vid), "and listed");
        strv_free(&ids);
        ok(rt_ctr_destroy(vid, &err) == 0, "destroyed");
        err = (err_t){0};
        ok(rt_ctr_load(vid, &vst, &err) < 0 && err.code == ENOENT, "then gone: ENOENT");
        free(res);
        free(cfg);
        free(vdir);
        free(vid);
        json_decref(vj);
        json_decref(st);
        json_decref(j);
        json_decref(j2);
        free(id);
        free(id2);
}

static void test_names(void)
{
        err_t e;
        ok(rt_ctr_name_check("web_1.a-b", &e) == 0, "name web_1.a-b");
        ok(rt_ctr_name_check("/web", &e) == 0, "name with the leading /");
        ok(rt_ctr_name_check("a\nb", &e) < 0 &&
               !strcmp(e.msg, "Invalid container name (a\nb), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                              "allowed"),
           "newline refused with docker's message");
        ok(rt_ctr_name_check("x", &e) < 0, "one character refused");
        ok(rt_ctr_name_check("_x", &e) < 0, "leading _ refused");
        ok(rt_ctr_name_check("a/b", &e) < 0, "slash refused");
        ok(rt_ctr_name_check("", &e) < 0, "empty refused");
        ok(rt_hostname_check("hostname", "web-1.example.com", &e) == 0, "hostname ok");
        ok(rt_hostname_check("hostname", "A1", &e) == 0, "upper case and digits ok");
        ok(rt_hostname_check("hostname", "a\nb", &e) < 0 && strstr(e.msg, "\"a\\nb\""),
           "newline refused, shown escaped: %s", e.msg);
        ok(rt_hostname_check("hostname", "a b", &e) < 0, "space refused");
        ok(rt_hostname_check("hostname", "-a", &e) < 0, "leading - refused");
        ok(rt_hostname_check("hostname", "a..b", &e) < 0, "empty label refused");
        ok(rt_hostname_check("hostname", "a.", &e) < 0, "trailing dot refused");
        char l64[66];
        memset(l64, 'a', 64);
        l64[64] = '\0';
        ok(rt_hostname_check("hostname", l64, &e) < 0, "64-character label refused");
        memset(l64, 'a', 65);
        l64[32] = '.';
        l64[65] = '\0';
        ok(rt_hostname_check("hostname", l64, &e) < 0 && strstr(e.msg, "64 characters"),
           "65 characters refused");
        l64[64] = '\0';
        ok(rt_hostname_check("domainname", l64, &e) == 0, "64 characters in two labels ok");
}

/* FS_TOPDIR_FL of dir (-1: the filesystem does not say) */
static int topdir_flag(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fl = 0;
        int r = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0 ? !!(fl & FS_TOPDIR_FL) : -1;
        if (fd >= 0)
                close(fd);
        return r;
}

/* The containers dirs spread their subdirectories over the block groups
 * (base/paths.c), where the filesystem keeps the flag at all: a scratch dir
 * next to them says whether it does. */
static void test_topdir(void)
{
        _cleanup_free_ char *lc = xasprintf("%s/containers", berth_lib_dir());
        _cleanup_free_ char *rc = xasprintf("%s/containers", berth_run_dir());
        _cleanup_free_ char *scratch = xasprintf("%s/topdir-probe", berth_lib_dir());
        err_t err;
        ok(berth_dirs_ensure(&err) == 0, "dirs ensured");
        ok(mkdir(scratch, 0700) == 0, "scratch dir");
        int fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fl = 0;
        bool kept = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0 &&
                    (fl |= FS_TOPDIR_FL, ioctl(fd, FS_IOC_SETFLAGS, &fl) == 0) &&
                    topdir_flag(scratch) == 1;
        if (fd >= 0)
                close(fd);
        rmdir(scratch);
        if (!kept) {
                ok(1, "# SKIP the filesystem of %s keeps no FS_TOPDIR_FL", scratch);
                return;
        }
        is_int(topdir_flag(lc), 1, "lib containers dir spreads its subdirectories");
        is_int(topdir_flag(rc), 1, "run containers dir spreads its subdirectories");
}

int main(void)
{
        test_names();
        test_caps();
        test_ulimits();
        test_store();
        test_topdir();
        if (strcmp(tmpl, "/tmp/berth-unit-ctr.XXXXXX"))
                rm_rf(tmpl, NULL);
        return tap_done();
}
