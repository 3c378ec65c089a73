/* Unit tests for base/mountspec: the one parser of `-v`, `--mount`, `--tmpfs`
 * and compose's short `volumes:` / `tmpfs:` (Docker's rules and texts). */
#include <stdlib.h>
#include <string.h>

#include "base/mountspec.h"
#include "tap.h"

static struct mountspec m;
static err_t err;

/* -v SPEC fails with fault and exactly msg. */
static void v_fails(const char *spec, int fault, const char *msg)
{
        int r = mountspec_parse_volume(spec, MOUNTSPEC_DOCKER, "/cwd", &m, &err);
        ok(r == -fault, "-v %s fails (%d)", spec, r);
        is_str(err.msg, msg, "-v %s: the error", spec);
}

static void mount_fails(const char *spec, int fault, const char *msg)
{
        int r = mountspec_parse_mount(spec, "/cwd", &m, &err);
        ok(r == -fault, "--mount %s fails (%d)", spec, r);
        is_str(err.msg, msg, "--mount %s: the error", spec);
}

static void test_volume(void)
{
        ok(mountspec_parse_volume("/data", MOUNTSPEC_DOCKER, NULL, &m, &err) == 0 &&
               m.type == MOUNT_VOLUME && !m.source && !strcmp(m.target, "/data") && !m.read_only,
           "TARGET alone is an anonymous volume");
        mountspec_free(&m);
        ok(mountspec_parse_volume("/h:/c", MOUNTSPEC_DOCKER, NULL, &m, &err) == 0 &&
               m.type == MOUNT_BIND && !strcmp(m.source, "/h") && !strcmp(m.target, "/c") &&
               m.create_source && !m.read_only,
           "an absolute source is a bind mount, made when missing");
        mountspec_free(&m);
        ok(mountspec_parse_volume("/h:/c:ro", MOUNTSPEC_DOCKER, NULL, &m, &err) == 0 && m.read_only,
           ":ro");
        mountspec_free(&m);
        ok(mountspec_parse_volume("/h:/c:rw,rprivate,z", MOUNTSPEC_DOCKER, NULL, &m, &err) == 0 &&
               !m.read_only && m.selinux == 'z' && !strcmp(m.propagation, "rprivate"),
           "one option of each class");
        mountspec_free(&m);
        ok(mountspec_parse_volume("data-1:/v:ro,nocopy", MOUNTSPEC_DOCKER, NULL, &m, &err) == 0 &&
               m.type == MOUNT_VOLUME && !strcmp(m.source, "data-1") && m.read_only && m.nocopy,
           "a name is a volume; nocopy");
        mountspec_free(&m);
        ok(mountspec_parse_volume("./sub/../d:/c", MOUNTSPEC_DOCKER, "/work", &m, &err) == 0 &&
               m.type == MOUNT_BIND && !strcmp(m.source, "/work/d"),
           "./ is made absolute against the current directory (docker CLI)");
        mountspec_free(&m);
        ok(mountspec_parse_volume(".:/c", MOUNTSPEC_DOCKER, "/work", &m, &err) == 0 &&
               !strcmp(m.source, "/work"),
           "'.' is the current directory");
        mountspec_free(&m);
        ok(mountspec_parse_volume("/h:/c:", MOUNTSPEC_DOCKER, NULL, &m, &err) == 0, "empty mode");
        mountspec_free(&m);

        v_fails("", MOUNTSPEC_BAD_SPEC, "invalid volume specification: ''");
        v_fails(":/c", MOUNTSPEC_BAD_SPEC, "invalid volume specification: ':/c'");
        v_fails("/a:/b:ro:x", MOUNTSPEC_BAD_SPEC, "invalid volume specification: '/a:/b:ro:x'");
        v_fails("/a:ro", MOUNTSPEC_BAD_SPEC, "invalid volume specification: '/a:ro'");
        v_fails("/a:", MOUNTSPEC_BAD_SPEC, "invalid volume specification: '/a:'");
        v_fails("/a:/b:rx", MOUNTSPEC_BAD_MODE, "invalid mode: rx");
        v_fails("/a:/b:ro,rw", MOUNTSPEC_BAD_MODE, "invalid mode: ro,rw");
        v_fails("/a:/b:ro,", MOUNTSPEC_BAD_MODE, "invalid mode: ro,");
        v_fails("/a:b", MOUNTSPEC_BAD_TARGET,
                "invalid volume specification: '/a:b': invalid mount config for type \"bind\": "
                "invalid mount path: 'b' mount path must be absolute");
        v_fails("v1:/", MOUNTSPEC_BAD_TARGET,
                "invalid volume specification: 'v1:/': invalid mount config for type \"volume\": "
                "invalid specification: destination can't be '/'");
        v_fails("/a:/b/..", MOUNTSPEC_BAD_TARGET,
                "invalid volume specification: '/a:/b/..': invalid mount config for type "
                "\"bind\": invalid specification: destination can't be '/'");
        v_fails("/a:/b:nocopy", MOUNTSPEC_MIXED,
                "invalid volume specification: '/a:/b:nocopy': invalid mount config for type "
                "\"bind\": field VolumeOptions must not be specified");
        v_fails("v1:/b:shared", MOUNTSPEC_MIXED,
                "invalid volume specification: 'v1:/b:shared': invalid mount config for type "
                "\"volume\": field BindOptions must not be specified");
        v_fails("../x:/b", MOUNTSPEC_BAD_SOURCE,
                "create ../x: \"../x\" includes invalid characters for a local volume name, only "
                "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                "directory, use absolute path");
        ok(mountspec_parse_volume("./x:/b", MOUNTSPEC_DOCKER, NULL, &m, &err) ==
               -MOUNTSPEC_BAD_SOURCE,
           "./ with no current directory is not a volume name either");
}

static void test_compose_short(void)
{
        ok(mountspec_parse_volume("./d:/c:ro,z,rshared", MOUNTSPEC_COMPOSE, NULL, &m, &err) == 0 &&
               m.type == MOUNT_BIND && !strcmp(m.source, "./d") && m.read_only &&
               m.selinux == 'z' && !strcmp(m.propagation, "rshared") && m.create_source,
           "compose: a relative source stays as written (compose resolves it)");
        mountspec_free(&m);
        ok(mountspec_parse_volume("~/d:/c", MOUNTSPEC_COMPOSE, NULL, &m, &err) == 0 &&
               m.type == MOUNT_BIND,
           "compose: ~ is a host path");
        mountspec_free(&m);
        ok(mountspec_parse_volume("db:/c:ro,rw,,cached", MOUNTSPEC_COMPOSE, NULL, &m, &err) == 0 &&
               m.type == MOUNT_VOLUME && !m.read_only,
           "compose: the last of ro/rw wins, empty options are skipped");
        mountspec_free(&m);
        ok(mountspec_parse_volume("/c", MOUNTSPEC_COMPOSE, NULL, &m, &err) == 0 && !m.source,
           "compose: anonymous");
        mountspec_free(&m);
        const struct {
                const char *spec, *msg;
        } bad[] = {
            {"a:/b:ro:x", "invalid volume \"a:/b:ro:x\": too many colons"},
            {":/b", "invalid volume \":/b\": empty section between colons"},
            {"./h:h", "invalid volume \"./h:h\": the target \"h\" must be an absolute path"},
            {"a:/b:bogus", "invalid volume \"a:/b:bogus\": unknown option \"bogus\""},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ok(mountspec_parse_volume(bad[i].spec, MOUNTSPEC_COMPOSE, NULL, &m, &err) < 0,
                   "compose: %s fails", bad[i].spec);
                is_str(err.msg, bad[i].msg, "compose: %s: its wording", bad[i].spec);
        }
}

static void test_mount(void)
{
        ok(mountspec_parse_mount("type=bind,source=/h,target=/m,readonly", NULL, &m, &err) == 0 &&
               m.type == MOUNT_BIND && !strcmp(m.source, "/h") && m.read_only && !m.create_source,
           "bind, readonly; a missing source is refused, not made");
        mountspec_free(&m);
        ok(mountspec_parse_mount("Target=/w,SRC=v1,ro=false,volume-nocopy", NULL, &m, &err) == 0 &&
               m.type == MOUNT_VOLUME && !strcmp(m.source, "v1") && !m.read_only && m.nocopy,
           "volume by default; keys in any case");
        mountspec_free(&m);
        ok(mountspec_parse_mount("type=volume,dst=/x", NULL, &m, &err) == 0 && !m.source,
           "anonymous volume");
        mountspec_free(&m);
        ok(mountspec_parse_mount("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=0700,ro", NULL, &m,
                                 &err) == 0 &&
               m.type == MOUNT_TMPFS && !strcmp(m.tmpfs_opts, "size=1m,mode=0700,ro"),
           "tmpfs options kept as written, in order");
        mountspec_free(&m);
        ok(mountspec_parse_mount("type=bind,src=./d,dst=/m,bind-propagation=RSLAVE", "/w", &m,
                                 &err) == 0 &&
               !strcmp(m.source, "/w/d") && !strcmp(m.propagation, "rslave"),
           "./ source made absolute; propagation");
        mountspec_free(&m);

        mount_fails("type=bind,source=/h", MOUNTSPEC_BAD_TARGET,
                    "invalid argument \"type=bind,source=/h\" for \"--mount\" flag: target is "
                    "required");
        mount_fails("type=,target=/x", MOUNTSPEC_BAD_TYPE,
                    "invalid argument \"type=,target=/x\" for \"--mount\" flag: type is required");
        mount_fails("target", MOUNTSPEC_BAD_FIELD,
                    "invalid argument \"target\" for \"--mount\" flag: invalid field 'target' "
                    "must be a key=value pair");
        mount_fails("target=/x,,ro", MOUNTSPEC_BAD_FIELD,
                    "invalid argument \"target=/x,,ro\" for \"--mount\" flag: invalid field '' "
                    "must be a key=value pair");
        mount_fails("target=/x,color=red", MOUNTSPEC_BAD_FIELD,
                    "invalid argument \"target=/x,color=red\" for \"--mount\" flag: unexpected "
                    "key 'color' in 'color=red'");
        mount_fails("target=/x,readonly=yes", MOUNTSPEC_BAD_FIELD,
                    "invalid argument \"target=/x,readonly=yes\" for \"--mount\" flag: invalid "
                    "value for readonly: yes");
        mount_fails("type=tmpfs,target=/x,tmpfs-mode=9", MOUNTSPEC_BAD_FIELD,
                    "invalid argument \"type=tmpfs,target=/x,tmpfs-mode=9\" for \"--mount\" "
                    "flag: invalid value for tmpfs-mode: 9");
        mount_fails("type=tmpfs,target=/x,tmpfs-size=lots", MOUNTSPEC_BAD_FIELD,
                    "invalid argument \"type=tmpfs,target=/x,tmpfs-size=lots\" for \"--mount\" "
                    "flag: invalid value for tmpfs-size: lots");
        mount_fails("type=bind,src=/h,target=/x,tmpfs-size=1m", MOUNTSPEC_MIXED,
                    "invalid argument \"type=bind,src=/h,target=/x,tmpfs-size=1m\" for "
                    "\"--mount\" flag: cannot mix 'tmpfs-*' options with mount type 'bind'");
        mount_fails("target=/x,volume-opt=o=1", MOUNTSPEC_UNSUPPORTED,
                    "invalid argument \"target=/x,volume-opt=o=1\" for \"--mount\" flag: "
                    "volume-opt=o=1 is not supported by berth");
        mount_fails("type=bind,target=/x", MOUNTSPEC_BAD_SOURCE,
                    "invalid mount config for type \"bind\": field Source must not be empty");
        mount_fails("type=bind,src=rel,target=/x", MOUNTSPEC_BAD_SOURCE,
                    "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path "
                    "must be absolute");
        mount_fails("type=tmpfs,src=/h,target=/x", MOUNTSPEC_BAD_SOURCE,
                    "invalid mount config for type \"tmpfs\": field Source must not be specified");
        mount_fails("type=volume,target=/x,readonly", MOUNTSPEC_BAD_MODE,
                    "invalid mount config for type \"volume\": must not set ReadOnly mode when "
                    "using anonymous volumes");
        mount_fails("type=bind,src=/h,target=/x,bind-propagation=sideways", MOUNTSPEC_BAD_MODE,
                    "invalid mount config for type \"bind\": invalid propagation mode: sideways");
        mount_fails("type=fish,target=/x", MOUNTSPEC_BAD_TYPE,
                    "invalid mount config for type \"fish\": mount type unknown");
        mount_fails("type=image,target=/x", MOUNTSPEC_UNSUPPORTED,
                    "--mount type=image is not supported by berth");
}

static void test_tmpfs(void)
{
        ok(mountspec_parse_tmpfs("/run:size=1m,noexec", &m, &err) == 0 && m.type == MOUNT_TMPFS &&
               !strcmp(m.target, "/run") && !strcmp(m.tmpfs_opts, "size=1m,noexec") && !m.source,
           "--tmpfs TARGET:OPTIONS");
        mountspec_free(&m);
        ok(mountspec_parse_tmpfs("/t", &m, &err) == 0 && !strcmp(m.tmpfs_opts, ""),
           "--tmpfs TARGET");
        mountspec_free(&m);
        ok(mountspec_parse_tmpfs("t:size=1m", &m, &err) == -MOUNTSPEC_BAD_TARGET, "relative");
        is_str(err.msg,
               "invalid mount config for type \"tmpfs\": invalid mount path: 't' mount path must "
               "be absolute",
               "relative: the error");
        ok(mountspec_parse_tmpfs(":x", &m, &err) == -MOUNTSPEC_BAD_TARGET, "empty target");
}

static void test_names(void)
{
        ok(mountspec_volume_name_valid("ab") && mountspec_volume_name_valid("a_b.c-1"),
           "volume names");
        ok(!mountspec_volume_name_valid("a") && !mountspec_volume_name_valid("_ab") &&
               !mountspec_volume_name_valid("a/b") && !mountspec_volume_name_valid(NULL),
           "not volume names");
}

int main(void)
{
        test_volume();
        test_compose_short();
        test_mount();
        test_tmpfs();
        test_names();
        return tap_done();
}
