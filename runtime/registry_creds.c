/* registry_creds.c - Docker's config.json credentials and credential helpers
 * (see registry_creds.h). */
#include "registry_creds.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "names.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "strbuf.h"
#include "subproc.h"
#include "xalloc.h"

#define CONFIG_MAX    (16u << 20) /* bytes of config.json we read */
#define HELPER_OUT    (1u << 20)  /* bytes of a helper's answer */
#define NOT_FOUND_MSG "credentials not found in native keychain"

void reg_secret_free(char *s)
{
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

static void sb_free_secret(strbuf_t *sb)
{
        if (sb->s)
                explicit_bzero(sb->s, sb->cap);
        sb_free(sb);
}

const char *reg_creds_key(const char *server)
{
        static const char *const hub[] = {"docker.io",
                                          "index.docker.io",
                                          "registry-1.docker.io",
                                          "registry.hub.docker.com",
                                          REG_CREDS_DOCKER_HUB_KEY,
                                          "https://index.docker.io/v1",
                                          "https://index.docker.io",
                                          "https://docker.io",
                                          "https://registry-1.docker.io"};
        for (size_t i = 0; i < ARRAY_SIZE(hub); i++)
                if (!strcmp(server, hub[i]))
                        return REG_CREDS_DOCKER_HUB_KEY;
        return server;
}

/* Docker's ConvertToHostname: drop the scheme and everything from the first
 * '/'.  Caller frees. */
static char *key_host(const char *key)
{
        if (!strncmp(key, "http://", 7))
                key += 7;
        else if (!strncmp(key, "https://", 8))
                key += 8;
        return xstrndup(key, strcspn(key, "/"));
}

static bool key_matches(const char *stored, const char *key)
{
        if (!strcmp(stored, key))
                return true;
        _cleanup_free_ char *a = key_host(stored);
        _cleanup_free_ char *b = key_host(key);
        return !strcmp(a, b);
}

/* The member of obj for key: an exact match first, then one whose host
 * matches.  NULL when none. */
static json_t *obj_lookup(json_t *obj, const char *key, const char **found)
{
        json_t *v = json_object_get(obj, key);
        const char *k;
        if (v) {
                if (found)
                        *found = key;
                return v;
        }
        json_object_foreach(obj, k, v)
        {
                if (key_matches(k, key)) {
                        if (found)
                                *found = k;
                        return v;
                }
        }
        return NULL;
}

static bool helper_name_ok(const char *n)
{
        return strlen(n) <= 100 && name_ok(n, false);
}

/* The helper configured for key (credHelpers, then credsStore): 1 and
 * *helper set, 0 none, < 0 malformed. */
static int find_helper(json_t *root, const char *key, char **helper, err_t *err)
{
        json_t *ch = json_object_get(root, "credHelpers");
        const char *name = NULL;
        if (ch && !json_is_null(ch)) {
                if (!json_is_object(ch))
                        return err_set(err, EINVAL, "\"credHelpers\" is not an object");
                json_t *h = obj_lookup(ch, key, NULL);
                if (h) {
                        if (!json_is_string(h))
                                return err_set(err, EINVAL,
                                               "\"credHelpers\" entry for %s is not a string", key);
                        name = json_string_value(h);
                }
        }
        if (!name || !*name) {
                json_t *cs = json_object_get(root, "credsStore");
                if (cs && !json_is_null(cs)) {
                        if (!json_is_string(cs))
                                return err_set(err, EINVAL, "\"credsStore\" is not a string");
                        name = json_string_value(cs);
                }
        }
        if (!name || !*name)
                return 0;
        if (!helper_name_ok(name))
                return err_set(err, EINVAL,
                               "credential helper name \"%.100s\" is not valid (letters, digits, "
                               "'.', '_', '-')",
                               name);
        *helper = xstrdup(name);
        return 1;
}

/* Standard base64 with padding; the result is NUL-terminated. */
static int b64_decode(const char *in, size_t n, char **out, size_t *outlen)
{
        if (n % 4 || n > (1u << 20))
                return -1;
        for (size_t i = 0; i < n; i++) {
                char c = in[i];
                bool pad = c == '=' && i >= n - 2 && (i == n - 1 || in[n - 1] == '=');
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '/' || pad))
                        return -1;
        }
        unsigned char *buf = xmalloc(n / 4 * 3 + 1);
        int r = n ? EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n) : 0;
        if (r < 0) {
                free(buf);
                return -1;
        }
        if (n && in[n - 1] == '=')
                r--;
        if (n && in[n - 2] == '=')
                r--;
        buf[r] = 0;
        *out = (char *)buf;
        *outlen = (size_t)r;
        return 0;
}

static char *b64_encode(const char *in, size_t n)
{
        char *buf = xmalloc(4 * ((n + 2) / 3) + 1);
        EVP_EncodeBlock((unsigned char *)buf, (const unsigned char *)in, (int)n);
        return buf;
}

/* user and secret of one auths entry: 1 found, 0 empty entry, < 0 bad. */
static int auth_entry(json_t *e, const char *key, char **user, char **secret, err_t *err)
{
        if (!json_is_object(e))
                return err_set(err, EINVAL, "\"auths\" entry for %s is not an object", key);
        json_t *tok = json_object_get(e, "identitytoken");
        if (json_is_string(tok) && json_string_length(tok)) {
                *user = xstrdup(REG_CREDS_TOKEN_USER);
                *secret = xstrdup(json_string_value(tok));
                return 1;
        }
        json_t *a = json_object_get(e, "auth");
        if (a && !json_is_string(a))
                return err_set(err, EINVAL, "\"auths\" entry for %s: \"auth\" is not a string",
                               key);
        if (a && json_string_length(a)) {
                char *dec;
                size_t dl;
                if (b64_decode(json_string_value(a), json_string_length(a), &dec, &dl) < 0)
                        return err_set(err, EINVAL,
                                       "\"auths\" entry for %s: \"auth\" is not valid base64", key);
                char *colon = memchr(dec, ':', dl);
                if (!colon || memchr(dec, 0, dl)) {
                        explicit_bzero(dec, dl);
                        free(dec);
                        return err_set(err, EINVAL,
                                       "\"auths\" entry for %s: \"auth\" is not base64 of "
                                       "user:password",
                                       key);
                }
                *user = xstrndup(dec, (size_t)(colon - dec));
                *secret = xstrdup(colon + 1);
                explicit_bzero(dec, dl);
                free(dec);
                return 1;
        }
        json_t *u = json_object_get(e, "username"), *p = json_object_get(e, "password");
        if (json_is_string(u) && json_string_length(u) && json_is_string(p)) {
                *user = xstrdup(json_string_value(u));
                *secret = xstrdup(json_string_value(p));
                return 1;
        }
        return 0;
}

static int parse_root(const char *text, size_t len, json_t **out, err_t *err)
{
        json_error_t je;
        /* Docker accepts an empty file as an empty configuration. */
        size_t i = 0;
        while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
                i++;
        if (i == len) {
                *out = json_object();
                return 0;
        }
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!root)
                return err_set(err, EINVAL, "line %d column %d: %s", je.line, je.column, je.text);
        if (!json_is_object(root)) {
                json_decref(root);
                return err_set(err, EINVAL, "not a JSON object");
        }
        *out = root;
        return 0;
}

int reg_creds_parse(const char *json, size_t len, const char *server, char **user, char **secret,
                    char **helper, err_t *err)
{
        _cleanup_json_ json_t *root = NULL;
        const char *key = reg_creds_key(server);
        *user = *secret = *helper = NULL;
        if (parse_root(json, len, &root, err) < 0)
                return -1;
        int r = find_helper(root, key, helper, err);
        if (r != 0)
                return r < 0 ? r : 2;
        json_t *auths = json_object_get(root, "auths");
        if (!auths || json_is_null(auths))
                return 0;
        if (!json_is_object(auths))
                return err_set(err, EINVAL, "\"auths\" is not an object");
        const char *found = NULL;
        json_t *e = obj_lookup(auths, key, &found);
        if (!e)
                return 0;
        return auth_entry(e, found, user, secret, err);
}

char *reg_creds_config_path(void)
{
        const char *d = getenv("DOCKER_CONFIG");
        if (d && *d)
                return xasprintf("%s/config.json", d);
        const char *home = getenv("HOME");
        if (!home || !*home) {
                struct passwd *pw = getpwuid(getuid());
                home = pw && pw->pw_dir ? pw->pw_dir : "/";
        }
        return xasprintf("%s/.docker/config.json", home);
}

/* Read config.json: 0 and *root (an empty object when the file is absent). */
static int load_config(const char *path, json_t **root, err_t *err)
{
        char *text = NULL;
        size_t len = 0;
        err_t e2 = {0};
        if (read_file_at(AT_FDCWD, path, CONFIG_MAX, &text, &len, &e2) < 0) {
                if (e2.code == ENOENT) {
                        *root = json_object();
                        return 0;
                }
                *err = e2;
                return -1;
        }
        int r = parse_root(text, len, root, err);
        explicit_bzero(text, len);
        free(text);
        if (r < 0)
                return err_wrap(err, "%s", path);
        return 0;
}

/* --- credential helpers ---------------------------------------------------- */

/* Run docker-credential-NAME ACTION with input on stdin; collect stdout and
 * the exit status.  No shell, nothing secret in the arguments. */
static int helper_run(const char *name, const char *action, const char *input, size_t inlen,
                      strbuf_t *out, int *status, err_t *err)
{
        char prog[160];
        snprintf(prog, sizeof(prog), "docker-credential-%s", name);
        char *argv[] = {prog, (char *)action, NULL};
        if (subproc_pipe(prog, argv, input, inlen, HELPER_OUT, out, status, err) < 0) {
                if (err && err->code == ENOENT)
                        return err_set(err, ENOENT,
                                       "credential helper %s not found in PATH (install it, or "
                                       "remove \"credsStore\"/\"credHelpers\" from config.json)",
                                       prog);
                return err_wrap(err, "credential helper %s %s", prog, action);
        }
        return 0;
}

static bool helper_ok(int st)
{
        return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The helper's message for an error: its first line, bounded.  Helpers
 * answer errors with a message on stdout, never the secret. */
static int helper_fail(const char *name, const char *action, const strbuf_t *out, int st,
                       err_t *err)
{
        const char *s = sb_str(out);
        int n = (int)strcspn(s, "\n");
        if (n > 300)
                n = 300;
        if (WIFSIGNALED(st))
                return err_set(err, EIO, "docker-credential-%s %s: killed by signal %d", name,
                               action, WTERMSIG(st));
        return err_set(err, EIO, "docker-credential-%s %s: %.*s", name, action, n,
                       n ? s : "failed with no message");
}

static int helper_get(const char *name, const char *key, char **user, char **secret, err_t *err)
{
        strbuf_t out = STRBUF_INIT;
        int st;
        if (helper_run(name, "get", key, strlen(key), &out, &st, err) < 0) {
                sb_free_secret(&out);
                return -1;
        }
        if (!helper_ok(st)) {
                int r = strstr(sb_str(&out), NOT_FOUND_MSG)
                            ? 0
                            : helper_fail(name, "get", &out, st, err);
                sb_free_secret(&out);
                return r;
        }
        json_error_t je;
        json_t *j = json_loadb(sb_str(&out), out.len, 0, &je);
        sb_free_secret(&out);
        if (!j || !json_is_object(j)) {
                json_decref(j);
                return err_set(err, EINVAL, "docker-credential-%s get: answer is not a JSON object",
                               name);
        }
        json_t *u = json_object_get(j, "Username"), *s = json_object_get(j, "Secret");
        int r = 0;
        if (json_is_string(s) && json_string_length(s)) {
                *user = xstrdup(json_is_string(u) ? json_string_value(u) : "");
                *secret = xstrdup(json_string_value(s));
                r = 1;
        }
        if (json_is_string(s))
                explicit_bzero((char *)json_string_value(s), json_string_length(s));
        json_decref(j);
        return r;
}

/* What get, store and erase start from: the config path, its contents (an
 * empty object when absent), the key for the server, and the credential
 * helper that serves it. */
struct creds_cfg {
        char *path;
        json_t *root;
        const char *key;
        char *helper;
};

static void creds_cfg_free(struct creds_cfg *c)
{
        free(c->path);
        json_decref(c->root);
        free(c->helper);
}

/* 1 when a helper serves the server, 0 when config.json does, -1 on error
 * (err names the file). */
static int open_config(const char *server, struct creds_cfg *c, err_t *err)
{
        c->path = reg_creds_config_path();
        c->key = reg_creds_key(server);
        if (load_config(c->path, &c->root, err) < 0)
                return -1;
        int r = find_helper(c->root, c->key, &c->helper, err);
        if (r < 0)
                return err_wrap(err, "%s", c->path);
        return r;
}

int reg_creds_get(const char *server, char **user, char **secret, err_t *err)
{
        _cleanup_(creds_cfg_free) struct creds_cfg c = {0};
        *user = *secret = NULL;
        int r = open_config(server, &c, err);
        if (r < 0)
                return -1;
        if (r > 0)
                return helper_get(c.helper, c.key, user, secret, err);
        json_t *auths = json_object_get(c.root, "auths");
        if (!auths || json_is_null(auths))
                return 0;
        if (!json_is_object(auths))
                return err_set(err, EINVAL, "%s: \"auths\" is not an object", c.path);
        const char *found = NULL;
        json_t *e = obj_lookup(auths, c.key, &found);
        if (!e)
                return 0;
        r = auth_entry(e, found, user, secret, err);
        if (r < 0)
                return err_wrap(err, "%s", c.path);
        return r;
}

/* --- writing config.json ------------------------------------------------------ */

/* Docker writes config.json indented with tabs. */
static char *dump_tabs(const json_t *root)
{
        char *s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        if (!s)
                return NULL;
        strbuf_t sb = STRBUF_INIT;
        const char *p = s;
        while (*p) {
                while (*p == ' ') {
                        sb_appendc(&sb, '\t');
                        p++;
                }
                size_t n = strcspn(p, "\n");
                sb_appendn(&sb, p, n);
                p += n;
                if (*p == '\n') {
                        sb_appendc(&sb, '\n');
                        p++;
                }
        }
        sb_appendc(&sb, '\n');
        explicit_bzero(s, strlen(s));
        free(s);
        return sb_steal(&sb);
}

static int save_config(const char *path, const json_t *root, err_t *err)
{
        /* A config.json that is a symlink (dotfile managers) is updated where
         * it points, as Docker does. */
        _cleanup_free_ char *real = realpath(path, NULL);
        const char *target = real ? real : path;
        _cleanup_free_ char *dir = xstrdup(target);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                if (mkdir_p(dir, 0700, err) < 0)
                        return -1;
        }
        struct stat st;
        bool had = stat(target, &st) == 0;
        char *text = dump_tabs(root);
        if (!text)
                return err_set(err, ENOMEM, "%s: cannot serialise", path);
        size_t n = strlen(text);
        int r = atomic_write_file(target, text, n, 0600, err);
        explicit_bzero(text, n);
        free(text);
        if (r < 0)
                return -1;
        /* Never wider than 0600, whatever a stale temp file had; keep the
         * owner of a file that existed (sudo berth login). */
        if (chmod(target, 0600) < 0)
                return err_sys(err, errno, "chmod %s", target);
        if (had && (st.st_uid != geteuid() || st.st_gid != getegid()))
                if (chown(target, st.st_uid, st.st_gid) < 0)
                        return err_sys(err, errno, "chown %s", target);
        return 0;
}

static json_t *auths_of(json_t *root, err_t *err)
{
        json_t *a = json_object_get(root, "auths");
        if (!a || json_is_null(a)) {
                a = json_object();
                json_object_set_new(root, "auths", a);
        }
        if (!json_is_object(a)) {
                err_set(err, EINVAL, "\"auths\" is not an object");
                return NULL;
        }
        return a;
}

int reg_creds_store(const char *server, const char *user, const char *secret, err_t *err)
{
        _cleanup_(creds_cfg_free) struct creds_cfg c = {0};
        int h = open_config(server, &c, err);
        if (h < 0)
                return -1;
        json_t *auths = auths_of(c.root, err);
        if (!auths)
                return err_wrap(err, "%s", c.path);
        json_t *entry = json_object();
        if (h > 0) {
                json_t *req = json_pack("{s:s, s:s, s:s}", "ServerURL", c.key, "Username", user,
                                        "Secret", secret);
                char *in = req ? json_dumps(req, JSON_COMPACT) : NULL;
                json_decref(req);
                if (!in) {
                        json_decref(entry);
                        return err_set(err, EINVAL, "credentials for %s are not valid UTF-8",
                                       c.key);
                }
                strbuf_t out = STRBUF_INIT;
                int st = 0;
                size_t inlen = strlen(in);
                int r = helper_run(c.helper, "store", in, inlen, &out, &st, err);
                explicit_bzero(in, inlen);
                free(in);
                if (r == 0 && !helper_ok(st))
                        r = helper_fail(c.helper, "store", &out, st, err);
                sb_free_secret(&out);
                if (r < 0) {
                        json_decref(entry);
                        return -1;
                }
        } else if (!strcmp(user, REG_CREDS_TOKEN_USER)) {
                json_object_set_new(entry, "identitytoken", json_string(secret));
        } else {
                _cleanup_free_ char *pair = xasprintf("%s:%s", user, secret);
                char *enc = b64_encode(pair, strlen(pair));
                explicit_bzero(pair, strlen(pair));
                json_object_set_new(entry, "auth", json_string(enc));
                explicit_bzero(enc, strlen(enc));
                free(enc);
        }
        /* One entry per registry: drop other spellings of the same host. */
        const char *k;
        void *tmp;
        json_t *v;
        json_object_foreach_safe(auths, tmp, k, v)
        {
                if (strcmp(k, c.key) && key_matches(k, c.key))
                        json_object_del(auths, k);
        }
        json_object_set_new(auths, c.key, entry);
        if (save_config(c.path, c.root, err) < 0)
                return -1;
        return h > 0 ? 0 : 1;
}

int reg_creds_erase(const char *server, err_t *err)
{
        _cleanup_(creds_cfg_free) struct creds_cfg c = {0};
        int h = open_config(server, &c, err);
        if (h < 0)
                return -1;
        bool removed = false;
        if (h > 0) {
                strbuf_t out = STRBUF_INIT;
                int st = 0;
                int r = helper_run(c.helper, "erase", c.key, strlen(c.key), &out, &st, err);
                if (r == 0 && !helper_ok(st)) {
                        if (strstr(sb_str(&out), NOT_FOUND_MSG))
                                r = 0;
                        else
                                r = helper_fail(c.helper, "erase", &out, st, err);
                } else if (r == 0) {
                        removed = true;
                }
                sb_free_secret(&out);
                if (r < 0)
                        return -1;
        }
        json_t *auths = json_object_get(c.root, "auths");
        if (json_is_object(auths)) {
                const char *k;
                void *tmp;
                json_t *v;
                bool changed = false;
                json_object_foreach_safe(auths, tmp, k, v)
                {
                        if (key_matches(k, c.key)) {
                                /* an empty entry (a c.helper's marker) is not a login */
                                if (json_is_object(v) && json_object_size(v))
                                        removed = true;
                                json_object_del(auths, k);
                                changed = true;
                        }
                }
                if (changed && save_config(c.path, c.root, err) < 0)
                        return -1;
        }
        return removed ? 1 : 0;
}
