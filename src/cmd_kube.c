/* cmd_kube.c - `berth kube generate`: a compose project as Kubernetes
 * manifests (the mapping is compose/kube.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose/emit.h"
#include "compose/kube.h"
#include "compose_up.h"

static void kube_usage(FILE *f)
{
        fprintf(f, "Usage:  berth kube COMMAND\n\n"
                   "Move between compose files and Kubernetes manifests\n\n"
                   "Commands:\n"
                   "  generate    Write Kubernetes manifests for a compose project\n");
}

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
                                die_msg("invalid --service-type \"%s\": use NodePort or "
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
                die_msg("%s", err.msg);
        } else {
                for (size_t i = 0; i < warnings.n; i++)
                        warn_msg("%s", warnings.v[i]);
                if (strcmp(output, "-")) {
                        if (write_dir(output, docs, &err) < 0)
                                die_msg("%s", err.msg);
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
                                die_msg("writing the manifests: %s", strerror(errno));
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

int cmd_kube(int argc, char **argv)
{
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                kube_usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? 1 : 0;
        }
        if (!strcmp(argv[1], "generate"))
                return kube_generate(argc - 1, argv + 1);
        die_msg("'%s' is not a berth kube command.\nSee 'berth kube --help'.", argv[1]);
        return 1;
}
