/* berth compose up / create / down: reconcile the project's containers with
 * the model (plan as a DAG of operations, run with bounded parallelism). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/crash.h"
#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/dag.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose/hash.h"
#include "compose_more.h"
#include "compose_up.h"
#include "compose_up_opts.h"
#include "compose_build.h"
#include "compose_pull.h"
#include "container_cli.h"
#include "engine/plan.h"
#include "net/network.h"
#include "progress.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"
#include "runtime/volume.h"

enum cop_kind { COP_CREATE, COP_RECREATE, COP_START, COP_RUNNING, COP_REMOVE };

/* One container operation of the plan. */
struct cop {
        enum cop_kind kind;
        struct cproject *cp;
        const struct compose_service *s;
        int number;
        char *old_id; /* recreate / start / remove */
        char *new_id;
        const json_t *running; /* COP_RUNNING in a starting up: its document */
        bool start, renew_anon;
        int timeout;
        struct progress *pr;
        size_t line;
};

/* A wait for a dependency condition. */
struct wop {
        struct cproject *cp;
        const struct compose_service *s;
        enum compose_dep_condition cond;
        struct cop **cops; /* the service's containers */
        size_t ncops;
        struct progress *pr;
};

static int cop_run(void *arg, err_t *err)
{
        struct cop *c = arg;
        struct cctr_opts o = {.number = c->number};
        int status;
        switch (c->kind) {
        case COP_RUNNING:
                /* its names again (an up killed between its start and the
                 * commit, or records lost with the run dir), committed with
                 * the next flush; nothing is written when they are there */
                if (c->running && dnsreg_refresh(c->old_id, c->running, err) < 0)
                        goto fail;
                progress_set(c->pr, c->line, PROGRESS_DONE, "Running");
                c->new_id = xstrdup(c->old_id);
                return 0;
        case COP_REMOVE:
                progress_set(c->pr, c->line, PROGRESS_WORKING, "Stopping");
                if (cctr_remove(c->old_id, c->timeout, false, err) < 0)
                        goto fail;
                progress_set(c->pr, c->line, PROGRESS_DONE, "Removed");
                return 0;
        case COP_START:
                c->new_id = xstrdup(c->old_id);
                break;
        case COP_RECREATE:
                progress_set(c->pr, c->line, PROGRESS_WORKING, "Recreate");
                if (cctr_remove(c->old_id, c->timeout, c->renew_anon, err) < 0)
                        goto fail;
                /* fall through */
        case COP_CREATE:
                progress_set(c->pr, c->line, PROGRESS_WORKING,
                             c->kind == COP_CREATE ? "Creating" : "Recreate");
                if (cctr_create(c->cp, c->s, &o, &c->new_id, err) < 0)
                        goto fail;
                progress_set(c->pr, c->line, c->start ? PROGRESS_WORKING : PROGRESS_DONE,
                             c->kind == COP_CREATE ? "Created" : "Recreated");
                break;
        }
        if (!c->start)
                return 0;
        progress_set(c->pr, c->line, PROGRESS_WORKING, "Starting");
        if (container_start(c->new_id, ATTACH_NONE, &status, err) < 0)
                goto fail;
        progress_set(c->pr, c->line, PROGRESS_DONE, "Started");
        return 0;
fail:
        progress_set(c->pr, c->line, PROGRESS_ERROR, "Error");
        return -1;
}

static int wop_run(void *arg, err_t *err)
{
        struct wop *w = arg;
        for (size_t i = 0; i < w->ncops; i++) {
                struct cop *c = w->cops[i];
                if (!c->new_id)
                        continue;
                if (w->cond == COMPOSE_DEP_HEALTHY) {
                        progress_set(c->pr, c->line, PROGRESS_WORKING, "Waiting");
                        if (cctr_wait_healthy(c->new_id, 0, err) < 0) {
                                progress_set(c->pr, c->line, PROGRESS_ERROR, "Error");
                                return -1;
                        }
                        progress_set(c->pr, c->line, PROGRESS_DONE, "Healthy");
                } else if (w->cond == COMPOSE_DEP_COMPLETED) {
                        int code;
                        progress_set(c->pr, c->line, PROGRESS_WORKING, "Waiting");
                        if (cctr_wait_exit(c->new_id, 0, &code, err) < 0)
                                return -1;
                        if (code != 0) {
                                progress_set(c->pr, c->line, PROGRESS_ERROR, "Error");
                                return err_set(err, ECHILD,
                                               "service \"%s\" didn't complete successfully: "
                                               "exit %d",
                                               w->s->name, code);
                        }
                        progress_set(c->pr, c->line, PROGRESS_DONE, "Exited");
                }
        }
        return 0;
}

/* Find the service's index in p. */
static ssize_t svc_index(const struct compose_project *p, const char *name)
{
        for (size_t i = 0; i < p->nservices; i++)
                if (!strcmp(p->services[i].name, name))
                        return (ssize_t)i;
        return -1;
}

static void print_orphans(const struct compose_project *p, const struct cctr_list *l)
{
        strbuf_t b = STRBUF_INIT;
        for (size_t i = 0; i < l->n; i++)
                if (cctr_is_orphan(p, &l->v[i]))
                        sb_appendf(&b, "%s%s", b.len ? " " : "", l->v[i].name);
        if (b.len)
                fprintf(stderr,
                        "WARN[0000] Found orphan containers ([%s]) for this project. If you "
                        "removed or renamed this service in your compose file, you can run this "
                        "command with the --remove-orphans flag to clean it up.\n",
                        sb_str(&b));
        sb_free(&b);
}

/* Bring the selected services to the desired state.  Returns the exit code. */
static int up_apply(struct compose_globals *g, struct cproject *cp, const struct up_opts *o,
                    char **svcs, int nsvcs)
{
        bool start = up_opts_start(o);
        struct compose_project *p = cp->p;
        err_t err;
        struct cctr_list obs = {0};
        struct dag d = {0};
        _cleanup_free_ bool *sel = NULL;
        struct cop **cops = NULL;
        size_t ncops = 0;
        struct wop *wops = xcalloc(p->nservices * 3 + 1, sizeof(*wops));
        size_t *svc_done = xcalloc(p->nservices + 1, sizeof(size_t));
        ssize_t *wait_op = xcalloc(p->nservices * 3 + 1, sizeof(ssize_t));
        int rc = COMPOSE_EXIT_FAIL;
        struct progress *pr = NULL;
        struct plan plan = {0};
        struct plan_ctr *pobs = NULL;

        int lk = cproject_lock(p->name, &err);
        if (lk < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        if (cproject_select(p, svcs, nsvcs, !o->no_deps, &sel, &err) < 0 ||
            cctr_observe(p->name, false, &obs, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        for (size_t i = 0; i < p->nservices * 3; i++)
                wait_op[i] = -1;
        /* the plan (engine/plan.h); its builds run first, one at a time (the
         * builder writes to the terminal), before anything else is made;
         * the containers that waited for a build are then decided again */
        struct plan_opts po = up_plan_opts(o);
        if (compose_plan_make(p, sel, &obs, &po, &o->scale, svcs, nsvcs, &plan, &pobs, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        bool built = false;
        for (size_t k = 0; k < plan.n; k++) {
                if (plan.ops[k].kind != PLAN_BUILD)
                        continue;
                if (compose_build_service(&p->services[plan.ops[k].service], false, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        goto out;
                }
                built = true;
        }
        if (built) {
                free(pobs);
                pobs = compose_plan_observed(p, &obs);
                plan_rebuilt(p, pobs, obs.n, &po, &plan);
        }
        if (!o->remove_orphans)
                print_orphans(p, &obs);
        /* a security option berth cannot honour (or a bad seccomp profile)
         * and a published port that is taken fail the whole up before
         * anything (network, volume, container) is created */
        if (cproject_security_check(p, sel, &err) < 0 ||
            (start && cproject_ports_check(p, sel, &obs, &err) < 0)) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        pr = progress_new(stderr, g->progress, "Running");
        if (cproject_ensure_networks(p, pr, &err) < 0 || cproject_ensure_volumes(p, pr, &err) < 0) {
                progress_end(pr);
                pr = NULL;
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        crash_point("up.networks");
        for (size_t i = 0; i < plan.warnings.n; i++)
                fprintf(stderr, "%s\n", plan.warnings.v[i]);
        /* the plan's container operations on the DAG */
        cops = xcalloc(plan.n + 1, sizeof(*cops));
        size_t pk = 0;
        for (; pk < plan.n && plan.ops[pk].service < 0; pk++) { /* orphans */
                const struct cctr *e = &obs.v[plan.ops[pk].observed];
                struct cop *c = cops[ncops++] = xcalloc(1, sizeof(*c));
                *c = (struct cop){.kind = COP_REMOVE,
                                  .cp = cp,
                                  .pr = pr,
                                  .old_id = xstrdup(e->id),
                                  .timeout = o->timeout};
                c->line = progress_add(pr, "Container", e->name);
                dag_add(&d, "remove orphan", cop_run, c);
        }
        /* per service: a sync point after its containers */
        for (size_t si = 0; si < p->nservices; si++)
                svc_done[si] = dag_add(&d, p->services[si].name, NULL, NULL);
        for (; pk < plan.n; pk++) {
                const struct plan_op *op = &plan.ops[pk];
                const struct compose_service *s = &p->services[op->service];
                if (op->kind == PLAN_BUILD)
                        continue; /* done above */
                static const enum cop_kind kinds[] = {[PLAN_CREATE] = COP_CREATE,
                                                      [PLAN_RECREATE] = COP_RECREATE,
                                                      [PLAN_START] = COP_START,
                                                      [PLAN_KEEP] = COP_RUNNING,
                                                      [PLAN_REMOVE] = COP_REMOVE};
                struct cop *c = cops[ncops++] = xcalloc(1, sizeof(*c));
                *c = (struct cop){.kind = kinds[op->kind],
                                  .cp = cp,
                                  .s = s,
                                  .number = op->number,
                                  .pr = pr,
                                  .start = op->start,
                                  .timeout = o->timeout};
                if (op->observed >= 0) {
                        const struct cctr *e = &obs.v[op->observed];
                        c->old_id = xstrdup(e->id);
                        c->renew_anon = o->renew_anon;
                        if (c->timeout < 0)
                                c->timeout = cservice_stop_timeout(s);
                        if (op->kind == PLAN_KEEP && start && !strcmp(e->status, "running"))
                                c->running = e->j;
                        c->line = progress_add(pr, "Container", e->name);
                } else {
                        _cleanup_free_ char *cn = cservice_container_name(p, s, op->number);
                        c->line = progress_add(pr, "Container", cn);
                }
                _cleanup_free_ char *nm = xasprintf("service %s", s->name);
                size_t dop = dag_add(&d, nm, cop_run, c);
                dag_depend(&d, svc_done[op->service], dop);
        }
        /* dependencies: a service's operations wait for its dependencies'
         * conditions (only when starting) */
        for (size_t si = 0; si < p->nservices; si++) {
                const struct compose_service *s = &p->services[si];
                if (!sel[si])
                        continue;
                for (size_t k = 0; k < s->ndepends_on; k++) {
                        const struct compose_dep *dep = &s->depends_on[k];
                        ssize_t di = svc_index(p, dep->service);
                        if (di < 0 || !sel[di])
                                continue;
                        size_t on = svc_done[di];
                        if (start && dep->condition != COMPOSE_DEP_STARTED) {
                                size_t wi = (size_t)di * 3 + dep->condition;
                                if (wait_op[wi] < 0) {
                                        struct wop *w = &wops[wi];
                                        w->cp = cp;
                                        w->s = &p->services[di];
                                        w->cond = dep->condition;
                                        w->pr = pr;
                                        for (size_t c = 0; c < ncops; c++)
                                                if (cops[c]->s == w->s &&
                                                    cops[c]->kind != COP_REMOVE) {
                                                        w->cops =
                                                            xrealloc(w->cops, (w->ncops + 1) *
                                                                                  sizeof(*w->cops));
                                                        w->cops[w->ncops++] = cops[c];
                                                }
                                        wait_op[wi] = (ssize_t)dag_add(
                                            &d, "dependency failed to start", wop_run, w);
                                        dag_depend(&d, (size_t)wait_op[wi], on);
                                }
                                on = (size_t)wait_op[wi];
                        }
                        for (size_t c = 0; c < d.n; c++)
                                if (d.ops[c].fn == cop_run && ((struct cop *)d.ops[c].arg)->s == s)
                                        dag_depend(&d, c, on);
                }
        }
        /* container names go to berth-dns in group commits (each container's
         * before its process runs), with berth-dns started in the background */
        if (start) {
                strv_t nets = STRV_INIT;
                for (size_t i = 0; i < p->nnetworks; i++)
                        strv_push(&nets, p->networks[i].name);
                dnsreg_batch_begin(&nets);
                strv_free(&nets);
        }
        int r = dag_run(&d, compose_parallel(g), false, NULL, NULL, &err);
        err_t derr;
        /* the refreshed names of running containers, also after a failure */
        if (start && dnsreg_batch_end(&derr) < 0 && r == 0) {
                r = -1;
                err = derr;
        }
        progress_end(pr);
        pr = NULL;
        if (r < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        if (start && o->wait) {
                double deadline = o->wait_timeout > 0 ? mono_now() + o->wait_timeout : 0;
                for (size_t c = 0; c < ncops; c++) {
                        struct cop *x = cops[c];
                        if (x->kind == COP_REMOVE || !x->new_id)
                                continue;
                        _cleanup_free_ char *cid = NULL;
                        _cleanup_json_ json_t *j = NULL;
                        if (ctr_get(x->new_id, &cid, &j, NULL, &err) < 0) {
                                fprintf(stderr, "%s\n", err.msg);
                                goto out;
                        }
                        const char *k =
                            json_string_value(json_array_get(rt_doc_healthcheck_test(j), 0));
                        if (k && strcmp(k, "NONE")) {
                                if (cctr_wait_healthy(x->new_id, deadline, &err) < 0) {
                                        fprintf(stderr, "%s\n", err.msg);
                                        goto out;
                                }
                                continue;
                        }
                        const char *st = rt_doc_status(j);
                        int code = rt_doc_exit_code(j);
                        if (st && strcmp(st, "running") && code != 0) {
                                _cleanup_free_ char *n =
                                    cservice_container_name(p, x->s, x->number);
                                fprintf(stderr, "container %s exited (%d)\n", n, code);
                                goto out;
                        }
                }
        }
        rc = 0;
out:
        if (pr)
                progress_end(pr);
        for (size_t i = 0; i < ncops; i++) {
                free(cops[i]->old_id);
                free(cops[i]->new_id);
                free(cops[i]);
        }
        free(cops);
        plan_free(&plan);
        free(pobs);
        for (size_t i = 0; i < p->nservices * 3; i++)
                free(wops[i].cops);
        free(wops);
        free(svc_done);
        free(wait_op);
        dag_free(&d);
        cctr_list_free(&obs);
        if (lk >= 0)
                close(lk);
        return rc;
}

static int run_up(struct compose_globals *g, int argc, char **argv, bool create_only)
{
        struct up_opts o;
        int rc;
        int first = up_opts_parse(argc, argv, create_only, &o, &rc);
        if (first < 0)
                goto done;
        char **names = argv + first;
        int nnames = argc - first;
        struct cproject cp;
        if (cproject_open(g, names, nnames, &cp) < 0) {
                rc = COMPOSE_EXIT_FAIL;
                goto done;
        }
        bool start = up_opts_start(&o);
        err_t berr = {0};
        bool *bsel = NULL;
        strv_t bnames = STRV_INIT; /* the services up acts on, with their dependencies */
        int br = cproject_select(cp.p, names, nnames, !o.no_deps, &bsel, &berr);
        for (size_t i = 0; br == 0 && i < cp.p->nservices; i++)
                if (bsel[i])
                        strv_push(&bnames, cp.p->services[i].name);
        /* images first (services of one up pull in parallel, an image once);
         * the builds are operations of the plan (up_apply) */
        if (br == 0 && bnames.n)
                br = compose_pull_services(g, cp.p, bnames.v, (int)bnames.n, o.pull, o.quiet_pull,
                                           false, &berr);
        free(bsel);
        strv_free(&bnames);
        if (br < 0) {
                fprintf(stderr, "%s\n", berr.msg);
                cproject_close(&cp);
                rc = COMPOSE_EXIT_FAIL;
                goto done;
        }
        rc = up_apply(g, &cp, &o, names, nnames);
        pid_t watcher = -1;
        if (rc == 0 && o.watch && start) {
                /* develop.watch: in the foreground with -d, else in a child
                 * while the logs are followed here */
                if (o.detach) {
                        rc = compose_watch_run(g, &cp, names, nnames, false);
                        cproject_close(&cp);
                        goto done;
                }
                fflush(NULL);
                watcher = fork();
                if (watcher == 0)
                        _exit(compose_watch_run(g, &cp, names, nnames, false));
        }
        if (rc == 0 && start && !o.detach) {
                strv_t svcs = STRV_INIT;
                _cleanup_free_ bool *with_deps = NULL;
                err_t serr;
                if (o.attach_deps && nnames > 0 &&
                    cproject_select(cp.p, names, nnames, true, &with_deps, &serr) < 0)
                        with_deps = NULL; /* names were checked by up_apply */
                if (o.attach.n)
                        strv_copy(&svcs, &o.attach);
                else
                        for (size_t i = 0; i < cp.p->nservices; i++) {
                                const char *n = cp.p->services[i].name;
                                if (strv_contains(&o.no_attach, n))
                                        continue;
                                if (nnames > 0 && !(with_deps && with_deps[i]) &&
                                    !compose_selected(n, names, nnames))
                                        continue;
                                strv_push(&svcs, n);
                        }
                struct log_style ls = {.prefix = !o.no_log_prefix,
                                       .color = !o.no_color && isatty(STDOUT_FILENO),
                                       .timestamps = o.timestamps};
                rc = up_follow(&cp, &svcs, &ls, o.abort_on_exit, o.abort_on_failure,
                               o.exit_code_from, o.timeout);
                strv_free(&svcs);
        }
        if (watcher > 0) {
                kill(watcher, SIGTERM);
                waitpid(watcher, NULL, 0);
        }
        cproject_close(&cp);
done:
        up_opts_free(&o);
        return rc;
}

int compose_cmd_up(struct compose_globals *g, int argc, char **argv)
{
        return run_up(g, argc, argv, false);
}

int compose_cmd_create(struct compose_globals *g, int argc, char **argv)
{
        return run_up(g, argc, argv, true);
}

/* ---- down ------------------------------------------------------------- */

int compose_cmd_down(struct compose_globals *g, int argc, char **argv)
{
        struct compose_down_opts opt;
        int first = compose_down_parse(argc, argv, &opt);
        if (first <= 0)
                return cli_status(first);
        bool volumes = opt.volumes, orphans = opt.orphans;
        const char *rmi = opt.rmi;
        int timeout = opt.timeout;
        if (compose_labels_only(g))
                return compose_down_labels(g, volumes, timeout);
        struct cproject cp;
        if (cproject_open(g, NULL, 0, &cp) < 0)
                return COMPOSE_EXIT_FAIL;
        struct compose_project *p = cp.p;
        err_t err;
        int rc = COMPOSE_EXIT_FAIL;
        struct cctr_list l = {0};
        bool *which = NULL;
        int lk = cproject_lock(p->name, &err);
        if (lk < 0 || cctr_observe(p->name, true, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        which = xcalloc(l.n + 1, sizeof(bool));
        bool any_orphan = false;
        for (size_t i = 0; i < l.n; i++) {
                bool o = cctr_is_orphan(p, &l.v[i]);
                any_orphan |= o;
                which[i] = !o || orphans;
        }
        if (any_orphan && !orphans)
                print_orphans(p, &l);
        if (compose_stop_plan(g, p, &l, which, timeout, true, volumes, "Running", &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        crash_point("down.stopped");
        struct progress *pr = progress_new(stderr, g->progress, "Running");
        bool failed = false;
        failed |= cproject_remove_networks(p->name, pr);
        crash_point("down.networks");
        if (volumes)
                failed |= cproject_remove_volumes(p, pr);
        if (rmi)
                failed |= cproject_remove_images(p, !strcmp(rmi, "all"), pr);
        progress_end(pr);
        rc = failed ? COMPOSE_EXIT_FAIL : 0;
out:
        free(which);
        cctr_list_free(&l);
        if (rc == 0)
                cproject_unlock_gone(p->name, lk);
        else if (lk >= 0)
                close(lk);
        cproject_close(&cp);
        return rc;
}
