#include "spec.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/security.h"
#include "runtime/volume.h"

void ctr_spec_init(struct ctr_spec *s, const char *image_ref, const struct rt_image *img)
{
        memset(s, 0, sizeof(*s));
        s->image_ref = image_ref;
        s->img = img;
        bool has_path = false;
        for (size_t i = 0; i < img->config.env.n; i++)
                has_path |= !strncmp(img->config.env.v[i], "PATH=", 5);
        if (!has_path)
                strv_push(&s->proc.env, CTR_DEFAULT_PATH);
        for (size_t i = 0; i < img->config.env.n; i++)
                strv_push(&s->proc.env, img->config.env.v[i]);
        strv_copy(&s->proc.entrypoint, &img->config.entrypoint);
        strv_copy(&s->proc.cmd, &img->config.cmd);
        s->proc.user = img->config.user;
        s->proc.workdir = img->config.working_dir;
        s->stop_signal = img->config.stop_signal;
}

void ctr_spec_free(struct ctr_spec *s)
{
        strv_free(&s->proc.entrypoint);
        strv_free(&s->proc.cmd);
        strv_free(&s->proc.env);
        strv_free(&s->labels);
        strv_free(&s->health.test);
        strv_free(&s->exposed);
        for (size_t i = 0; i < s->nmounts; i++)
                mountspec_free(&s->mounts[i].m);
        free(s->mounts);
        ctr_host_free(&s->host);
        ctr_net_free(&s->net);
        for (size_t i = 0; i < s->nfiles; i++) {
                free(s->files[i].source);
                free(s->files[i].target);
                free(s->files[i].what);
        }
        free(s->files);
}

void ctr_net_add_port(struct ctr_net *n, const struct portspec *ps, const char *text)
{
        while (n->port_texts.n < n->nports)
                strv_push(&n->port_texts, "");
        n->ports = xrealloc(n->ports, (n->nports + 1) * sizeof(*n->ports));
        n->ports[n->nports++] = *ps;
        strv_push(&n->port_texts, text ? text : "");
}

void ctr_net_free(struct ctr_net *o)
{
        for (size_t i = 0; i < o->nmore; i++)
                strv_free(&o->more[i].aliases);
        free(o->more);
        free(o->ports);
        free(o->network_buf);
        strv_free(&o->aliases);
        strv_free(&o->port_texts);
        strv_free(&o->add_hosts);
        strv_free(&o->dns);
        strv_free(&o->links);
        strv_free(&o->link_hosts);
        strv_free(&o->dns_search);
        strv_free(&o->dns_options);
        memset(o, 0, sizeof(*o));
}

void ctr_spec_add_file(struct ctr_spec *s, const char *source, const char *target, const char *what)
{
        s->files = xrealloc(s->files, (s->nfiles + 1) * sizeof(*s->files));
        s->files[s->nfiles++] = (struct ctr_file){
            .source = xstrdup(source), .target = xstrdup(target), .what = xstrdup(what)};
}

void ctr_host_free(struct ctr_host *h)
{
        strv_free(&h->cap_add);
        strv_free(&h->cap_drop);
        strv_free(&h->security_opt);
        strv_free(&h->sysctls);
        for (size_t i = 0; i < h->nulimits; i++)
                free(h->ulimits[i].name);
        free(h->ulimits);
        json_decref(h->seccomp);
        memset(h, 0, sizeof(*h));
}

void ctr_host_add_ulimit(struct ctr_host *h, const char *name, long long soft, long long hard)
{
        h->ulimits = xrealloc(h->ulimits, (h->nulimits + 1) * sizeof(*h->ulimits));
        h->ulimits[h->nulimits++] = (struct ctr_ulimit){xstrdup(name), soft, hard};
}

int ctr_host_check(struct ctr_host *h, err_t *err)
{
        for (size_t i = 0; i < h->sysctls.n; i++) {
                const char *kv = h->sysctls.v[i], *eq = strchr(kv, '=');
                _cleanup_free_ char *k = eq ? xstrndup(kv, eq - kv) : xstrdup(kv);
                if (rt_sysctl_check(k, h->host_network, err) < 0)
                        return -1;
        }
        uint64_t caps;
        json_decref(h->seccomp);
        h->seccomp = NULL;
        if (rt_caps_compute(h->privileged, &h->cap_add, &h->cap_drop, &caps, err) < 0 ||
            rt_secopts_check(&h->security_opt, h->seccomp_dir, caps, &h->seccomp, err) < 0 ||
            rt_oom_score_adj_check(h->oom_score_adj, err) < 0)
                return -1;
        if (h->has_memory_swap) {
                if (!h->memory)
                        return err_set(err, EINVAL,
                                       "you should always set the memory limit when using the "
                                       "memoryswap limit");
                if (h->memory_swap > 0 && h->memory_swap < h->memory)
                        return err_set(err, EINVAL,
                                       "minimum memoryswap limit should be larger than memory "
                                       "limit");
        }
        if (h->memory && h->memory < 6 * 1024 * 1024)
                return err_set(err, EINVAL, "minimum memory limit allowed is 6MB");
        return 0;
}

static void host_render(const struct ctr_host *h, json_t *j, json_t *hc)
{
        if (h->seccomp)
                json_object_set(j, "SeccompProfile", h->seccomp);
        json_object_set_new(hc, "CapAdd", json_strv(&h->cap_add));
        json_object_set_new(hc, "CapDrop", json_strv(&h->cap_drop));
        json_object_set_new(hc, "Privileged", json_boolean(h->privileged));
        json_object_set_new(hc, "SecurityOpt", json_strv(&h->security_opt));
        json_object_set_new(hc, "ReadonlyRootfs", json_boolean(h->readonly_rootfs));
        json_object_set_new(hc, "Init", json_boolean(h->init));
        json_object_set_new(hc, "ShmSize",
                            json_integer(h->shm_size > 0 ? h->shm_size : 64LL << 20));
        json_object_set_new(hc, "OomScoreAdj", json_integer(h->oom_score_adj));
        json_object_set_new(hc, "Memory", json_integer(h->memory));
        if (h->compose_shape)
                json_object_set_new(hc, "MemoryReservation", json_integer(h->memory_reservation));
        if (!h->compose_shape || h->memory_swap)
                json_object_set_new(hc, "MemorySwap", json_integer(h->memory_swap));
        json_object_set_new(hc, "NanoCpus", json_integer(h->nano_cpus));
        if (!h->compose_shape || h->cpu_shares)
                json_object_set_new(hc, "CpuShares", json_integer(h->cpu_shares));
        if (!h->compose_shape || h->cpuset)
                json_object_set_new(hc, "CpusetCpus", json_string(h->cpuset ? h->cpuset : ""));
        json_object_set_new(hc, "PidsLimit",
                            json_integer(h->has_pids_limit ? h->pids_limit : RT_PIDS_DEFAULT));
        json_t *ul = json_array();
        for (size_t i = 0; i < h->nulimits; i++)
                json_array_append_new(ul, json_pack("{s:s,s:I,s:I}", "Name", h->ulimits[i].name,
                                                    "Soft", (json_int_t)h->ulimits[i].soft, "Hard",
                                                    (json_int_t)h->ulimits[i].hard));
        json_object_set_new(hc, "Ulimits", ul);
        if (h->compose_shape || h->sysctls.n) {
                json_t *sc = json_object();
                for (size_t i = 0; i < h->sysctls.n; i++) {
                        _cleanup_free_ char *k = xstrdup(h->sysctls.v[i]);
                        char *eq = strchr(k, '=');
                        if (eq)
                                *eq++ = '\0';
                        json_object_set_new(sc, k, json_string(eq ? eq : ""));
                }
                json_object_set_new(hc, "Sysctls", sc);
        }
}

void ctr_spec_add_mount(struct ctr_spec *s, struct mountspec *m, bool binds)
{
        s->mounts = xrealloc(s->mounts, (s->nmounts + 1) * sizeof(*s->mounts));
        s->mounts[s->nmounts].m = *m;
        s->mounts[s->nmounts++].binds = binds;
        memset(m, 0, sizeof(*m));
}

void ctr_spec_health_from_image(struct ctr_spec *s)
{
        const struct rt_healthcheck *ih = s->img->config.healthcheck;
        if (!ih || !ih->test.n)
                return;
        strv_free(&s->health.test);
        strv_copy(&s->health.test, &ih->test);
        s->health.interval_ns = ih->interval_ns;
        s->health.timeout_ns = ih->timeout_ns;
        s->health.start_period_ns = ih->start_period_ns;
        s->health.start_interval_ns = ih->start_interval_ns;
        s->health.retries = ih->retries;
        s->has_health = true;
}

void ctr_spec_health_over_image(struct ctr_spec *s, const struct ctr_health_over *o)
{
        const struct rt_healthcheck *ih = s->img->config.healthcheck;
        struct rt_healthcheck *h = &s->health;
        strv_free(&h->test);
        if (o->test && o->test->n)
                strv_copy(&h->test, o->test);
        else if (ih && ih->test.n)
                strv_copy(&h->test, &ih->test);
        const long long img[CTR_HEALTH_NFIELDS] = {
            ih ? ih->interval_ns : 0, ih ? ih->timeout_ns : 0, ih ? ih->start_period_ns : 0,
            ih ? ih->start_interval_ns : 0, ih ? ih->retries : 0};
        long long v[CTR_HEALTH_NFIELDS];
        for (size_t i = 0; i < CTR_HEALTH_NFIELDS; i++) {
                v[i] = o->has[i] ? o->v[i] : img[i];
                if (o->no_negative && v[i] < 0)
                        v[i] = 0;
        }
        h->interval_ns = v[CTR_HEALTH_INTERVAL];
        h->timeout_ns = v[CTR_HEALTH_TIMEOUT];
        h->start_period_ns = v[CTR_HEALTH_START_PERIOD];
        h->start_interval_ns = v[CTR_HEALTH_START_INTERVAL];
        h->retries = (int)v[CTR_HEALTH_RETRIES];
        s->has_health = true;
}

/* "K=V" entries into an object (a later key wins; no '=' is an empty value). */
static void labels_into(json_t *labels, const strv_t *kvs)
{
        for (size_t i = 0; i < kvs->n; i++) {
                _cleanup_free_ char *k = xstrdup(kvs->v[i]);
                char *eq = strchr(k, '=');
                if (eq)
                        *eq++ = '\0';
                json_object_set_new(labels, k, json_string(eq ? eq : ""));
        }
}

static json_t *health_json(const struct rt_healthcheck *h)
{
        if (h->test.n == 1 && !strcmp(h->test.v[0], "NONE"))
                return json_pack("{s:[s]}", "Test", "NONE");
        json_t *o = json_object();
        if (h->test.n)
                json_object_set_new(o, "Test", json_strv(&h->test));
        const struct {
                const char *key;
                long long v;
        } d[] = {{"Interval", h->interval_ns},
                 {"Timeout", h->timeout_ns},
                 {"StartPeriod", h->start_period_ns},
                 {"StartInterval", h->start_interval_ns},
                 {"Retries", h->retries}};
        for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
                if (d[i].v)
                        json_object_set_new(o, d[i].key, json_integer(d[i].v));
        return o;
}

int ctr_process_check(const struct ctr_process *p, err_t *err)
{
        if (!p->entrypoint.n && !p->cmd.n)
                return err_set(err, EINVAL, "no command specified");
        return 0;
}

int ctr_spec_render(const struct ctr_spec *s, const char *id, json_t **out, err_t *err)
{
        const struct ctr_process *p = &s->proc;
        if (ctr_process_check(p, err) < 0)
                return -1;

        _cleanup_free_ char *now = time_now_rfc3339();
        json_t *j = json_object(), *cfg = json_object(), *hc = json_object();
        json_object_set_new(j, "Id", json_string(id));
        json_object_set_new(j, "Name", json_sprintf("/%s", s->name));
        json_object_set_new(j, "Created", json_string(now));
        json_object_set_new(j, "Image", json_string(s->img->id));
        json_object_set_new(j, "Driver", json_string("overlay"));
        json_object_set_new(j, "Platform", json_string("linux"));
        json_object_set_new(j, "RestartCount", json_integer(0));
        json_object_set_new(j, "NetworkSettings", json_object());
        json_object_set_new(j, "State",
                            json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:i,s:i,s:s,s:s,s:s}", "Status",
                                      "created", "Running", 0, "Paused", 0, "Restarting", 0,
                                      "OOMKilled", 0, "Dead", 0, "Pid", 0, "ExitCode", 0, "Error",
                                      "", "StartedAt", "0001-01-01T00:00:00Z", "FinishedAt",
                                      "0001-01-01T00:00:00Z"));
        json_object_set_new(j, "Config", cfg);
        json_object_set_new(j, "HostConfig", hc);

        /* the process */
        json_object_set_new(cfg, "Hostname",
                            s->hostname ? json_string(s->hostname)
                                        : json_stringn(id, RT_SHORT_ID_LEN));
        json_object_set_new(cfg, "Domainname", json_string(s->domainname ? s->domainname : ""));
        json_object_set_new(cfg, "User", json_string(p->user ? p->user : ""));
        json_object_set_new(cfg, "Tty", json_boolean(p->tty));
        json_object_set_new(cfg, "OpenStdin", json_boolean(p->open_stdin));
        json_object_set_new(cfg, "StdinOnce", json_boolean(p->stdin_once));
        json_object_set_new(cfg, "AttachStdin", json_boolean(p->attach_stdin));
        json_object_set_new(cfg, "AttachStdout", json_boolean(p->attach_stdout));
        json_object_set_new(cfg, "AttachStderr", json_boolean(p->attach_stderr));
        json_object_set_new(cfg, "Env", json_strv(&p->env));
        json_object_set_new(cfg, "Entrypoint", json_strv(&p->entrypoint));
        json_object_set_new(cfg, "Cmd", json_strv(&p->cmd));
        size_t ne = p->entrypoint.n, nt = ne + p->cmd.n;
        json_object_set_new(j, "Path", json_string(ne ? p->entrypoint.v[0] : p->cmd.v[0]));
        json_t *args = json_array();
        for (size_t i = 1; i < nt; i++)
                json_array_append_new(args,
                                      json_string(i < ne ? p->entrypoint.v[i] : p->cmd.v[i - ne]));
        json_object_set_new(j, "Args", args);
        json_object_set_new(cfg, "Image", json_string(s->image_ref));
        json_object_set_new(cfg, "WorkingDir", json_string(p->workdir ? p->workdir : ""));

        json_t *labels = json_object();
        labels_into(labels, &s->img->config.labels);
        labels_into(labels, &s->labels);
        json_object_set_new(cfg, "Labels", labels);
        if (s->stop_signal)
                json_object_set_new(cfg, "StopSignal", json_string(s->stop_signal));
        if (s->has_stop_timeout)
                json_object_set_new(cfg, "StopTimeout", json_integer(s->stop_timeout));
        if (s->has_health)
                json_object_set_new(cfg, "Healthcheck", health_json(&s->health));
        json_t *exposed = json_object();
        for (size_t i = 0; i < s->img->config.exposed_ports.n; i++)
                json_object_set_new(exposed, s->img->config.exposed_ports.v[i], json_object());
        for (size_t i = 0; i < s->exposed.n; i++)
                json_object_set_new(exposed, s->exposed.v[i], json_object());
        json_object_set_new(cfg, "ExposedPorts", exposed);

        /* the host side */
        json_object_set_new(hc, "Binds", json_array());
        json_object_set_new(j, "Mounts", json_array());
        json_object_set_new(hc, "Tmpfs", json_object());
        json_object_set_new(hc, "RestartPolicy",
                            json_pack("{s:s,s:i}", "Name", restart_kind_name(s->restart.kind),
                                      "MaximumRetryCount", s->restart.max_retries));
        json_object_set_new(hc, "AutoRemove", json_boolean(s->auto_remove));
        host_render(&s->host, j, hc);
        _cleanup_free_ char *lower = strv_join(&s->img->layer_dirs, ":");
        json_object_set_new(
            j, "GraphDriver",
            json_pack("{s:s,s:{s:s}}", "Name", "overlay", "Data", "LowerDir", lower));
        *out = j;
        return 0;
}

static int mount_volume(json_t *mounts, const char *name, bool anon, const char *dst, bool ro,
                        bool nocopy, const struct rt_image *img, err_t *err)
{
        _cleanup_free_ char *path = NULL;
        if (rt_volume_ensure(name, anon, &path, err) < 0)
                return -1;
        if (!nocopy && rt_volume_populate(path, &img->layer_dirs, dst, err) < 0)
                return -1;
        json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "Type",
                                                "volume", "Name", name, "Source", path,
                                                "Destination", dst, "Driver", "local", "Mode",
                                                ro ? "ro" : "z", "RW", !ro, "Propagation", ""));
        return 0;
}

static int mount_bind(json_t *mounts, json_t *binds, const struct mountspec *m, err_t *err)
{
        if (access(m->source, F_OK) < 0) {
                if (!m->create_source)
                        return err_set(err, ENOENT,
                                       "invalid mount config for type \"bind\": bind source path "
                                       "does not exist: %s",
                                       m->source);
                if (mkdir_p(m->source, 0755, err) < 0) /* docker -v creates it */
                        return -1;
        }
        bool ro = m->read_only;
        json_array_append_new(mounts,
                              json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "bind", "Source",
                                        m->source, "Destination", m->target, "Mode", ro ? "ro" : "",
                                        "RW", !ro, "Propagation", "rprivate"));
        if (binds)
                json_array_append_new(
                    binds, json_sprintf("%s:%s%s", m->source, m->target, ro ? ":ro" : ""));
        return 0;
}

static bool mounts_has(const json_t *mounts, const char *dst)
{
        size_t i;
        const json_t *m;
        json_array_foreach(mounts, i, m)
        {
                if (!strcmp(json_string_value(json_object_get(m, "Destination")) ?: "", dst))
                        return true;
        }
        return false;
}

int ctr_spec_mounts(const struct ctr_spec *s, json_t *doc, err_t *err)
{
        json_t *hc = json_object_get(doc, "HostConfig"), *mounts = json_object_get(doc, "Mounts");
        json_t *binds = json_object_get(hc, "Binds"), *tmpfs = json_object_get(hc, "Tmpfs");
        for (size_t i = 0; i < s->nmounts; i++) {
                const struct mountspec *m = &s->mounts[i].m;
                int r = 0;
                switch (m->type) {
                case MOUNT_BIND:
                        r = mount_bind(mounts, s->mounts[i].binds ? binds : NULL, m, err);
                        break;
                case MOUNT_VOLUME:
                        r = mount_volume(mounts, m->source ? m->source : rt_volume_anon_name(),
                                         !m->source, m->target, m->read_only, m->nocopy, s->img,
                                         err);
                        break;
                case MOUNT_TMPFS:
                        json_object_set_new(tmpfs, m->target, json_string(m->tmpfs_opts ?: ""));
                        break;
                }
                if (r < 0)
                        return -1;
        }
        if (rt_ctr_tmpfs_check(tmpfs, err) < 0)
                return -1;
        /* a stored image made before VOLUME paths were checked */
        if (rt_image_config_check_volumes(&s->img->config, s->image_ref, err) < 0)
                return -1;
        for (size_t i = 0; i < s->img->config.volumes.n; i++) { /* image VOLUMEs: anonymous */
                const char *d = s->img->config.volumes.v[i];
                if (mounts_has(mounts, d) || json_object_get(tmpfs, d))
                        continue;
                if (mount_volume(mounts, rt_volume_anon_name(), true, d, false, false, s->img,
                                 err) < 0)
                        return -1;
        }
        return 0;
}

int ctr_spec_files(const struct ctr_spec *s, json_t *doc, err_t *err)
{
        json_t *mounts = json_object_get(doc, "Mounts");
        json_t *binds = json_object_get(json_object_get(doc, "HostConfig"), "Binds");
        for (size_t i = 0; i < s->nfiles; i++) {
                const struct ctr_file *f = &s->files[i];
                struct stat st;
                if (stat(f->source, &st) < 0)
                        return err_sys(err, errno, "%s: file %s", f->what, f->source);
                json_array_append_new(mounts,
                                      json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "bind",
                                                "Source", f->source, "Destination", f->target,
                                                "Mode", "ro", "RW", 0, "Propagation", "rprivate"));
                json_array_append_new(binds, json_sprintf("%s:%s:ro", f->source, f->target));
        }
        return 0;
}

void ctr_remove_anon_volumes(json_t *doc, strv_t *warnings)
{
        size_t i;
        json_t *m;
        json_array_foreach(rt_doc_mounts(doc), i, m)
        {
                const char *vn = rt_doc_mount_name(m);
                err_t e = {0};
                if (vn && rt_volume_is_anon(vn) && rt_volume_remove(vn, &e) < 0 && warnings)
                        strv_push(warnings, e.msg);
        }
}

int ctr_create(json_t *doc, unsigned flags, err_t *err)
{
        if (berth_dirs_ensure(err) < 0 || rt_ctr_create(doc, flags, err) < 0)
                return -1;
        return 0;
}
