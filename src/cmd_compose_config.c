/* berth compose config: parse, resolve and render the compose file in
 * docker compose v2's canonical format. */
#include <errno.h>
#include <getopt.h>
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

static void config_usage(FILE *f)
{
        fprintf(f, "Usage:  berth compose config [OPTIONS] [SERVICE...]\n\n"
                   "Parse, resolve and render compose file in canonical format\n\n"
                   "Options:\n"
                   "      --format string         Format the output. Values: [yaml | json] "
                   "(default \"yaml\")\n"
                   "      --hash string           Print the service config hash, one per line.\n"
                   "      --images                Print the image names, one per line.\n"
                   "      --networks              Print the network names, one per line.\n"
                   "      --no-interpolate        Don't interpolate environment variables\n"
                   "      --no-normalize          Don't normalize compose model\n"
                   "      --no-path-resolution    Don't resolve file paths\n"
                   "  -o, --output string         Save to file (default to stdout)\n"
                   "      --profiles              Print the profile names, one per line.\n"
                   "  -q, --quiet                 Only validate the configuration, don't print "
                   "anything\n"
                   "      --services              Print the service names, one per line.\n"
                   "      --volumes               Print the volume names, one per line.\n");
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
        static const struct option opts[] = {
            {"format", required_argument, NULL, 'F'},
            {"services", no_argument, NULL, 'S'},
            {"volumes", no_argument, NULL, 'V'},
            {"networks", no_argument, NULL, 'N'},
            {"profiles", no_argument, NULL, 'P'},
            {"images", no_argument, NULL, 'I'},
            {"quiet", no_argument, NULL, 'q'},
            {"no-interpolate", no_argument, NULL, 'i'},
            {"no-normalize", no_argument, NULL, 'n'},
            {"no-path-resolution", no_argument, NULL, 'r'},
            {"no-consistency", no_argument, NULL, 'c'},
            {"resolve-image-digests", no_argument, NULL, 'd'},
            {"hash", required_argument, NULL, 'H'},
            {"output", required_argument, NULL, 'o'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *format = "yaml", *hash = NULL, *output = NULL;
        enum config_list list = LIST_NONE;
        bool quiet = false, no_interp = false, no_norm = false;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "qo:h", opts, NULL)) != -1) {
                switch (c) {
                case 'F':
                        if (strcmp(optarg, "yaml") && strcmp(optarg, "json")) {
                                fprintf(stderr, "unsupported format \"%s\": use yaml or json\n",
                                        optarg);
                                return 1;
                        }
                        format = optarg;
                        break;
                case 'S':
                        list = LIST_SERVICES;
                        break;
                case 'V':
                        list = LIST_VOLUMES;
                        break;
                case 'N':
                        list = LIST_NETWORKS;
                        break;
                case 'P':
                        list = LIST_PROFILES;
                        break;
                case 'I':
                        list = LIST_IMAGES;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'i':
                        no_interp = true;
                        break;
                case 'n':
                case 'r':
                        no_norm = true;
                        break;
                case 'c':
                case 'd':
                        break; /* accepted: berth has no registry digests to resolve */
                case 'H':
                        hash = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        config_usage(stdout);
                        return 0;
                default:
                        if (optopt)
                                fprintf(stderr, "unknown shorthand flag: '%c' in -%c\n", optopt,
                                        optopt);
                        else
                                fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        fprintf(stderr, "See 'berth compose config --help'.\n");
                        return 1;
                }
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
            .services = (const char *const *)(argv + optind),
            .nservices = (size_t)(argc - optind),
            .no_normalize = no_norm,
        };
        if (compose_project_decode(src.root, &mo, &p, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto done;
        }
        compose_print_warnings(&p->warnings);
        if (optind < argc && select_services(p->json, argv + optind, argc - optind, &err) < 0) {
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
