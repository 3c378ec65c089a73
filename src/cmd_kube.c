/* cmd_kube.c - `berth kube generate`: a compose project as Kubernetes
 * manifests (the mapping is compose/kube.c). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "compose/emit.h"
#include "compose/kube.h"
#include "compose/kube_play.h"
#include "base/paths.h"
#include "compose_up.h"

/* --service-type NodePort|LoadBalancer into the kube_opts at dest */
static int service_type_opt(const struct cli_opt *o, const char *arg, err_t *err)
{
        struct kube_opts *ko = o->dest;
        if (!strcasecmp(arg, "NodePort"))
                ko->service_type = KUBE_SVC_NODEPORT;
        else if (!strcasecmp(arg, "LoadBalancer"))
                ko->service_type = KUBE_SVC_LOADBALANCER;
        else
                return err_set(err, EINVAL,
                               "berth: invalid --service-type \"%s\": use NodePort or LoadBalancer",
                               arg);
        return 0;
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
        struct compose_globals g;
        struct kube_opts ko = {0};
        const char *output = "-";
        int rc = 1;
        memset(&g, 0, sizeof(g));
        const struct cli_opt opts[] = {
            CLI_OPT("env-file", 0, CLI_LIST, &g.env_files, "An alternate environment file",
                    .type = "FILE"),
            CLI_OPT("file", 'f', CLI_LIST, &g.files, "Compose configuration files", .type = "FILE"),
            CLI_OPT("namespace", 'n', CLI_STRING, &ko.namespace_,
                    "Put every manifest in namespace NS", .type = "NS"),
            CLI_OPT(
                "output", 'o', CLI_STRING, &output,
                "Write one file per manifest into DIR, or all to standard output (-, the default)",
                .type = "DIR|-"),
            CLI_OPT("profile", 0, CLI_LIST, &g.profiles, "Activate a profile", .type = "PROFILE"),
            CLI_OPT("project-directory", 0, CLI_STRING, &g.project_dir,
                    "The project's working directory", .type = "DIR"),
            CLI_OPT("project-name", 'p', CLI_STRING, &g.project_name, "Project name",
                    .type = "NAME"),
            CLI_OPT("service-type", 0, CLI_FUNC, &ko,
                    "NodePort (default) or LoadBalancer for published ports", .type = "TYPE",
                    .fn = service_type_opt),
            CLI_OPT(
                "wait-image", 0, CLI_STRING, &ko.wait_image,
                "Image of the init containers that wait for dependencies (default busybox:1.36)",
                .type = "IMAGE"),
            {0}};
        const struct cli_cmd cmd = CLI_CMD("kube generate", "[OPTIONS] [SERVICE...]",
                                           "Write Kubernetes manifests for a compose project", opts,
                                           CLI_ANY_ARGS, .flags = CLI_BARE);
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0) {
                rc = first < 0;
                goto out;
        }
        struct cproject cp;
        if (cproject_open(&g, argv + first, argc - first, &cp) < 0)
                goto out;
        ko.services = (const char *const *)(argv + first);
        ko.nservices = (size_t)(argc - first);
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

static int kube_play_down(int argc, char **argv, bool play)
{
        const char *project = NULL;
        bool wait = false, volumes = false;
        const char *project_help = "The compose project (default: the files'\n"
                                   "app.kubernetes.io/part-of label, else the first file's name)";
        const struct cli_opt play_opts[] = {
            CLI_OPT("project-name", 'p', CLI_STRING, &project, project_help, .type = "NAME"),
            CLI_OPT("wait", 0, CLI_FLAG, &wait, "Wait for the containers to be running|healthy"),
            {0}};
        const struct cli_opt down_opts[] = {
            CLI_OPT("project-name", 'p', CLI_STRING, &project, project_help, .type = "NAME"),
            CLI_OPT("volumes", 'v', CLI_FLAG, &volumes, "Also remove the claims' volumes"),
            {0}};
        const struct cli_cmd cmd =
            play ? (struct cli_cmd)CLI_CMD("kube play", "[OPTIONS] FILE...",
                                           "Run the Pods, Deployments and StatefulSets of "
                                           "Kubernetes YAML, with their Services, ConfigMaps, "
                                           "Secrets and claims",
                                           play_opts, CLI_ANY_ARGS, .flags = CLI_BARE)
                 : (struct cli_cmd)CLI_CMD("kube down", "[OPTIONS] FILE...",
                                           "Stop and remove what `berth kube play` of the same "
                                           "files made",
                                           down_opts, CLI_ANY_ARGS, .flags = CLI_BARE);
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0)
                return first < 0;
        if (first >= argc) {
                fprintf(stderr,
                        "berth kube %s requires at least 1 file.\nSee 'berth kube %s --help'.\n",
                        argv[0], argv[0]);
                return 1;
        }
        _cleanup_json_ json_t *docs = NULL;
        if (read_docs(argv + first, argc - first, &docs) < 0)
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

int cmd_kube(int argc, char **argv)
{
        static const struct cmd_group g = {
            "kube",     "Move between compose files and Kubernetes manifests",
            kube_verbs, ARRAY_SIZE(kube_verbs),
            NULL,       1,
            1};
        return cmd_group_run(&g, argc, argv);
}
