/* berth compose config: parse, resolve and render the compose file in
 * docker compose v2's canonical format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose/emit.h"
#include "compose/hash.h"
#include "compose/loader.h"
#include "compose/model.h"
#include "compose_cmds.h"

enum config_list {
        LIST_NONE,
        LIST_SERVICES,
        LIST_VOLUMES,
        LIST_NETWORKS,
        LIST_PROFILES,
        LIST_IMAGES,
};

/* --services, --volumes, ...: the list printed instead of the model (the
 * last one given) */
static int list_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        static const char *const names[] = {"services", "volumes", "networks", "profiles",
                                            "images"};
        static const enum config_list lists[] = {LIST_SERVICES, LIST_VOLUMES, LIST_NETWORKS,
                                                 LIST_PROFILES, LIST_IMAGES};
        (void)arg;
        (void)err;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (!strcmp(o->name, names[i]))
                        *(enum config_list *)o->dest = lists[i];
        return 0;
}

/* Keep only the named services and what they depend on. */
static int select_services(json_t *doc, char **names, int n, err_t *err)
{
        json_t *services = json_object_get(doc, "services");
        json_t *keep = json_object();
        strv_t todo = STRV_INIT;

        for (int i = 0; i < n; i++) {
                if (!json_object_get(services, names[i])) {
                        json_decref(keep);
                        strv_free(&todo);
                        return err_set(err, 0, "no such service: %s", names[i]);
                }
                strv_push(&todo, names[i]);
        }
        while (todo.n) {
                _cleanup_free_ char *name = xstrdup(todo.v[todo.n - 1]);
                strv_remove(&todo, todo.n - 1);
                if (json_object_get(keep, name))
                        continue;
                json_t *svc = json_object_get(services, name);
                if (!svc)
                        continue;
                json_object_set(keep, name, svc);
                const char *dep;
                json_t *v;
                json_object_foreach(json_object_get(svc, "depends_on"), dep, v)
                    strv_push(&todo, dep);
        }
        strv_free(&todo);
        void *tmp;
        const char *key;
        json_t *v;
        json_object_foreach_safe(services, tmp, key, v)
        {
                if (!json_object_get(keep, key))
                        json_object_del(services, key);
        }
        json_decref(keep);
        return 0;
}

static void list_keys(strbuf_t *out, json_t *obj)
{
        strv_t keys = STRV_INIT;
        const char *key;
        json_t *v;
        json_object_foreach(obj, key, v) strv_push(&keys, key);
        strv_sort(&keys);
        for (size_t i = 0; i < keys.n; i++)
                sb_appendf(out, "%s\n", keys.v[i]);
        strv_free(&keys);
}

/* Post-order walk of depends_on (the model has rejected cycles). */
static void list_in_dependency_order(strbuf_t *out, json_t *services, const char *name,
                                     strv_t *done)
{
        if (strv_contains(done, name) || !json_object_get(services, name))
                return;
        strv_push(done, name);
        strv_t deps = STRV_INIT;
        const char *dep;
        json_t *v;
        json_object_foreach(json_object_get(json_object_get(services, name), "depends_on"), dep, v)
            strv_push(&deps, dep);
        strv_sort(&deps);
        for (size_t i = 0; i < deps.n; i++)
                list_in_dependency_order(out, services, deps.v[i], done);
        strv_free(&deps);
        sb_appendf(out, "%s\n", name);
}

static int render(strbuf_t *out, const struct compose_project *p, enum config_list list,
                  const char *format, const char *hash, bool escape_dollars, err_t *err)
{
        json_t *services = json_object_get(p->json, "services");
        const char *key;
        json_t *svc;

        if (hash) {
                if (strcmp(hash, "*")) {
                        _cleanup_free_ char *names = xstrdup(hash);
                        for (char *save = NULL, *t = strtok_r(names, ",", &save); t;
                             t = strtok_r(NULL, ",", &save))
                                if (!json_object_get(services, t))
                                        return err_set(err, 0, "no such service: %s", t);
                }
                json_object_foreach(services, key, svc)
                {
                        if (strcmp(hash, "*")) {
                                /* a comma-separated list of names */
                                bool want = false;
                                _cleanup_free_ char *copy = xstrdup(hash);
                                for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
                                     t = strtok_r(NULL, ",", &save))
                                        want |= !strcmp(t, key);
                                if (!want)
                                        continue;
                        }
                        char h[COMPOSE_HASH_LEN + 1];
                        if (compose_service_hash(svc, h, err) < 0)
                                return err_wrap(err, "service %s", key);
                        sb_appendf(out, "%s %s\n", key, h);
                }
                return 0;
        }
        switch (list) {
        case LIST_SERVICES: {
                /* dependencies before their dependents, as docker compose */
                strv_t names = STRV_INIT, done = STRV_INIT;
                json_object_foreach(services, key, svc) strv_push(&names, key);
                strv_sort(&names);
                for (size_t i = 0; i < names.n; i++)
                        list_in_dependency_order(out, services, names.v[i], &done);
                strv_free(&names);
                strv_free(&done);
                return 0;
        }
        case LIST_VOLUMES:
                list_keys(out, json_object_get(p->json, "volumes"));
                return 0;
        case LIST_NETWORKS:
                list_keys(out, json_object_get(p->json, "networks"));
                return 0;
        case LIST_PROFILES: {
                strv_t profs = STRV_INIT;
                json_object_foreach(services, key, svc)
                {
                        size_t i;
                        json_t *v;
                        json_array_foreach(json_object_get(svc, "profiles"), i, v)
                        {
                                if (!strv_contains(&profs, json_string_value(v)))
                                        strv_push(&profs, json_string_value(v));
                        }
                }
                strv_sort(&profs);
                for (size_t i = 0; i < profs.n; i++)
                        sb_appendf(out, "%s\n", profs.v[i]);
                strv_free(&profs);
                return 0;
        }
        case LIST_IMAGES:
                json_object_foreach(services, key, svc)
                {
                        const char *img = json_string_value(json_object_get(svc, "image"));
                        if (img)
                                sb_appendf(out, "%s\n", img);
                        else
                                sb_appendf(out, "%s-%s\n", p->name, key);
                }
                return 0;
        case LIST_NONE:
                break;
        }
        /* An interpolated model is printed with '$' escaped so that it
         * loads again to the same values, as docker compose does. */
        json_t *doc = escape_dollars ? compose_escape_dollars(p->json) : json_incref(p->json);
        char *text = !strcmp(format, "json") ? compose_emit_json(doc) : compose_emit_yaml(doc);
        json_decref(doc);
        sb_append(out, text);
        free(text);
        return 0;
}

int compose_cmd_config(struct compose_globals *g, int argc, char **argv)
{
        const char *format = "yaml", *hash = NULL, *output = NULL;
        enum config_list list = LIST_NONE;
        bool quiet = false, no_interp = false, no_norm = false;
#define LIST_OPT(name_, what_)                                                                     \
        CLI_OPT(name_, 0, CLI_FUNC_FLAG, &list, "Print the " what_ " names, one per line.",        \
                .fn = list_opt)
        const struct cli_opt opts[] = {
            CLI_OPT("format", 0, CLI_STRING, &format,
                    "Format the output. Values: [yaml | json] (default \"yaml\")"),
            CLI_OPT("hash", 0, CLI_STRING, &hash, "Print the service config hash, one per line."),
            LIST_OPT("images", "image"),
            LIST_OPT("networks", "network"),
            CLI_OPT("no-consistency", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("no-interpolate", 0, CLI_FLAG, &no_interp,
                    "Don't interpolate environment variables"),
            CLI_OPT("no-normalize", 0, CLI_FLAG, &no_norm, "Don't normalize compose model"),
            CLI_OPT("no-path-resolution", 0, CLI_FLAG, &no_norm, "Don't resolve file paths"),
            CLI_OPT("output", 'o', CLI_STRING, &output, "Save to file (default to stdout)"),
            LIST_OPT("profiles", "profile"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet,
                    "Only validate the configuration, don't print anything"),
            /* accepted: berth has no registry digests to resolve */
            CLI_OPT("resolve-image-digests", 0, CLI_FLAG, NULL, NULL),
            LIST_OPT("services", "service"),
            LIST_OPT("volumes", "volume"),
            {0}};
#undef LIST_OPT
        int first = COMPOSE_PARSE(argc, argv, "config", "[OPTIONS] [SERVICE...]",
                                  "Parse, resolve and render compose file in canonical format",
                                  opts, CLI_ANY_ARGS);
        if (first <= 0)
                return first < 0 ? 1 : 0;
        if (strcmp(format, "yaml") && strcmp(format, "json")) {
                fprintf(stderr, "unsupported format \"%s\": use yaml or json\n", format);
                return 1;
        }

        struct compose_load_opts lo;
        compose_globals_load_opts(g, &lo);
        lo.no_interpolate = no_interp;
        struct compose_source src = {0};
        struct compose_project *p = NULL;
        strbuf_t out = STRBUF_INIT;
        err_t err;
        int rc = 1;

        if (compose_load(&lo, &src, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto done;
        }
        compose_print_warnings(&src.warnings);

        /* --profiles lists the profiles of every service, enabled or not. */
        const char *all[] = {"*"};
        struct compose_model_opts mo = {
            .project_name = src.name,
            .working_dir = src.working_dir,
            .home = getenv("HOME"),
            .environment = src.environment.v,
            .profiles = list == LIST_PROFILES ? all : (const char *const *)src.profiles.v,
            .nprofiles = list == LIST_PROFILES ? 1 : src.profiles.n,
            .services = (const char *const *)(argv + first),
            .nservices = (size_t)(argc - first),
            .no_normalize = no_norm,
        };
        if (compose_project_decode(src.root, &mo, &p, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto done;
        }
        compose_print_warnings(&p->warnings);
        if (first < argc && select_services(p->json, argv + first, argc - first, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto done;
        }
        if (quiet) {
                rc = 0;
                goto done;
        }
        if (render(&out, p, list, format, hash, !no_interp, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto done;
        }
        if (output) {
                if (atomic_write_file(output, sb_str(&out), out.len, 0644, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        goto done;
                }
        } else {
                fputs(sb_str(&out), stdout);
                if (fflush(stdout) != 0) {
                        fprintf(stderr, "writing the output: %s\n", strerror(errno));
                        goto done;
                }
        }
        rc = 0;
done:
        sb_free(&out);
        compose_project_free(p);
        compose_source_free(&src);
        return rc;
}
