/* kube_play.h - Kubernetes YAML as a compose project (`berth kube play`).
 *
 * Pure: it reads the documents (parsed by kube_docs_parse) and returns a
 * compose document that compose's own engine then runs, plus the files the
 * caller must write first (the ConfigMap and Secret volumes' contents) and
 * warnings for what one host cannot honour.  The mapping:
 *   - Pod, Deployment, StatefulSet: a compose service per container, named
 *     after the workload (a second container of the pod is
 *     "<workload>-<container>", sharing the first one's network namespace);
 *     replicas -> scale; init containers -> one-shot services the
 *     workload's first container waits for (service_completed_successfully);
 *     restartPolicy -> restart; exec probes -> healthcheck;
 *   - Service: its name becomes a network alias of every workload it
 *     selects, so it resolves through berth-dns; NodePort/LoadBalancer
 *     ports (and hostPort) are published on the host;
 *   - ConfigMap/Secret: env, envFrom and volumes (files written under
 *     data_dir and bind-mounted read-only);
 *   - PersistentVolumeClaim, volumeClaimTemplates: named volumes; hostPath:
 *     bind mounts; emptyDir: volumes (medium Memory: tmpfs);
 *   - pods labelled berth.io/network-NAME (as `kube generate` writes them)
 *     join network NAME; other pods share the project's default network.
 *     NetworkPolicies are read, not enforced.
 * Any other kind fails, naming the kind, the file and the document index. */
#ifndef BERTH_COMPOSE_KUBE_PLAY_H
#define BERTH_COMPOSE_KUBE_PLAY_H

#include <jansson.h>

#include "err.h"
#include "strv.h"

/* Append the documents of one YAML stream (text of file) to docs as
 * {"file", "index", "line", "doc"}; empty documents are skipped. */
int kube_docs_parse(const char *text, size_t len, const char *file, json_t *docs, err_t *err);

struct kube_play_opts {
        const char *project;  /* NULL: the app.kubernetes.io/part-of label all
                                 documents share, else the first file's name */
        const char *data_dir; /* absolute: where the files of *files go */
};

/* *compose: a compose document (name, services, networks, volumes);
 * *files: {"relative/path": {"data": base64, "mode": int} or {"dir": true}}
 * to make under
 * o->data_dir before the project runs; *project: its name (caller frees). */
int kube_play_compose(const json_t *docs, const struct kube_play_opts *o, json_t **compose,
                      json_t **files, char **project, strv_t *warnings, err_t *err);

/* base64 (standard or URL alphabet, whitespace ignored) decoded, NUL
 * terminated; NULL when s is not base64. */
char *kube_b64decode(const char *s, size_t *n);

/* The project name kube_play_compose would choose, without the rest. */
int kube_play_project(const json_t *docs, const char *project, char **out, err_t *err);

#endif
