/* cmd_kube.c - `berth kube generate`: a compose project as Kubernetes
 * manifests (the mapping is compose/kube.c). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose/emit.h"
#include "compose/kube.h"
#include "compose/kube_play.h"
#include "base/paths.h"
#include "compose_up.h"

static void generate_usage(FILE *f)
{
        fprintf(f,
                "Usage:  berth kube generate [OPTIONS] [SERVICE...]\n\n"
                "Write Kubernetes manifests for a compose project\n\n"
                "Options:\n"
                "  -f, --file FILE               Compose configuration files\n"
                "  -p, --project-name NAME       Project name\n"
                "      --profile PROFILE         Activate a profile\n"
                "      --env-file FILE           An alternate environment file\n"
                "      --project-directory DIR   The project's working directory\n"
                "  -o, --output DIR|-            Write one file per manifest into DIR, or all to "
                "standard output (-, the default)\n"
                "  -n, --namespace NS            Put every manifest in namespace NS\n"
                "      --service-type TYPE       NodePort (default) or LoadBalancer for "
                "published ports\n"
                "      --wait-image IMAGE        Image of the init containers that wait for "
                "dependencies (default busybox:1.36)\n");
}

/* Every manifest into dir as its own file; the files it held before that
 * berth wrote (*.yaml) are replaced. */
static int write_dir(const char *dir, const json_t *docs, err_t *err)
{
        if (mkdir_p(dir, 0755, err) < 0)
                return -1;
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
                _cleanup_free_ char *name = kube_manifest_file_name(d);
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
                _cleanup_free_ char *text = compose_emit_yaml(d);
                if (atomic_write_file(path, text, strlen(text), 0644, err) < 0)
                        return -1;
        }
        return 0;
}

static int kube_generate(int argc, char **argv)
{
        static const struct option opts[] = {
            {"file", required_argument, NULL, 'f'},
            {"project-name", required_argument, NULL, 'p'},
            {"profile", required_argument, NULL, 'P'},
            {"env-file", required_argument, NULL, 'E'},
            {"project-directory", required_argument, NULL, 'D'},
            {"output", required_argument, NULL, 'o'},
            {"namespace", required_argument, NULL, 'n'},
            {"service-type", required_argument, NULL, 't'},
            {"wait-image", required_argument, NULL, 'w'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        struct compose_globals g;
        struct kube_opts ko = {0};
        const char *output = "-";
        int c, rc = 1;

        memset(&g, 0, sizeof(g));
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f:p:o:n:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        strv_push(&g.files, optarg);
                        break;
                case 'p':
                        g.project_name = optarg;
                        break;
                case 'P':
                        strv_push(&g.profiles, optarg);
                        break;
                case 'E':
                        strv_push(&g.env_files, optarg);
                        break;
                case 'D':
                        g.project_dir = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'n':
                        ko.namespace_ = optarg;
                        break;
                case 't':
                        if (!strcasecmp(optarg, "NodePort"))
                                ko.service_type = KUBE_SVC_NODEPORT;
                        else if (!strcasecmp(optarg, "LoadBalancer"))
                                ko.service_type = KUBE_SVC_LOADBALANCER;
                        else {
                                error_msg("invalid --service-type \"%s\": use NodePort or "
                                          "LoadBalancer",
                                          optarg);
                                goto out;
                        }
                        break;
                case 'w':
                        ko.wait_image = optarg;
                        break;
                case 'h':
                        generate_usage(stdout);
                        rc = 0;
                        goto out;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth kube generate --help'.\n",
                                argv[optind - 1]);
                        goto out;
                }
        }
        struct cproject cp;
        if (cproject_open(&g, argv + optind, argc - optind, &cp) < 0)
                goto out;
        ko.services = (const char *const *)(argv + optind);
        ko.nservices = (size_t)(argc - optind);
        ko.environment = cp.src.environment.v;
        strv_t warnings = STRV_INIT;
        json_t *docs = NULL;
        err_t err;
        if (compose_kube_generate(cp.p, &ko, &docs, &warnings, &err) < 0) {
                error_msg("%s", err.msg);
        } else {
                for (size_t i = 0; i < warnings.n; i++)
                        warn_msg("%s", warnings.v[i]);
                if (strcmp(output, "-")) {
                        if (write_dir(output, docs, &err) < 0)
                                error_msg("%s", err.msg);
                        else
                                rc = 0;
                } else {
                        strbuf_t sb = STRBUF_INIT;
                        size_t i;
                        json_t *d;
                        json_array_foreach(docs, i, d)
                        {
                                _cleanup_free_ char *text = compose_emit_yaml(d);
                                sb_append(&sb, "---\n");
                                sb_append(&sb, text);
                        }
                        rc = fwrite(sb_str(&sb), 1, sb.len, stdout) == sb.len && fflush(stdout) == 0
                                 ? 0
                                 : 1;
                        if (rc)
                                error_msg("writing the manifests: %s", strerror(errno));
                        sb_free(&sb);
                }
        }
        json_decref(docs);
        strv_free(&warnings);
        cproject_close(&cp);
out:
        strv_free(&g.files);
        strv_free(&g.profiles);
        strv_free(&g.env_files);
        return rc;
}

#define KUBE_FILE_MAX (16 << 20)

/* The documents of files (argv), or -1 after printing why. */
static int read_docs(char **files, int n, json_t **docs)
{
        *docs = json_array();
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                err_t err;
                int fd = strcmp(files[i], "-") ? open(files[i], O_RDONLY | O_CLOEXEC | O_NOCTTY)
                                               : dup(STDIN_FILENO);
                if (fd < 0) {
                        error_msg("%s: %s", files[i], strerror(errno));
                        return -1;
                }
                int r = read_fd_all(fd, KUBE_FILE_MAX, &text, &len, &err);
                close(fd);
                if (r < 0) {
                        error_msg("%s: %s", files[i], err.msg);
                        return -1;
                }
                if (kube_docs_parse(text, len, files[i], *docs, &err) < 0) {
                        error_msg("%s", err.msg);
                        return -1;
                }
        }
        if (!json_array_size(*docs)) {
                error_msg("no Kubernetes documents in the files");
                return -1;
        }
        return 0;
}

static char *kube_dir(const char *project)
{
        return xasprintf("%s/kube/%s", berth_lib_dir(), project);
}

/* The files of a ConfigMap/Secret volume, under dir (made afresh). */
static int write_data(const char *dir, const json_t *files, err_t *err)
{
        if (rm_rf(dir, err) < 0 || mkdir_p(dir, 0700, err) < 0)
                return -1;
        const char *rel;
        json_t *f;
        json_object_foreach((json_t *)files, rel, f)
        {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, rel);
                if (json_is_true(json_object_get(f, "dir"))) {
                        if (mkdir_p(path, 0755, err) < 0)
                                return -1;
                        continue;
                }
                _cleanup_free_ char *parent = xstrdup(path);
                *strrchr(parent, '/') = '\0';
                if (mkdir_p(parent, 0755, err) < 0)
                        return -1;
                size_t n = 0;
                _cleanup_free_ char *data =
                    kube_b64decode(json_string_value(json_object_get(f, "data")), &n);
                mode_t mode = (mode_t)json_integer_value(json_object_get(f, "mode")) & 07777;
                if (!data)
                        return err_set(err, EINVAL, "%s: not base64", rel);
                if (atomic_write_file(path, data, n, mode, err) < 0)
                        return -1;
        }
        return 0;
}

static void play_usage(FILE *f, const char *verb)
{
        bool play = !strcmp(verb, "play");
        fprintf(f,
                "Usage:  berth kube %s [OPTIONS] FILE...\n\n%s\n\n"
                "Options:\n"
                "  -p, --project-name NAME   The compose project (default: the files'\n"
                "                            app.kubernetes.io/part-of label, else the first "
                "file's name)\n"
                "%s",
                verb,
                play ? "Run the Pods, Deployments and StatefulSets of Kubernetes YAML, with their "
                       "Services, ConfigMaps, Secrets and claims"
                     : "Stop and remove what `berth kube play` of the same files made",
                play ? "      --wait                Wait for the containers to be running|healthy\n"
                     : "  -v, --volumes             Also remove the claims' volumes\n");
}

static int kube_play_down(int argc, char **argv, bool play)
{
        static const struct option opts[] = {
            {"project-name", required_argument, NULL, 'p'},
            {"wait", no_argument, NULL, 'w'},
            {"volumes", no_argument, NULL, 'v'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *project = NULL;
        bool wait = false, volumes = false;
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, play ? "p:h" : "p:vh", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        project = optarg;
                        break;
                case 'w':
                        if (!play)
                                goto bad;
                        wait = true;
                        break;
                case 'v':
                        if (play)
                                goto bad;
                        volumes = true;
                        break;
                case 'h':
                        play_usage(stdout, argv[0]);
                        return 0;
                default:
                bad:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth kube %s --help'.\n",
                                argv[optind - 1], argv[0]);
                        return 1;
                }
        }
        if (optind >= argc) {
                fprintf(stderr,
                        "berth kube %s requires at least 1 file.\nSee 'berth kube %s --help'.\n",
                        argv[0], argv[0]);
                return 1;
        }
        _cleanup_json_ json_t *docs = NULL;
        if (read_docs(argv + optind, argc - optind, &docs) < 0)
                return 1;
        err_t err;
        _cleanup_free_ char *name = NULL;
        if (!play) {
                if (kube_play_project(docs, project, &name, &err) < 0) {
                        error_msg("%s", err.msg);
                        return 1;
                }
                _cleanup_free_ char *dir = kube_dir(name);
                _cleanup_free_ char *file = xasprintf("%s/compose.json", dir);
                struct stat st;
                bool have = stat(file, &st) == 0;
                char *cargv[] = {"compose", "-p", name, "-f", file, "down", volumes ? "-v" : NULL,
                                 NULL};
                if (!have) {
                        cargv[3] = "down";
                        cargv[4] = volumes ? "-v" : NULL;
                        cargv[5] = NULL;
                }
                int n = 0;
                while (cargv[n])
                        n++;
                int rc = cmd_compose(n, cargv);
                if (rc == 0 && rm_rf(dir, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                }
                return rc;
        }
        _cleanup_free_ char *probe = NULL;
        if (kube_play_project(docs, project, &probe, &err) < 0) {
                error_msg("%s", err.msg);
                return 1;
        }
        _cleanup_free_ char *dir = kube_dir(probe);
        _cleanup_free_ char *data_dir = xasprintf("%s/data", dir);
        struct kube_play_opts po = {.project = project, .data_dir = data_dir};
        _cleanup_json_ json_t *compose = NULL;
        _cleanup_json_ json_t *files = NULL;
        strv_t warnings = STRV_INIT;
        int r = kube_play_compose(docs, &po, &compose, &files, &name, &warnings, &err);
        for (size_t i = 0; i < warnings.n; i++)
                warn_msg("%s", warnings.v[i]);
        strv_free(&warnings);
        if (r < 0) {
                error_msg("%s", err.msg);
                return 1;
        }
        _cleanup_json_ json_t *escaped = compose_escape_dollars(compose);
        _cleanup_free_ char *text = compose_emit_json(escaped);
        _cleanup_free_ char *file = xasprintf("%s/compose.json", dir);
        if (berth_dirs_ensure(&err) < 0 || write_data(data_dir, files, &err) < 0 ||
            atomic_write_file(file, text, strlen(text), 0600, &err) < 0) {
                error_msg("%s", err.msg);
                return 1;
        }
        char *cargv[] = {"compose", "-p", name, "-f", file, "up", "-d", wait ? "--wait" : NULL,
                         NULL};
        return cmd_compose(wait ? 8 : 7, cargv);
}

static int kube_play(int argc, char **argv)
{
        return kube_play_down(argc, argv, true);
}

static int kube_down(int argc, char **argv)
{
        return kube_play_down(argc, argv, false);
}

static const struct command kube_verbs[] = {
    {"generate", kube_generate, "Write Kubernetes manifests for a compose project"},
    {"play", kube_play, "Run Pods, Deployments and StatefulSets of Kubernetes YAML"},
    {"down", kube_down, "Remove what `kube play` of the same files made"},
};

static void kube_usage(FILE *f)
{
        fprintf(f, "Usage:  berth kube COMMAND\n\n"
                   "Move between compose files and Kubernetes manifests\n\n"
                   "Commands:\n");
        for (size_t i = 0; i < ARRAY_SIZE(kube_verbs); i++)
                fprintf(f, "  %-11s %s\n", kube_verbs[i].name, kube_verbs[i].summary);
}

int cmd_kube(int argc, char **argv)
{
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                kube_usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? 1 : 0;
        }
        if (!strcmp(argv[1], CMD_LIST)) {
                cmd_list_print("kube", kube_verbs, ARRAY_SIZE(kube_verbs));
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(kube_verbs); i++)
                if (!strcmp(argv[1], kube_verbs[i].name))
                        return kube_verbs[i].fn(argc - 1, argv + 1);
        error_msg("'%s' is not a berth kube command.\nSee 'berth kube --help'.", argv[1]);
        return 1;
}
