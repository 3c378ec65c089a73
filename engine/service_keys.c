/* service_keys.c - service keys translated outside service.c's main
 * path, and the warning for every key berth reads but cannot honour.
 *
 * Honoured here: secrets and configs backed by a file (bound read-only at
 * /run/secrets/<name> or /<name>, or at `target`, by the create path).
 * Warned about, once per berth process, service and key: every other key of
 * compose/model.h
 * that reaches no part of the container (the list is the `unsupported`
 * table below; docs/ARCHITECTURE.md's compose section has the whole
 * audit). */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "service.h"

static pthread_mutex_t warned_mu = PTHREAD_MUTEX_INITIALIZER;
static strv_t warned = STRV_INIT;

/* Hand "service S: `key` why" to w unless this process already did. */
static void warn_once(const struct service_warn *w, const char *service, const char *key,
                      const char *why)
{
        _cleanup_free_ char *k = xasprintf("%s\n%s", service, key);
        pthread_mutex_lock(&warned_mu);
        bool first = !strv_contains(&warned, k);
        if (first)
                strv_push(&warned, k);
        pthread_mutex_unlock(&warned_mu);
        if (first)
                w->key(w->ud, service, key, why);
}

/* One secrets:/configs: entry as a file bound read-only (engine/spec.h
 * struct ctr_file: made when the container is created, after its network). */
static int file_ref(const struct compose_service *s, const struct compose_file_ref *r,
                    const struct compose_resource *res, bool secret, struct ctr_spec *sp,
                    const struct service_warn *w, err_t *err)
{
        const char *what = secret ? "secrets" : "configs";
        if (!res)
                return err_set(err, ENOENT, "service %s refers to undefined %s %s", s->name,
                               secret ? "secret" : "config", r->source);
        if (!res->file) {
                _cleanup_free_ char *k = xasprintf("%s: %s", what, r->source);
                warn_once(w, s->name, k,
                          res->external ? "is external: berth has no secret store; not mounted"
                                        : "is not backed by a file (environment/content); "
                                          "berth mounts file-based ones only; not mounted");
                return 0;
        }
        if (r->uid || r->gid || r->mode >= 0) {
                _cleanup_free_ char *k = xasprintf("%s: %s: uid/gid/mode", what, r->source);
                warn_once(w, s->name, k,
                          "cannot be honoured by a bind mount; the file's own are used");
        }
        const char *t = r->target ? r->target : r->source;
        _cleanup_free_ char *dst = t[0] == '/' ? xstrdup(t)
                                   : secret    ? xasprintf("/run/secrets/%s", t)
                                               : xasprintf("/%s", t);
        _cleanup_free_ char *label = xasprintf("service %s: %s %s", s->name, what, r->source);
        ctr_spec_add_file(sp, res->file, dst, label);
        return 0;
}

/* Keys of struct compose_service no part of berth applies. */
static void warn_unsupported(const struct compose_service *s, const struct service_warn *w)
{
        static const char ign[] = "is not supported by berth and is ignored";
        const struct {
                bool set;
                const char *key;
        } unsupported[] = {
            {s->cpu_quota != 0, "cpu_quota"},
            {s->cpu_period != 0, "cpu_period"},
            {s->mem_swappiness != 0, "mem_swappiness"},
            {s->oom_kill_disable, "oom_kill_disable"},
            {s->ndevices > 0, "devices"},
            {s->device_cgroup_rules.n > 0, "device_cgroup_rules"},
            {s->group_add.n > 0, "group_add"},
            {s->ipc != NULL, "ipc"},
            {s->pid != NULL, "pid"},
            {s->uts != NULL, "uts"},
            {s->cgroup != NULL, "cgroup"},
            {s->cgroup_parent != NULL, "cgroup_parent"},
            {s->userns_mode != NULL, "userns_mode"},
            {s->runtime != NULL, "runtime"},
            {s->mac_address != NULL, "mac_address"},
            {s->storage_opt.n > 0, "storage_opt"},
            {s->volumes_from.n > 0, "volumes_from"},
            {s->logging_driver != NULL || s->logging_options.n > 0, "logging"},
            {s->platform != NULL, "platform"},
            {s->annotations.n > 0, "annotations"},
        };
        for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
                if (unsupported[i].set)
                        warn_once(w, s->name, unsupported[i].key, ign);
}

int cctr_extra_spec(const struct cproject *cp, const struct compose_service *s, struct ctr_spec *sp,
                    const struct service_warn *w, err_t *err)
{
        const struct compose_project *p = cp->p;
        warn_unsupported(s, w);
        for (size_t i = 0; i < s->nsecrets; i++)
                if (file_ref(s, &s->secrets[i],
                             compose_resource_find(p->secrets, p->nsecrets, s->secrets[i].source),
                             true, sp, w, err) < 0)
                        return -1;
        for (size_t i = 0; i < s->nconfigs; i++)
                if (file_ref(s, &s->configs[i],
                             compose_resource_find(p->configs, p->nconfigs, s->configs[i].source),
                             false, sp, w, err) < 0)
                        return -1;
        return 0;
}
