/* service.c - a compose service's container: the service turned into the
 * typed spec (engine/spec.h) that `berth run` also makes, created through
 * the one create path; removed; the project's networks and volumes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/fsutil.h"
#include "base/paths.h"
#include "base/restart.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "compose/hash.h"
#include "create.h"
#include "net/network.h"
#include "net/ports.h"
#include "netglue.h"
#include "prune.h"
#include "service.h"
#include "spec.h"
#include "start.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"
#include "runtime/security.h"
#include "runtime/spawn.h"
#include "runtime/volume.h"

static json_t *compose_labels(const struct compose_project *p, const char *kind, const char *key,
                              const struct compose_kvlist *user)
{
        json_t *l = json_object();
        for (size_t i = 0; user && i < user->n; i++)
                json_object_set_new(l, user->v[i].key, json_string(user->v[i].value ?: ""));
        json_object_set_new(l, kind, json_string(key));
        json_object_set_new(l, LBL_PROJECT, json_string(p->name));
        json_object_set_new(l, LBL_VERSION, json_string(COMPOSE_VERSION));
        return l;
}

/* Whether load (network_load, rt_volume_inspect) finds name. */
static bool found(int (*load)(const char *name, json_t **out, err_t *err), const char *name)
{
        json_t *cur = NULL;
        err_t e;
        if (load(name, &cur, &e) < 0)
                return false;
        json_decref(cur);
        return true;
}

/* Ends the report line of a create that returned rc: one that exists already
 * (a concurrent up) counts as made. */
static int report_made(const struct cproject_report *rep, size_t line, int rc, const char *what,
                       const char *name, err_t *err)
{
        bool ok = rc >= 0 || err->code == EEXIST;
        if (rep)
                rep->end(rep->ud, line, ok);
        return ok ? 0 : err_wrap(err, "%s %s", what, name);
}

int project_ensure_networks(const struct compose_project *p, const struct cproject_report *rep,
                            err_t *err)
{
        for (size_t i = 0; i < p->nnetworks; i++) {
                const struct compose_resource *r = &p->networks[i];
                if (found(network_load, r->name))
                        continue;
                if (r->external)
                        return err_set(err, ENOENT,
                                       "network %s declared as external, but could not be found",
                                       r->name);
                size_t line = rep ? rep->begin(rep->ud, "Network", r->name, true) : 0;
                _cleanup_json_ json_t *labels = compose_labels(p, LBL_NETWORK, r->key, &r->labels);
                _cleanup_json_ json_t *opts = json_object();
                for (size_t k = 0; k < r->driver_opts.n; k++)
                        json_object_set_new(opts, r->driver_opts.v[k].key,
                                            json_string(r->driver_opts.v[k].value ?: ""));
                struct network_create_opts o = {
                    .name = r->name,
                    .driver = r->driver,
                    .subnet = r->subnet,
                    .gateway = r->gateway,
                    .internal = r->internal,
                    .labels = labels,
                    .options = opts,
                };
                if (report_made(rep, line, network_create(&o, NULL, err), "network", r->name, err) <
                    0)
                        return -1;
        }
        return 0;
}

int project_ensure_volumes(const struct compose_project *p, const struct cproject_report *rep,
                           err_t *err)
{
        for (size_t i = 0; i < p->nvolumes; i++) {
                const struct compose_resource *r = &p->volumes[i];
                if (found(rt_volume_inspect, r->name))
                        continue;
                if (r->external)
                        return err_set(err, ENOENT, "external volume \"%s\" not found", r->name);
                if (r->driver && strcmp(r->driver, "local"))
                        return err_set(err, ENOTSUP, "volume %s: driver \"%s\" is not supported",
                                       r->name, r->driver);
                size_t line = rep ? rep->begin(rep->ud, "Volume", r->name, false) : 0;
                _cleanup_json_ json_t *labels = compose_labels(p, LBL_VOLUME, r->key, &r->labels);
                if (report_made(rep, line, rt_volume_create(r->name, labels, false, err), "volume",
                                r->name, err) < 0)
                        return -1;
        }
        return 0;
}

/* "SRC:DST[:MODE]" of `compose run -v`, in compose's short syntax: a
 * relative host path is the current directory's, a name a project volume key
 * or a volume. */
static int run_volume_spec(const struct compose_project *p, const char *spec, struct ctr_spec *sp,
                           err_t *err)
{
        struct mountspec m;
        if (mountspec_parse_volume(spec, MOUNTSPEC_COMPOSE, NULL, &m, err) < 0)
                return -1;
        if (m.type == MOUNT_BIND && m.source[0] != '/') {
                char cwd[PATH_MAX];
                const char *home = getenv("HOME");
                if (!getcwd(cwd, sizeof(cwd))) {
                        mountspec_free(&m);
                        return err_sys(err, errno, "getcwd");
                }
                char *abs = m.source[0] == '~' ? xasprintf("%s%s", home ? home : "", m.source + 1)
                                               : xasprintf("%s/%s", cwd, m.source);
                free(m.source);
                m.source = abs;
        } else if (m.type == MOUNT_VOLUME && m.source) {
                const struct compose_resource *r =
                    compose_resource_find(p->volumes, p->nvolumes, m.source);
                if (r) {
                        free(m.source);
                        m.source = xstrdup(r->name);
                }
        }
        if (mountspec_check(&m, err) < 0) {
                mountspec_free(&m);
                return -1;
        }
        ctr_spec_add_mount(sp, &m, true);
        return 0;
}

/* The service's healthcheck over the image's HEALTHCHECK. */
static void healthcheck_spec(const struct compose_service *s, const struct rt_image *img,
                             struct ctr_spec *sp)
{
        const struct compose_healthcheck *h = &s->healthcheck;
        const struct rt_healthcheck *ih = img->config.healthcheck;
        struct rt_healthcheck *out = &sp->health;
        if (h->present && h->disable) {
                sp->has_health = true;
                strv_push(&out->test, "NONE");
                return;
        }
        if (!(h->present && h->test.n) && !(ih && ih->test.n))
                return;
        struct ctr_health_over ov = {.test = h->present ? &h->test : NULL, .no_negative = true};
        const long long v[] = {[CTR_HEALTH_INTERVAL] = h->interval_ns,
                               [CTR_HEALTH_TIMEOUT] = h->timeout_ns,
                               [CTR_HEALTH_START_PERIOD] = h->start_period_ns,
                               [CTR_HEALTH_START_INTERVAL] = h->start_interval_ns,
                               [CTR_HEALTH_RETRIES] = h->retries};
        for (size_t i = 0; i < CTR_HEALTH_NFIELDS; i++) {
                ov.v[i] = v[i];
                ov.has[i] = h->present && v[i] >= 0; /* -1: not set */
        }
        ctr_spec_health_over_image(sp, &ov);
}

/* A service's ports as the typed published-port list (*out, n entries). */
static int service_ports(const struct compose_service *s, struct portspec **out, size_t *n,
                         err_t *err)
{
        *out = xcalloc(s->nports ? s->nports : 1, sizeof(**out));
        *n = 0;
        for (size_t i = 0; i < s->nports; i++) {
                if (s->ports[i].spec_error) {
                        err_set(err, EINVAL, "%s", s->ports[i].spec_error);
                        free(*out);
                        *out = NULL;
                        return err_wrap(err, "service %s", s->name);
                }
                (*out)[(*n)++] = s->ports[i].spec;
        }
        return 0;
}

/* The service's security and resource keys into the spec (a seccomp profile
 * file is relative to the project directory, as in docker compose), checked
 * with Docker's rules before anything is made. */
static int host_spec(const struct compose_project *p, const struct compose_service *s,
                     struct ctr_host *h, err_t *err)
{
        h->compose_shape = true;
        h->host_network = s->network_mode && !strcmp(s->network_mode, "host");
        for (size_t i = 0; i < s->sysctls.n; i++)
                strv_pushf(&h->sysctls, "%s=%s", s->sysctls.v[i].key, s->sysctls.v[i].value ?: "");
        h->privileged = s->privileged;
        h->readonly_rootfs = s->read_only;
        h->init = s->init;
        strv_copy(&h->cap_add, &s->cap_add);
        strv_copy(&h->cap_drop, &s->cap_drop);
        strv_copy(&h->security_opt, &s->security_opt);
        h->seccomp_dir = p->working_dir;
        h->shm_size = s->shm_size;
        h->oom_score_adj = s->oom_score_adj;
        h->memory = s->mem_limit;
        h->memory_reservation = s->mem_reservation;
        h->memory_swap = s->memswap_limit;
        h->has_memory_swap = s->memswap_limit != 0;
        h->nano_cpus = (long long)(s->cpus * 1e9);
        h->cpu_shares = s->cpu_shares;
        h->cpuset = s->cpuset;
        h->pids_limit = s->pids_limit;
        h->has_pids_limit = s->pids_limit != 0;
        for (size_t i = 0; i < s->nulimits; i++)
                ctr_host_add_ulimit(h, s->ulimits[i].name, s->ulimits[i].soft, s->ulimits[i].hard);
        if (ctr_host_check(h, err) < 0)
                return err_wrap(err, "service %s", s->name);
        return 0;
}

int cproject_security_check(const struct compose_project *p, const bool *sel, err_t *err)
{
        for (size_t i = 0; i < p->nservices; i++) {
                struct ctr_host h = {0};
                int r = sel[i] ? host_spec(p, &p->services[i], &h, err) : 0;
                ctr_host_free(&h);
                if (r < 0)
                        return -1;
        }
        return 0;
}

int cproject_ports_check(const struct compose_project *p, const bool *sel,
                         const struct cctr_list *obs, err_t *err)
{
        struct port_map *maps = NULL;
        size_t n = 0;
        size_t *owner = NULL; /* service index of each mapping */
        int r = 0;
        for (size_t si = 0; si < p->nservices && r == 0; si++) {
                const struct compose_service *s = &p->services[si];
                bool exists = false;
                for (size_t i = 0; i < obs->n && !exists; i++)
                        exists = !strcmp(obs->v[i].service, s->name);
                if (!sel[si] || exists)
                        continue;
                _cleanup_free_ struct portspec *specs = NULL;
                size_t nspecs = 0;
                r = service_ports(s, &specs, &nspecs, err);
                for (size_t k = 0; k < nspecs && r == 0; k++) {
                        size_t before = n;
                        char text[PORTSPEC_TEXT_MAX];
                        portspec_format(&specs[k], text);
                        r = port_maps_from_spec(text, &specs[k], &maps, &n, err);
                        if (r < 0) {
                                err_wrap(err, "service %s", s->name);
                                break;
                        }
                        owner = xrealloc(owner, (n + 1) * sizeof(*owner));
                        for (size_t m = before; m < n; m++)
                                owner[m] = si;
                }
        }
        if (r == 0 && n > 0) {
                /* one mapping at a time against the ones already held, so the
                 * error can name the service that asked for the port */
                int *held = xcalloc(n, sizeof(int));
                size_t nheld = 0;
                for (size_t m = 0; m < n && r == 0; m++) {
                        int *fds = NULL;
                        r = ports_reserve(&maps[m], 1, &fds, err);
                        if (r < 0) {
                                err_wrap(err, "service %s", p->services[owner[m]].name);
                                break;
                        }
                        held[nheld++] = fds[0];
                        free(fds);
                }
                for (size_t m = 0; m < nheld; m++)
                        close(held[m]);
                free(held);
        }
        free(maps);
        free(owner);
        return r;
}

/* Network attachments into the spec, recorded by netwire_create as `run
 * --network` does: NetworkMode names the first network (by priority, then
 * name); the others are added to NetworkSettings.Networks the same way, with
 * the aliases the DNS serves (container name, service name, the service's
 * aliases).  *mode_set: network_mode gives the mode (its errors name the
 * service). */
static int networks_spec(const struct compose_project *p, const struct compose_service *s,
                         const char *cname, const struct cctr_opts *o, struct ctr_net *nw,
                         bool *mode_set, err_t *err)
{
        *mode_set = false;
        if (!o->no_ports && service_ports(s, &nw->ports, &nw->nports, err) < 0)
                return -1;
        for (size_t i = 0; i < o->npublish; i++)
                ctr_net_add_port(nw, &o->publish[i],
                                 o->publish_text && i < o->publish_text->n ? o->publish_text->v[i]
                                                                           : NULL);
        strv_copy(&nw->add_hosts, &s->extra_hosts);
        /* links: "svc[:alias]" -> the service's first container; external_links as given */
        for (size_t i = 0; i < s->links.n; i++) {
                _cleanup_free_ char *svc = xstrdup(s->links.v[i]);
                char *al = strchr(svc, ':');
                if (al)
                        *al++ = '\0';
                for (size_t k = 0; k < p->nservices; k++)
                        if (!strcmp(p->services[k].name, svc)) {
                                _cleanup_free_ char *cn =
                                    cservice_container_name(p, &p->services[k], 1);
                                strv_pushf(&nw->link_hosts, "%s:%s", cn, al ? al : svc);
                        }
        }
        for (size_t i = 0; i < s->external_links.n; i++)
                strv_push(&nw->link_hosts, s->external_links.v[i]);
        strv_copy(&nw->dns, &s->dns);
        nw->has_dns_search = true;
        strv_copy(&nw->dns_search, &s->dns_search);
        strv_copy(&nw->dns_options, &s->dns_opt);
        if (s->network_mode) {
                /* service:x shares the network namespace of x's first container */
                const struct compose_service *x = plan_netns_target(p, s);
                nw->network = s->network_mode;
                if (x) {
                        _cleanup_free_ char *xn = cservice_container_name(p, x, 1);
                        nw->network = nw->network_buf = xasprintf("container:%s", xn);
                }
                *mode_set = true;
                return 0;
        }
        size_t n = s->nnetworks;
        if (!n) {
                nw->network = "none";
                return 0;
        }
        const struct compose_service_net **order = xcalloc(n, sizeof(*order));
        for (size_t i = 0; i < n; i++)
                order[i] = &s->networks[i];
        for (size_t i = 1; i < n; i++)
                for (size_t k = i; k > 0; k--) {
                        const struct compose_service_net *a = order[k - 1], *b = order[k];
                        if (a->priority > b->priority ||
                            (a->priority == b->priority && strcmp(a->name, b->name) <= 0))
                                break;
                        order[k - 1] = b;
                        order[k] = a;
                }
        /* the first network is the primary one, the rest are connected too */
        nw->more = xcalloc(n, sizeof(*nw->more));
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                const struct compose_resource *res =
                    compose_resource_find(p->networks, p->nnetworks, order[i]->name);
                if (!res) {
                        r = err_set(err, ENOENT, "service %s refers to undefined network %s",
                                    s->name, order[i]->name);
                        break;
                }
                strv_t *aliases = i ? &nw->more[nw->nmore].aliases : &nw->aliases;
                strv_push(aliases, cname);
                if (!o->oneoff)
                        strv_push(aliases, s->name);
                for (size_t k = 0; k < order[i]->aliases.n; k++)
                        strv_push(aliases, order[i]->aliases.v[k]);
                if (!i) {
                        nw->network = res->name;
                        nw->ip = order[i]->ipv4_address;
                } else {
                        nw->more[nw->nmore].name = res->name;
                        nw->more[nw->nmore++].ip = order[i]->ipv4_address;
                }
        }
        free(order);
        return r;
}

bool cctr_netns_joins(const struct cctr *e, const char *target_id)
{
        const char *nm = rt_doc_network_mode(e->j);
        return target_id && nm && !strncmp(nm, "container:", 10) && !strcmp(nm + 10, target_id);
}

/* The service's volumes and tmpfs into the spec, each checked with
 * Docker's rules (base/mountspec.h). */
static int mounts_spec(const struct compose_project *p, const struct compose_service *s,
                       struct ctr_spec *sp, err_t *err)
{
        for (size_t i = 0; i < s->nvolumes; i++) {
                const struct compose_mount *cm = &s->volumes[i];
                struct mountspec m = {.target = xstrdup(cm->target), .read_only = cm->read_only};
                switch (cm->type) {
                case COMPOSE_MOUNT_BIND:
                        m.type = MOUNT_BIND;
                        m.source = xstrdup(cm->source);
                        m.create_source = cm->create_host_path;
                        break;
                case COMPOSE_MOUNT_VOLUME: {
                        m.type = MOUNT_VOLUME;
                        m.nocopy = cm->nocopy;
                        if (!cm->source)
                                break;
                        const struct compose_resource *r =
                            compose_resource_find(p->volumes, p->nvolumes, cm->source);
                        if (!r) {
                                mountspec_free(&m);
                                return err_set(err, ENOENT,
                                               "service \"%s\" refers to undefined volume %s",
                                               s->name, cm->source);
                        }
                        m.source = xstrdup(r->name);
                        break;
                }
                case COMPOSE_MOUNT_TMPFS: {
                        strbuf_t o = STRBUF_INIT;
                        m.type = MOUNT_TMPFS;
                        if (cm->tmpfs_size > 0)
                                sb_appendf(&o, "size=%lld", (long long)cm->tmpfs_size);
                        if (cm->tmpfs_mode)
                                sb_appendf(&o, "%smode=%o", o.len ? "," : "", cm->tmpfs_mode);
                        m.tmpfs_opts = sb_steal(&o);
                        break;
                }
                default:
                        mountspec_free(&m);
                        return err_set(err, ENOTSUP,
                                       "service %s: volume type of %s is not supported by berth",
                                       s->name, cm->target);
                }
                if (mountspec_check(&m, err) < 0) {
                        mountspec_free(&m);
                        return err_wrap(err, "service %s", s->name);
                }
                ctr_spec_add_mount(sp, &m, true);
        }
        for (size_t i = 0; i < s->tmpfs.n; i++) {
                struct mountspec m;
                if (mountspec_parse_tmpfs(s->tmpfs.v[i], &m, err) < 0)
                        return err_wrap(err, "service %s", s->name);
                ctr_spec_add_mount(sp, &m, false);
        }
        return 0;
}

static char *depends_label(const struct compose_service *s)
{
        strbuf_t b = STRBUF_INIT;
        static const char *cond[] = {"service_started", "service_healthy",
                                     "service_completed_successfully"};
        for (size_t i = 0; i < s->ndepends_on; i++)
                sb_appendf(&b, "%s%s:%s:%s", i ? "," : "", s->depends_on[i].service,
                           cond[s->depends_on[i].condition],
                           s->depends_on[i].restart ? "true" : "false");
        return sb_steal(&b);
}

int service_ctr_create(const struct cproject *cp, const struct compose_service *s,
                       const struct cctr_opts *o, const struct service_warn *w, char **id_out,
                       err_t *err)
{
        const struct compose_project *p = cp->p;
        if (!s->image)
                return err_set(err, EINVAL, "service %s has neither an image nor a build context",
                               s->name);
        struct rt_image img;
        if (rt_image_lookup(s->image, &img, err) < 0) {
                if (err->code == ENOENT)
                        err_set(err, ENOENT, "image %s for service %s not found locally", s->image,
                                s->name);
                return -1;
        }
        char hash[COMPOSE_HASH_LEN + 1];
        int ret = -1;
        _cleanup_free_ char *name =
            o->name ? xstrdup(o->name) : cservice_container_name(p, s, o->number);
        _cleanup_free_ char *deps = NULL, *files = NULL;
        struct ctr_spec sp;
        ctr_spec_init(&sp, s->image, &img);

        if (compose_service_hash(s->json, hash, err) < 0)
                goto out;
        sp.name = name;
        sp.hostname = s->hostname;
        sp.domainname = s->domainname;
        if (o->user || s->user)
                sp.proc.user = o->user ? o->user : s->user;
        sp.proc.tty = o->tty || (!o->oneoff && s->tty);
        sp.proc.open_stdin = o->stdin_open || s->stdin_open;
        sp.proc.stdin_once = sp.proc.attach_stdin = o->stdin_open;
        for (size_t i = 0; i < s->environment.n; i++)
                if (s->environment.v[i].value)
                        strv_kv_set(&sp.proc.env, s->environment.v[i].key,
                                    s->environment.v[i].value);
        for (size_t i = 0; o->env && i < o->env->n; i++) {
                _cleanup_free_ char *kv = xstrdup(o->env->v[i]);
                char *eq = strchr(kv, '=');
                if (eq) {
                        *eq++ = '\0';
                        strv_kv_set(&sp.proc.env, kv, eq);
                } else if (getenv(kv)) {
                        strv_kv_set(&sp.proc.env, kv, getenv(kv));
                }
        }

        if (o->has_entrypoint) {
                strv_free(&sp.proc.entrypoint);
                strv_free(&sp.proc.cmd);
                if (*o->entrypoint &&
                    compose_shell_split(o->entrypoint, &sp.proc.entrypoint, err) < 0)
                        goto out;
        } else if (s->has_entrypoint) {
                strv_free(&sp.proc.entrypoint);
                strv_free(&sp.proc.cmd); /* an entrypoint resets the image's CMD */
                strv_copy(&sp.proc.entrypoint, &s->entrypoint);
        }
        if (o->cmd && o->cmd->n) {
                strv_free(&sp.proc.cmd);
                strv_copy(&sp.proc.cmd, o->cmd);
        } else if (s->has_command) {
                strv_free(&sp.proc.cmd);
                strv_copy(&sp.proc.cmd, &s->command);
        }
        if (ctr_process_check(&sp.proc, err) < 0) {
                err_wrap(err, "service %s", s->name);
                goto out;
        }
        if (o->workdir || s->working_dir)
                sp.proc.workdir = o->workdir ? o->workdir : s->working_dir;

        for (size_t i = 0; i < s->labels.n; i++)
                strv_pushf(&sp.labels, "%s=%s", s->labels.v[i].key, s->labels.v[i].value ?: "");
        deps = depends_label(s);
        files = strv_join(&cp->src.config_files, ",");
        strv_pushf(&sp.labels, "%s=%s", LBL_PROJECT, p->name);
        strv_pushf(&sp.labels, "%s=%s", LBL_SERVICE, s->name);
        strv_pushf(&sp.labels, "%s=%d", LBL_NUMBER, o->number);
        strv_pushf(&sp.labels, "%s=%s", LBL_HASH, hash);
        strv_pushf(&sp.labels, "%s=%s", LBL_ONEOFF, o->oneoff ? "True" : "False");
        strv_pushf(&sp.labels, "%s=%s", LBL_WORKDIR, p->working_dir);
        strv_pushf(&sp.labels, "%s=%s", LBL_FILES, files);
        strv_pushf(&sp.labels, "%s=%s", LBL_DEPENDS, deps);
        strv_pushf(&sp.labels, "%s=%s", LBL_IMAGE, img.id);
        strv_pushf(&sp.labels, "%s=%s", LBL_VERSION, COMPOSE_VERSION);

        if (s->stop_signal)
                sp.stop_signal = s->stop_signal;
        if (sp.stop_signal && ctr_signal_parse(sp.stop_signal) <= 0) {
                err_set(err, EINVAL, "service %s: invalid stop_signal %s", s->name, sp.stop_signal);
                goto out;
        }
        if (s->stop_grace_period_ns >= 0) {
                sp.stop_timeout = cservice_stop_timeout(s);
                sp.has_stop_timeout = true;
        }
        healthcheck_spec(s, &img, &sp);
        for (size_t i = 0; i < s->expose.n; i++) {
                const char *e = s->expose.v[i];
                if (strchr(e, '/'))
                        strv_push(&sp.exposed, e);
                else
                        strv_pushf(&sp.exposed, "%s/tcp", e);
        }
        if (restart_policy_parse(o->oneoff ? "no" : s->restart, &sp.restart, err) < 0)
                goto out;
        sp.auto_remove = o->auto_remove;
        if (host_spec(p, s, &sp.host, err) < 0)
                goto out;
        if (mounts_spec(p, s, &sp, err) < 0)
                goto out;
        for (size_t i = 0; o->volumes && i < o->volumes->n; i++)
                if (run_volume_spec(p, o->volumes->v[i], &sp, err) < 0)
                        goto out;
        bool mode_set;
        if (networks_spec(p, s, name, o, &sp.net, &mode_set, err) < 0 ||
            cctr_extra_spec(cp, s, &sp, w, err) < 0)
                goto out;
        strv_t warnings = STRV_INIT;
        enum ctr_create_step step;
        ret = container_create_spec(&sp, id_out, &warnings, &step, err);
        for (size_t i = 0; i < warnings.n; i++)
                w->create(w->ud, warnings.v[i]);
        strv_free(&warnings);
        if (ret < 0 && (step == CTR_STEP_MOUNTS || (step == CTR_STEP_NETWORK && mode_set)))
                err_wrap(err, "service %s", s->name);
out:
        ctr_spec_free(&sp);
        rt_image_free(&img);
        return ret;
}

int cctr_remove(const char *id, int timeout, bool volumes, err_t *err)
{
        /* one release, below, for the stop and the removal */
        if (ctr_stop_process(id, timeout, err) < 0)
                return err->code == ENOENT ? 0 : -1;
        _cleanup_free_ char *cid = NULL;
        json_t *j = NULL;
        _cleanup_close_ int lk = -1;
        if (ctr_get(id, &cid, &j, &lk, err) < 0)
                return err->code == ENOENT ? 0 : -1;
        int r = container_remove_locked(cid, j, err);
        if (r == 0 && volumes)
                ctr_remove_anon_volumes(j, NULL);
        json_decref(j);
        return r;
}
