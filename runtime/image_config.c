/* image_config.c - the OCI image "config" object: JSON <-> struct, and the
 * Dockerfile-style instructions of `import --change`. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "image.h"
#include "jsonfile.h"
#include "strbuf.h"
#include "xalloc.h"

void rt_image_config_free(struct rt_image_config *c)
{
        if (!c)
                return;
        strv_free(&c->env);
        strv_free(&c->cmd);
        strv_free(&c->entrypoint);
        free(c->working_dir);
        free(c->user);
        free(c->stop_signal);
        strv_free(&c->exposed_ports);
        strv_free(&c->volumes);
        strv_free(&c->labels);
        if (c->healthcheck) {
                strv_free(&c->healthcheck->test);
                free(c->healthcheck);
        }
        memset(c, 0, sizeof(*c));
}

static int str_array(const json_t *a, const char *key, strv_t *out, err_t *err)
{
        size_t i;
        json_t *v;

        if (!json_is_array(a))
                return err_set(err, EINVAL, "config.%s: expected an array of strings", key);
        json_array_foreach(a, i, v)
        {
                if (!json_is_string(v))
                        return err_set(err, EINVAL, "config.%s[%zu]: expected a string", key, i);
                strv_push(out, json_string_value(v));
        }
        return 0;
}

/* {"80/tcp": {}} -> ["80/tcp"] */
static int obj_keys(const json_t *o, const char *key, strv_t *out, err_t *err)
{
        const char *k;
        json_t *v;

        if (!json_is_object(o))
                return err_set(err, EINVAL, "config.%s: expected an object", key);
        json_object_foreach((json_t *)o, k, v)
        {
                (void)v;
                strv_push(out, k);
        }
        strv_sort(out);
        return 0;
}

static char *opt_string(const json_t *j, const char *key)
{
        const json_t *v = json_object_get(j, key);
        if (json_is_string(v) && *json_string_value(v))
                return xstrdup(json_string_value(v));
        return NULL;
}

static int healthcheck_from_json(const json_t *h, struct rt_image_config *out, err_t *err)
{
        if (!json_is_object(h))
                return err_set(err, EINVAL, "config.Healthcheck: expected an object");
        struct rt_healthcheck *hc = xcalloc(1, sizeof(*hc));
        out->healthcheck = hc;
        const json_t *t = json_object_get(h, "Test");
        if (t && !json_is_null(t) && str_array(t, "Healthcheck.Test", &hc->test, err) < 0)
                return -1;
        hc->interval_ns = json_integer_value(json_object_get(h, "Interval"));
        hc->timeout_ns = json_integer_value(json_object_get(h, "Timeout"));
        hc->start_period_ns = json_integer_value(json_object_get(h, "StartPeriod"));
        hc->start_interval_ns = json_integer_value(json_object_get(h, "StartInterval"));
        hc->retries = (int)json_integer_value(json_object_get(h, "Retries"));
        return 0;
}

int rt_image_config_from_json(const json_t *j, struct rt_image_config *out, err_t *err)
{
        const json_t *v;

        memset(out, 0, sizeof(*out));
        if (!j || json_is_null(j))
                return 0;
        if (!json_is_object(j))
                return err_set(err, EINVAL, "image config: \"config\" is not an object");
        if ((v = json_object_get(j, "Env")) && !json_is_null(v) &&
            str_array(v, "Env", &out->env, err) < 0)
                goto fail;
        if ((v = json_object_get(j, "Cmd")) && !json_is_null(v)) {
                if (str_array(v, "Cmd", &out->cmd, err) < 0)
                        goto fail;
                out->has_cmd = true;
        }
        if ((v = json_object_get(j, "Entrypoint")) && !json_is_null(v)) {
                if (str_array(v, "Entrypoint", &out->entrypoint, err) < 0)
                        goto fail;
                out->has_entrypoint = true;
        }
        out->working_dir = opt_string(j, "WorkingDir");
        out->user = opt_string(j, "User");
        out->stop_signal = opt_string(j, "StopSignal");
        if ((v = json_object_get(j, "ExposedPorts")) && !json_is_null(v) &&
            obj_keys(v, "ExposedPorts", &out->exposed_ports, err) < 0)
                goto fail;
        if ((v = json_object_get(j, "Volumes")) && !json_is_null(v) &&
            obj_keys(v, "Volumes", &out->volumes, err) < 0)
                goto fail;
        if ((v = json_object_get(j, "Labels")) && !json_is_null(v)) {
                const char *k;
                json_t *lv;
                if (!json_is_object(v)) {
                        err_set(err, EINVAL, "config.Labels: expected an object");
                        goto fail;
                }
                json_object_foreach((json_t *)v, k, lv)
                {
                        if (!json_is_string(lv)) {
                                err_set(err, EINVAL, "config.Labels.%s: expected a string", k);
                                goto fail;
                        }
                        strv_pushf(&out->labels, "%s=%s", k, json_string_value(lv));
                }
                strv_sort(&out->labels);
        }
        if ((v = json_object_get(j, "Healthcheck")) && !json_is_null(v) &&
            healthcheck_from_json(v, out, err) < 0)
                goto fail;
        return 0;
fail:
        rt_image_config_free(out);
        return -1;
}

static json_t *keys_json(const strv_t *sv)
{
        json_t *o = json_object();
        for (size_t i = 0; i < sv->n; i++)
                json_object_set_new(o, sv->v[i], json_object());
        return o;
}

json_t *rt_image_config_to_json(const struct rt_image_config *c)
{
        json_t *j = json_object();

        if (c->env.n)
                json_object_set_new(j, "Env", json_strv(&c->env));
        json_object_set_new(j, "Cmd", c->has_cmd ? json_strv(&c->cmd) : json_null());
        json_object_set_new(j, "Entrypoint",
                            c->has_entrypoint ? json_strv(&c->entrypoint) : json_null());
        json_object_set_new(j, "WorkingDir", json_string(c->working_dir ? c->working_dir : ""));
        if (c->user)
                json_object_set_new(j, "User", json_string(c->user));
        if (c->stop_signal)
                json_object_set_new(j, "StopSignal", json_string(c->stop_signal));
        if (c->exposed_ports.n)
                json_object_set_new(j, "ExposedPorts", keys_json(&c->exposed_ports));
        if (c->volumes.n)
                json_object_set_new(j, "Volumes", keys_json(&c->volumes));
        if (c->labels.n) {
                json_t *l = json_object();
                for (size_t i = 0; i < c->labels.n; i++) {
                        const char *eq = strchr(c->labels.v[i], '=');
                        _cleanup_free_ char *k =
                            eq ? xstrndup(c->labels.v[i], (size_t)(eq - c->labels.v[i]))
                               : xstrdup(c->labels.v[i]);
                        json_object_set_new(l, k, json_string(eq ? eq + 1 : ""));
                }
                json_object_set_new(j, "Labels", l);
        } else {
                json_object_set_new(j, "Labels", json_null());
        }
        if (c->healthcheck) {
                const struct rt_healthcheck *h = c->healthcheck;
                json_t *o = json_object();
                json_object_set_new(o, "Test", json_strv(&h->test));
                if (h->interval_ns)
                        json_object_set_new(o, "Interval", json_integer(h->interval_ns));
                if (h->timeout_ns)
                        json_object_set_new(o, "Timeout", json_integer(h->timeout_ns));
                if (h->start_period_ns)
                        json_object_set_new(o, "StartPeriod", json_integer(h->start_period_ns));
                if (h->start_interval_ns)
                        json_object_set_new(o, "StartInterval", json_integer(h->start_interval_ns));
                if (h->retries)
                        json_object_set_new(o, "Retries", json_integer(h->retries));
                json_object_set_new(j, "Healthcheck", o);
        }
        return j;
}

/* --- image VOLUME paths ---------------------------------------------------- */

int rt_image_volume_path_check(const char *image, const char *path, err_t *err)
{
        const char *why = NULL;
        if (!path || path[0] != '/')
                why = "must be an absolute path";
        for (const char *s = path; !why && *s;) {
                const char *e = strchrnul(s, '/');
                if (e - s == 2 && s[0] == '.' && s[1] == '.')
                        why = "must not contain \"..\"";
                s = *e ? e + 1 : e;
        }
        for (const char *s = path; !why && *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        why = "must not contain control characters";
        if (!why && path[strspn(path, "/.")] == '\0')
                why = "must not be the root directory";
        if (!why)
                return 0;
        if (!image)
                return err_set(err, EINVAL, "VOLUME \"%s\" %s", path ? path : "", why);
        return err_set(err, EINVAL, "image %s: VOLUME \"%s\" %s", image, path ? path : "", why);
}

int rt_image_config_check_volumes(const struct rt_image_config *c, const char *image, err_t *err)
{
        for (size_t i = 0; i < c->volumes.n; i++)
                if (rt_image_volume_path_check(image, c->volumes.v[i], err) < 0)
                        return -1;
        return 0;
}

/* --- import --change ------------------------------------------------------ */

/* JSON form: a JSON array of strings.  Returns 1 when s was one. */
static int parse_json_form(const char *s, strv_t *out, err_t *err)
{
        while (isspace((unsigned char)*s))
                s++;
        if (*s != '[')
                return 0;
        json_error_t je;
        _cleanup_json_ json_t *j = json_loads(s, JSON_DECODE_ANY, &je);
        if (!j || !json_is_array(j))
                return 0; /* not valid JSON: docker falls back to the shell form */
        strv_t tmp = STRV_INIT;
        if (str_array(j, "change", &tmp, err) < 0) {
                strv_free(&tmp);
                return -1;
        }
        strv_free(out);
        *out = tmp;
        return 1;
}

/* Split "a b" / "K=\"v w\" K2=v" into words, honouring double and single
 * quotes and backslash escapes (Dockerfile word rules, no variables). */
static int split_words(const char *s, strv_t *out, err_t *err)
{
        strbuf_t w = STRBUF_INIT;
        bool in_word = false;
        char q = 0;

        for (const char *p = s;; p++) {
                char c = *p;
                if (c == '\0') {
                        if (q) {
                                sb_free(&w);
                                return err_set(err, EINVAL, "unterminated quote in \"%s\"", s);
                        }
                        break;
                }
                if (q) {
                        if (c == q)
                                q = 0;
                        else if (c == '\\' && q == '"' && p[1])
                                sb_appendc(&w, *++p);
                        else
                                sb_appendc(&w, c);
                        continue;
                }
                if (isspace((unsigned char)c)) {
                        if (in_word) {
                                strv_take(out, sb_steal(&w));
                                in_word = false;
                        }
                        continue;
                }
                in_word = true;
                if (c == '"' || c == '\'')
                        q = c;
                else if (c == '\\' && p[1])
                        sb_appendc(&w, *++p);
                else
                        sb_appendc(&w, c);
        }
        if (in_word)
                strv_take(out, sb_steal(&w));
        sb_free(&w);
        return 0;
}

/* ENV/LABEL: "K=V K2=V2" or the legacy "K V with spaces". */
static int parse_kv(const char *what, const char *args, strv_t *out, bool env, err_t *err)
{
        strv_t words = STRV_INIT;
        int r = 0;

        if (split_words(args, &words, err) < 0) {
                strv_free(&words);
                return -1;
        }
        if (words.n == 0) {
                r = err_set(err, EINVAL, "%s requires at least one argument", what);
        } else if (!strchr(words.v[0], '=')) {
                /* legacy form: first word is the key, the rest the value */
                const char *rest = args;
                while (isspace((unsigned char)*rest))
                        rest++;
                rest += strcspn(rest, " \t");
                while (isspace((unsigned char)*rest))
                        rest++;
                if (!*rest)
                        r = err_set(err, EINVAL, "%s %s: missing value", what, words.v[0]);
                else
                        strv_pushf(out, "%s=%s", words.v[0], rest);
        } else {
                for (size_t i = 0; i < words.n; i++) {
                        if (!strchr(words.v[i], '=') || words.v[i][0] == '=') {
                                r = err_set(err, EINVAL, "%s: \"%s\" is not KEY=VALUE", what,
                                            words.v[i]);
                                break;
                        }
                        strv_push(out, words.v[i]);
                }
        }
        strv_free(&words);
        if (r < 0)
                return r;
        /* later definitions replace earlier ones of the same key */
        for (size_t i = out->n; i-- > 0;) {
                const char *eq = strchr(out->v[i], '=');
                size_t kl = (size_t)(eq - out->v[i]);
                for (size_t k = 0; k < i; k++)
                        if (!strncmp(out->v[k], out->v[i], kl) && out->v[k][kl] == '=') {
                                strv_remove(out, k);
                                i--;
                                k--;
                        }
        }
        if (!env)
                strv_sort(out);
        return 0;
}

static void set_str(char **dst, const char *v)
{
        free(*dst);
        *dst = *v ? xstrdup(v) : NULL;
}

int rt_image_config_apply_change(struct rt_image_config *cfg, const char *change, err_t *err)
{
        while (isspace((unsigned char)*change))
                change++;
        size_t kl = strcspn(change, " \t");
        _cleanup_free_ char *kw = xstrndup(change, kl);
        const char *args = change + kl;
        while (isspace((unsigned char)*args))
                args++;
        _cleanup_free_ char *a = xstrdup(args);
        for (size_t n = strlen(a); n > 0 && isspace((unsigned char)a[n - 1]); n--)
                a[n - 1] = '\0';
        for (char *p = kw; *p; p++)
                *p = (char)toupper((unsigned char)*p);

        if (!strcmp(kw, "CMD") || !strcmp(kw, "ENTRYPOINT")) {
                bool cmd = kw[0] == 'C';
                strv_t *dst = cmd ? &cfg->cmd : &cfg->entrypoint;
                int r = parse_json_form(a, dst, err);
                if (r < 0)
                        return err_wrap(err, "%s", kw);
                if (r == 0) {
                        strv_free(dst);
                        if (*a) {
                                strv_push(dst, "/bin/sh");
                                strv_push(dst, "-c");
                                strv_push(dst, a);
                        }
                }
                if (cmd) {
                        cfg->has_cmd = true;
                } else {
                        cfg->has_entrypoint = true;
                        /* as in a Dockerfile: ENTRYPOINT resets an inherited CMD */
                        strv_free(&cfg->cmd);
                        cfg->has_cmd = false;
                }
                return 0;
        }
        if (!strcmp(kw, "ENV"))
                return parse_kv("ENV", a, &cfg->env, true, err);
        if (!strcmp(kw, "LABEL"))
                return parse_kv("LABEL", a, &cfg->labels, false, err);
        if (!strcmp(kw, "WORKDIR")) {
                if (!*a)
                        return err_set(err, EINVAL, "WORKDIR requires an argument");
                if (a[0] != '/' && cfg->working_dir) {
                        char *w = xasprintf("%s/%s", cfg->working_dir, a);
                        free(cfg->working_dir);
                        cfg->working_dir = w;
                } else if (a[0] != '/') {
                        free(cfg->working_dir);
                        cfg->working_dir = xasprintf("/%s", a);
                } else {
                        set_str(&cfg->working_dir, a);
                }
                return 0;
        }
        if (!strcmp(kw, "USER")) {
                if (!*a)
                        return err_set(err, EINVAL, "USER requires an argument");
                set_str(&cfg->user, a);
                return 0;
        }
        if (!strcmp(kw, "STOPSIGNAL")) {
                if (!*a || strchr(a, ' '))
                        return err_set(err, EINVAL, "STOPSIGNAL requires one argument");
                set_str(&cfg->stop_signal, a);
                return 0;
        }
        if (!strcmp(kw, "EXPOSE") || !strcmp(kw, "VOLUME")) {
                bool expose = kw[0] == 'E';
                strv_t words = STRV_INIT;
                int r = expose ? 0 : parse_json_form(a, &words, err);
                if (r < 0)
                        return err_wrap(err, "VOLUME");
                /* r == 1: JSON form parsed into words */
                if (r == 0 && split_words(a, &words, err) < 0) {
                        strv_free(&words);
                        return -1;
                }
                if (words.n == 0) {
                        strv_free(&words);
                        return err_set(err, EINVAL, "%s requires at least one argument", kw);
                }
                for (size_t i = 0; i < words.n; i++) {
                        const char *w = words.v[i];
                        if (expose) {
                                char *end;
                                long p = strtol(w, &end, 10);
                                if (end == w || p < 1 || p > 65535 ||
                                    (*end && strcmp(end, "/tcp") && strcmp(end, "/udp") &&
                                     strcmp(end, "/sctp"))) {
                                        r = err_set(err, EINVAL, "EXPOSE: invalid port \"%s\"", w);
                                        break;
                                }
                                char *s = xasprintf("%ld%s", p, *end ? end : "/tcp");
                                if (!strv_contains(&cfg->exposed_ports, s))
                                        strv_take(&cfg->exposed_ports, s);
                                else
                                        free(s);
                        } else {
                                if (!*w) {
                                        r = err_set(err, EINVAL, "VOLUME: empty path");
                                        break;
                                }
                                if (rt_image_volume_path_check(NULL, w, err) < 0) {
                                        r = -1;
                                        break;
                                }
                                char *clean = path_clean_abs(w);
                                if (!strv_contains(&cfg->volumes, clean))
                                        strv_take(&cfg->volumes, clean);
                                else
                                        free(clean);
                        }
                }
                strv_free(&words);
                strv_sort(expose ? &cfg->exposed_ports : &cfg->volumes);
                return r < 0 ? -1 : 0;
        }
        return err_set(err, EINVAL,
                       "%s is not a valid change command (use CMD, ENTRYPOINT, ENV, EXPOSE, "
                       "LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR)",
                       *kw ? kw : "\"\"");
}
