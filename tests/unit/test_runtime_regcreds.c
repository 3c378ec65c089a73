/* Registry credentials: Docker's config.json (auths, identity tokens, key
 * spellings), atomic 0600 writes keeping unknown keys, and credential helpers
 * spoken to with Docker's protocol (a real peer process: a small python3
 * docker-credential-test written here). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/fsutil.h"
#include "runtime/registry_creds.h"
#include "tap.h"

static char dir[256];

static char *slurp(const char *name)
{
        char path[512], *s = NULL;
        size_t n;
        err_t err;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (read_file(path, &s, &n, &err) < 0)
                return NULL;
        return s;
}

static void put(const char *name, const char *text, int mode)
{
        char path[512];
        err_t err;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        unlink(path);
        if (atomic_write_file(path, text, strlen(text), (mode_t)mode, &err) < 0)
                tap_diag("write %s: %s", path, err.msg);
        chmod(path, (mode_t)mode);
}

static int parse(const char *json, const char *server, char **u, char **s, char **h, err_t *err)
{
        return reg_creds_parse(json, strlen(json), server, u, s, h, err);
}

static void test_parse(void)
{
        char *u, *s, *h;
        err_t err = {0};
        /* dXNlcjpwYTpzcw== is base64("user:pa:ss") */
        const char *cfg = "{\"auths\":{\"localhost:5000\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
                          "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnB3\"},"
                          "\"https://reg.example.com:444/v2/\":{\"auth\":\"dTI6cDI=\"},"
                          "\"tok.example\":{\"auth\":\"\",\"identitytoken\":\"rt-123\"},"
                          "\"plain.example\":{\"username\":\"pu\",\"password\":\"pp\"},"
                          "\"empty.example\":{}},\"psFormat\":\"x\"}";
        is_int(parse(cfg, "localhost:5000", &u, &s, &h, &err), 1, "auth entry found");
        is_str(u, "user", "user before the first colon");
        is_str(s, "pa:ss", "secret keeps later colons");
        free(u);
        reg_secret_free(s);
        is_int(parse(cfg, "docker.io", &u, &s, &h, &err), 1, "docker.io uses Docker Hub's key");
        is_str(u, "hub", "docker hub user");
        free(u);
        reg_secret_free(s);
        is_int(parse(cfg, "reg.example.com:444", &u, &s, &h, &err), 1,
               "a key written as URL matches its host");
        is_str(s, "p2", "secret of the URL key");
        free(u);
        reg_secret_free(s);
        is_int(parse(cfg, "tok.example", &u, &s, &h, &err), 1, "identity token entry");
        is_str(u, REG_CREDS_TOKEN_USER, "identity token comes back as <token>");
        is_str(s, "rt-123", "the token is the secret");
        free(u);
        reg_secret_free(s);
        is_int(parse(cfg, "plain.example", &u, &s, &h, &err), 1, "username/password fields");
        free(u);
        reg_secret_free(s);
        is_int(parse(cfg, "empty.example", &u, &s, &h, &err), 0, "an empty entry is no login");
        is_int(parse(cfg, "other:5000", &u, &s, &h, &err), 0, "unknown registry: none");
        is_int(parse("", "x", &u, &s, &h, &err), 0, "empty file: none");
        is_int(parse("{}", "x", &u, &s, &h, &err), 0, "no auths: none");

        ok(parse("{\"auths\":{\"x\":{\"auth\":\"!!!c2VjcmV0\"}}}", "x", &u, &s, &h, &err) < 0,
           "invalid base64 is an error");
        ok(strstr(err.msg, "\"x\"") || strstr(err.msg, " x:"), "the error names the registry: %s",
           err.msg);
        ok(!strstr(err.msg, "c2VjcmV0"), "the error does not quote the auth value");
        /* c2VjcmV0 = base64("secret"): no colon */
        ok(parse("{\"auths\":{\"x\":{\"auth\":\"c2VjcmV0\"}}}", "x", &u, &s, &h, &err) < 0,
           "auth without user:password is an error");
        ok(!strstr(err.msg, "secret"), "the error does not show the decoded secret: %s", err.msg);
        ok(parse("{\"auths\":[]}", "x", &u, &s, &h, &err) < 0, "auths not an object");
        ok(parse("{\"auths\":{\"x\":{\"auth\":5}}}", "x", &u, &s, &h, &err) < 0,
           "auth not a string");
        ok(parse("[1]", "x", &u, &s, &h, &err) < 0, "top level not an object");
        ok(parse("{\"auths\":", "x", &u, &s, &h, &err) < 0 && strstr(err.msg, "line"),
           "truncated JSON names the position: %s", err.msg);
        ok(parse("{\"a\":1,\"a\":2}", "x", &u, &s, &h, &err) < 0, "duplicate keys rejected");

        is_int(parse("{\"credsStore\":\"pass\",\"auths\":{\"x\":{\"auth\":\"dTpw\"}}}", "x", &u, &s,
                     &h, &err),
               2, "credsStore: the helper keeps it");
        is_str(h, "pass", "the store's name");
        free(h);
        is_int(parse("{\"credsStore\":\"pass\",\"credHelpers\":{\"https://index.docker.io/v1/\":"
                     "\"hub\"}}",
                     "docker.io", &u, &s, &h, &err),
               2, "credHelpers wins over credsStore");
        is_str(h, "hub", "the per-registry helper");
        free(h);
        ok(parse("{\"credsStore\":\"../../bin/sh\"}", "x", &u, &s, &h, &err) < 0,
           "a helper name with a path is refused");
        ok(parse("{\"credHelpers\":{\"x\":1}}", "x", &u, &s, &h, &err) < 0,
           "a helper that is not a string is refused");
}

/* reg_creds_get(host) finds a login; user, secret: what it must hold (NULL: any) */
static void creds_found(const char *host, const char *user, const char *secret, const char *what)
{
        char *u = NULL, *s = NULL;
        err_t err = {0};
        is_int(reg_creds_get(host, &u, &s, &err), 1, "%s", what);
        if (user)
                is_str(u, user, "%s: the user", what);
        if (secret)
                is_str(s, secret, "%s: the secret", what);
        free(u);
        reg_secret_free(s);
}

static const char *helper_py =
    "#!/usr/bin/env python3\n"
    "import json, os, sys\n"
    "d = os.path.dirname(os.path.abspath(__file__))\n"
    "with open(os.path.join(d, 'argv.log'), 'a') as f: f.write(' '.join(sys.argv[1:]) + '\\n')\n"
    "db = os.path.join(d, 'store.json')\n"
    "s = json.load(open(db)) if os.path.exists(db) else {}\n"
    "data = sys.stdin.read()\n"
    "a = sys.argv[1]\n"
    "if a == 'store':\n"
    "    r = json.loads(data); s[r['ServerURL']] = r; json.dump(s, open(db, 'w'))\n"
    "elif a == 'get':\n"
    "    if data.strip() not in s:\n"
    "        print('credentials not found in native keychain'); sys.exit(1)\n"
    "    print(json.dumps(s[data.strip()]))\n"
    "elif a == 'erase':\n"
    "    if data.strip() not in s:\n"
    "        print('credentials not found in native keychain'); sys.exit(1)\n"
    "    del s[data.strip()]; json.dump(s, open(db, 'w'))\n"
    "else:\n"
    "    print('unknown action'); sys.exit(1)\n";

static void test_file_store(void)
{
        err_t err = {0};
        char *u, *s;
        char cfgpath[300];
        snprintf(cfgpath, sizeof(cfgpath), "%s/config.json", dir);
        char *p = reg_creds_config_path();
        is_str(p, cfgpath, "DOCKER_CONFIG decides the path");
        free(p);

        is_int(reg_creds_get("localhost:5000", &u, &s, &err), 0, "no file: no credentials");
        put("config.json",
            "{\"psFormat\":\"table {{.ID}}\",\"auths\":{\"http://localhost:5000\":{\"auth\":"
            "\"b2xkOm9sZA==\"}},\"HttpHeaders\":{\"X-A\":\"b\"}}",
            0644);
        is_int(reg_creds_store("localhost:5000", "alice", "pw:1", &err), 1,
               "store in config.json: 1 (plain base64, caller warns)");
        struct stat st;
        ok(stat(cfgpath, &st) == 0 && (st.st_mode & 0777) == 0600, "config.json is 0600 (%o)",
           st.st_mode & 0777);
        char *t = slurp("config.json");
        json_t *j = t ? json_loads(t, 0, NULL) : NULL;
        ok(j != NULL, "config.json stays valid JSON");
        is_str(json_string_value(json_object_get(j, "psFormat")), "table {{.ID}}",
               "unknown key psFormat kept");
        ok(json_object_get(json_object_get(j, "HttpHeaders"), "X-A") != NULL,
           "unknown key HttpHeaders kept");
        json_t *auths = json_object_get(j, "auths");
        is_int(json_object_size(auths), 1, "the other spelling of the same registry replaced");
        is_str(json_string_value(json_object_get(json_object_get(auths, "localhost:5000"), "auth")),
               "YWxpY2U6cHc6MQ==", "auth is base64(user:secret)");
        ok(t && strstr(t, "\n\t\"auths\": {\n\t\t\"localhost:5000\""), "indented with tabs");
        json_decref(j);
        free(t);
        creds_found("localhost:5000", "alice", "pw:1", "get after store");

        is_int(reg_creds_store("docker.io", "hubu", "hubp", &err), 1, "store for docker.io");
        t = slurp("config.json");
        ok(t && strstr(t, "\"https://index.docker.io/v1/\""), "docker.io under Docker Hub's key");
        free(t);
        creds_found("index.docker.io", NULL, NULL, "index.docker.io finds it too");

        is_int(reg_creds_erase("localhost:5000", &err), 1, "erase: removed");
        is_int(reg_creds_erase("localhost:5000", &err), 0, "erase again: nothing to remove");
        is_int(reg_creds_get("localhost:5000", &u, &s, &err), 0, "gone after erase");
        creds_found("docker.io", NULL, NULL, "the other login stays");

        /* a symlinked config.json is updated where it points */
        put("real.json", "{\"auths\":{}}", 0600);
        char link[300], real[300];
        snprintf(link, sizeof(link), "%s/config.json", dir);
        snprintf(real, sizeof(real), "%s/real.json", dir);
        unlink(link);
        ok(symlink("real.json", link) == 0, "config.json as a symlink");
        is_int(reg_creds_store("r.example", "u", "p", &err), 1, "store through the symlink");
        ok(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the symlink stays a symlink");
        t = slurp("real.json");
        ok(t && strstr(t, "r.example"), "the target got the entry");
        free(t);
        unlink(link);

        put("config.json", "{\"auths\": 5}", 0600);
        ok(reg_creds_get("x", &u, &s, &err) < 0 && strstr(err.msg, "config.json"),
           "a malformed file is an error naming it: %s", err.msg);
        ok(reg_creds_store("x", "u", "p", &err) < 0, "store refuses to overwrite a malformed file");
        t = slurp("config.json");
        is_str(t, "{\"auths\": 5}", "the malformed file is left as it was");
        free(t);
        unlink(cfgpath);
}

static void test_helpers(void)
{
        err_t err = {0};
        char *u, *s, path[300];
        snprintf(path, sizeof(path), "%s/docker-credential-test", dir);
        put("docker-credential-test", helper_py, 0755);
        put("docker-credential-quit", "#!/bin/sh\necho refused\nexit 3\n", 0755);
        put("config.json", "{\"credsStore\":\"test\",\"credHelpers\":{\"q.example\":\"quit\"}}",
            0600);
        const char *oldpath = getenv("PATH");
        char *np = NULL;
        if (asprintf(&np, "%s:%s", dir, oldpath ? oldpath : "/usr/bin:/bin") < 0)
                return;
        setenv("PATH", np, 1);
        free(np);

        is_int(reg_creds_get("localhost:5000", &u, &s, &err), 0, "helper: not found is none");
        is_int(reg_creds_store("localhost:5000", "bob", "helper-secret-42", &err), 0,
               "store through credsStore: 0 (helper keeps it)");
        char *t = slurp("config.json");
        ok(t && !strstr(t, "helper-secret-42") && !strstr(t, "Ym9i"),
           "config.json holds no secret");
        ok(t && strstr(t, "\"localhost:5000\": {}"), "config.json marks the login (empty entry)");
        ok(t && strstr(t, "\"credsStore\": \"test\""), "credsStore kept");
        free(t);
        creds_found("localhost:5000", "bob", "helper-secret-42", "get through the helper");
        t = slurp("argv.log");
        ok(t && !strstr(t, "secret") && !strstr(t, "localhost"),
           "the helper's arguments carry only the action");
        free(t);
        is_int(reg_creds_erase("localhost:5000", &err), 1, "erase through the helper");
        is_int(reg_creds_get("localhost:5000", &u, &s, &err), 0, "helper forgot it");
        t = slurp("config.json");
        ok(t && !strstr(t, "localhost:5000"), "the marker entry is gone");
        free(t);

        /* a helper that refuses without reading its input: an error with its
         * message, no SIGPIPE, and the big secret nowhere in the message */
        size_t big = 300000;
        char *sec = malloc(big + 1);
        memset(sec, 'S', big);
        sec[big] = 0;
        ok(reg_creds_store("q.example", "u", sec, &err) < 0, "failing helper: store fails");
        ok(strstr(err.msg, "docker-credential-quit store") && strstr(err.msg, "refused"),
           "the error names the helper and its message: %s", err.msg);
        ok(!strstr(err.msg, "SSSS"), "the secret is not in the error");
        free(sec);
        ok(reg_creds_get("q.example", &u, &s, &err) < 0, "failing helper: get fails");

        put("config.json", "{\"credsStore\":\"nonexistent-berth-test\"}", 0600);
        ok(reg_creds_get("x", &u, &s, &err) < 0 && err.code == ENOENT &&
               strstr(err.msg, "docker-credential-nonexistent-berth-test not found"),
           "missing helper: %s", err.msg);
        setenv("PATH", oldpath ? oldpath : "/usr/bin:/bin", 1);
}

int main(void)
{
        snprintf(dir, sizeof(dir), "/tmp/berth-regcreds.XXXXXX");
        if (!mkdtemp(dir))
                return 1;
        setenv("DOCKER_CONFIG", dir, 1);
        is_str(reg_creds_key("docker.io"), REG_CREDS_DOCKER_HUB_KEY, "docker.io key");
        is_str(reg_creds_key("registry-1.docker.io"), REG_CREDS_DOCKER_HUB_KEY, "registry-1 key");
        is_str(reg_creds_key("localhost:5000"), "localhost:5000", "other registries as given");
        test_parse();
        test_file_store();
        test_helpers();
        err_t err;
        rm_rf(dir, &err);
        return tap_done();
}
