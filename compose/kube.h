/* kube.h - a compose project as Kubernetes manifests (`berth kube generate`).
 *
 * Pure: it maps the typed project (model.h) and its canonical document to a
 * list of manifests (jansson objects, in the order they are to be printed)
 * and a list of warnings, one per compose key that has no faithful mapping,
 * each with the reason.  It reads the files of `secrets:`/`configs:` (their
 * content goes into Secrets/ConfigMaps) and nothing else.
 *
 * The mapping, in short (docs/KUBERNETES.md has the whole table):
 *   - a Deployment per service; a StatefulSet (volumeClaimTemplates) for a
 *     service that mounts a named volume read-write that no other service
 *     mounts; a bare Pod for `restart: "no"` / `on-failure`;
 *   - a Service per service, named after it so that compose's name-based
 *     DNS keeps working: headless when it publishes nothing, NodePort or
 *     LoadBalancer when it publishes ports; network aliases become more
 *     Services;
 *   - networks become pod labels plus one NetworkPolicy each;
 *   - environment -> env (a ConfigMap when env_file is used), secrets ->
 *     Secrets, configs -> ConfigMaps, named volumes -> claims, tmpfs and
 *     shm_size -> memory emptyDirs, bind mounts -> hostPath (with a warning:
 *     not portable);
 *   - healthcheck -> readiness and liveness exec probes; depends_on
 *     service_healthy -> an init container that waits for the dependency;
 *   - command/entrypoint, user, working_dir, capabilities, read_only,
 *     privileged, sysctls, resources, replicas, restart and
 *     stop_grace_period -> their Kubernetes fields.
 *
 * Every name is a DNS-1123 label: a compose name that is not one is
 * converted (lowercase, other characters to '-', at most 63) and a warning
 * says how.  Output is stable: no timestamps, resources sorted by kind and
 * name. */
#ifndef BERTH_COMPOSE_KUBE_H
#define BERTH_COMPOSE_KUBE_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

#include "err.h"
#include "model.h"
#include "strv.h"

enum kube_service_type {
        KUBE_SVC_NODEPORT,
        KUBE_SVC_LOADBALANCER,
};

struct kube_opts {
        const char *namespace_;              /* metadata.namespace of every manifest; NULL = none */
        enum kube_service_type service_type; /* for services that publish ports */
        const char *const *services;         /* only these (empty: all) */
        size_t nservices;
        char *const *environment; /* "K=V": values of environment-sourced secrets/configs */
        const char *wait_image;   /* the init containers' image (default busybox:1.36) */
        bool no_read_files;       /* do not read secret/config files (fuzzing) */
};

/* Manifests of p as a new array in *out; warnings appended to *warnings.
 * Fails (nothing returned) only on input it cannot map at all: an unreadable
 * or oversized secret file, or names that cannot be made unique. */
int compose_kube_generate(const struct compose_project *p, const struct kube_opts *o, json_t **out,
                          strv_t *warnings, err_t *err);

/* name as a DNS-1123 label (RFC 1123: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most
 * 63); caller frees.  Never returns an empty string. */
char *kube_dns_label(const char *name);

/* base64 (standard alphabet, padded) of n bytes; caller frees. */
char *kube_b64encode(const void *data, size_t n);

/* Append the formatted warning to w unless it is there already. */
void kube_warn_add(strv_t *w, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The file name `-o DIR` writes a manifest to: "<name>-<kind>.yaml". */
char *kube_manifest_file_name(const json_t *manifest);

#endif
