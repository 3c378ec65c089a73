/* compose_dryrun.c - `berth compose --dry-run`: the operations up, create,
 * down, stop and rm would run, reported as docker compose v2 does in dry-run
 * mode (" DRY-RUN MODE -  Container p-web-1  Created"), with nothing changed:
 * this file only reads state (the project, container labels, networks and
 * volumes). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose/hash.h"
#include "compose_build.h"
#include "compose_more.h"
#include "compose_up.h"
#include "compose_up_opts.h"
#include "net/network.h"
#include "runtime/volume.h"

static void say(const char *kind, const char *name, const char *what)
{
        fprintf(stderr, " DRY-RUN MODE -  %s %s  %s\n", kind, name, what);
}

static void say2(const char *kind, const char *name, const char *a, const char *b)
{
        say(kind, name, a);
        say(kind, name, b);
}

static void say_remove(const char *name, bool running)
{
        if (running)
                say2("Container", name, "Stopping", "Stopped");
        say2("Container", name, "Removing", "Removed");
}

static bool is_running(const struct cctr *c)
{
        return !strcmp(c->status, "running") || !strcmp(c->status, "restarting") ||
               !strcmp(c->status, "paused");
}

static int max_level(const struct compose_project *p)
{
        int m = 0;
        for (size_t i = 0; i < p->nservices; i++) {
                int l = cservice_level(p, p->services[i].name);
                m = l > m ? l : m;
        }
        return m;
}

/* The up/create plan (engine/plan.h's, the one `up` executes, made from the
 * same options): builds, networks and volumes to create, then the
 * containers' operations in dependency order, then the starts.  Nothing is
 * built, so a container whose image a build would change is not seen as
 * recreated here (up decides that after the build, plan_rebuilt). */
static int dry_up(struct compose_globals *g, const struct up_opts *o, char **svcs, int nsvcs)
{
        struct cproject cp;
        if (cproject_open(g, svcs, nsvcs, &cp) < 0)
                return COMPOSE_EXIT_FAIL;
        const struct compose_project *p = cp.p;
        struct cctr_list obs = {0};
        _cleanup_free_ bool *sel = NULL;
        _cleanup_free_ struct plan_ctr *pobs = NULL;
        struct plan plan = {0};
        err_t err;
        int rc = COMPOSE_EXIT_FAIL;
        struct plan_opts po = up_plan_opts(o);
        if (cproject_select(p, svcs, nsvcs, !o->no_deps, &sel, &err) < 0 ||
            cctr_observe(p->name, false, &obs, &err) < 0 ||
            compose_plan_make(p, sel, &obs, &po, &o->scale, svcs, nsvcs, &plan, &pobs, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        for (size_t k = 0; k < plan.n; k++)
                if (plan.ops[k].kind == PLAN_BUILD)
                        say2("Service", p->services[plan.ops[k].service].name, "Building", "Built");
        for (int vol = 0; vol < 2; vol++) { /* the networks, then the volumes up would make */
                size_t nr = vol ? p->nvolumes : p->nnetworks;
                for (size_t i = 0; i < nr; i++) {
                        const struct compose_resource *r = vol ? &p->volumes[i] : &p->networks[i];
                        json_t *cur = NULL;
                        if ((vol ? rt_volume_inspect(r->name, &cur, &err)
                                 : network_load(r->name, &cur, &err)) == 0) {
                                json_decref(cur);
                                continue;
                        }
                        if (r->external) {
                                fprintf(stderr,
                                        vol ? "external volume \"%s\" not found\n"
                                            : "network %s declared as external, but could not be "
                                              "found\n",
                                        r->name);
                                goto out;
                        }
                        say2(vol ? "Volume" : "Network", r->name, "Creating", "Created");
                }
        }
        for (size_t i = 0; i < plan.warnings.n; i++)
                fprintf(stderr, "%s\n", plan.warnings.v[i]);
        strv_t to_start = STRV_INIT, running = STRV_INIT;
        int top = max_level(p);
        for (int lvl = -1; lvl <= top; lvl++) { /* orphans (-1), then by dependency level */
                for (size_t k = 0; k < plan.n; k++) {
                        const struct plan_op *op = &plan.ops[k];
                        if (op->kind == PLAN_BUILD)
                                continue; /* said above */
                        int l =
                            op->service < 0 ? -1 : cservice_level(p, p->services[op->service].name);
                        if (l != lvl && !(lvl == 0 && l < -1))
                                continue;
                        const struct plan_ctr *e = op->observed >= 0 ? &pobs[op->observed] : NULL;
                        _cleanup_free_ char *cn =
                            e ? xstrdup(e->name)
                              : cservice_container_name(p, &p->services[op->service], op->number);
                        switch (op->kind) {
                        case PLAN_REMOVE:
                                say_remove(cn, is_running(&obs.v[op->observed]));
                                break;
                        case PLAN_CREATE:
                                say2("Container", cn, "Creating", "Created");
                                break;
                        case PLAN_RECREATE:
                                say2("Container", cn, "Recreate", "Recreated");
                                break;
                        case PLAN_KEEP:
                                strv_push(&running, cn);
                                break;
                        case PLAN_START:
                        case PLAN_BUILD:
                                break;
                        }
                        if (op->start)
                                strv_push(&to_start, cn);
                }
        }
        for (size_t i = 0; i < running.n; i++)
                say("Container", running.v[i], "Running");
        for (size_t i = 0; i < to_start.n; i++)
                say2("Container", to_start.v[i], "Starting", "Started");
        strv_free(&to_start);
        strv_free(&running);
        rc = 0;
out:
        plan_free(&plan);
        cctr_list_free(&obs);
        cproject_close(&cp);
        return rc;
}

/* Containers of l (which[i]) stopped (and removed) in reverse dependency
 * order. */
static void dry_stop_list(const struct compose_project *p, const struct cctr_list *l,
                          const bool *which, bool rm)
{
        int top = p ? max_level(p) : 0;
        for (int lvl = top; lvl >= 0; lvl--) {
                for (size_t i = 0; i < l->n; i++) {
                        const struct cctr *c = &l->v[i];
                        int cl = p ? cservice_level(p, c->service) : 0;
                        if ((which && !which[i]) || (cl != lvl && !(lvl == 0 && cl < 0)))
                                continue;
                        if (rm)
                                say_remove(c->name, is_running(c));
                        else if (is_running(c))
                                say2("Container", c->name, "Stopping", "Stopped");
                }
        }
}

static bool project_label_is(const json_t *obj, const char *project)
{
        const char *v =
            json_string_value(json_object_get(json_object_get(obj, "Labels"), LBL_PROJECT));
        return v && !strcmp(v, project);
}

/* down: containers, then the project's networks (by label), then with
 * volumes its volumes (declared ones, or by label without a file). */
static int dry_down(struct compose_globals *g, bool volumes, bool orphans, const char *rmi)
{
        struct cproject cp = {0};
        bool labels = compose_labels_only(g);
        if (!labels && cproject_open(g, NULL, 0, &cp) < 0)
                return COMPOSE_EXIT_FAIL;
        _cleanup_free_ char *name = labels ? cproject_name(g) : xstrdup(cp.p->name);
        struct cctr_list l = {0};
        _cleanup_free_ bool *which = NULL;
        err_t err;
        int rc = COMPOSE_EXIT_FAIL;
        if (cctr_observe(name, true, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        which = xcalloc(l.n + 1, sizeof(bool));
        for (size_t i = 0; i < l.n; i++)
                which[i] = labels || orphans || !cctr_is_orphan(cp.p, &l.v[i]);
        dry_stop_list(cp.p, &l, which, true);
        json_t *nets = NULL;
        if (network_list(&nets, &err) == 0) {
                size_t i;
                json_t *n;
                json_array_foreach(nets, i, n)
                {
                        const char *nn = json_string_value(json_object_get(n, "Name"));
                        if (nn && project_label_is(n, name))
                                say2("Network", nn, "Removing", "Removed");
                }
                json_decref(nets);
        }
        if (volumes) {
                strv_t vols = STRV_INIT;
                if (labels) {
                        if (rt_volume_list(&vols, &err) < 0)
                                strv_free(&vols);
                } else {
                        for (size_t i = 0; i < cp.p->nvolumes; i++)
                                if (!cp.p->volumes[i].external)
                                        strv_push(&vols, cp.p->volumes[i].name);
                }
                for (size_t i = 0; i < vols.n; i++) {
                        json_t *v = NULL;
                        if (rt_volume_inspect(vols.v[i], &v, &err) < 0)
                                continue;
                        if (!labels || project_label_is(v, name))
                                say2("Volume", vols.v[i], "Removing", "Removed");
                        json_decref(v);
                }
                strv_free(&vols);
        }
        for (size_t i = 0; rmi && !strcmp(rmi, "all") && cp.p && i < cp.p->nservices; i++)
                if (cp.p->services[i].image)
                        say2("Image", cp.p->services[i].image, "Removing", "Removed");
        rc = 0;
out:
        cctr_list_free(&l);
        if (cp.p)
                cproject_close(&cp);
        return rc;
}

/* stop / rm [-s]: the named services' containers. */
static int dry_stop_rm(struct compose_globals *g, char **svcs, int nsvcs, bool rm, bool stop)
{
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, svcs, nsvcs, rm, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        bool any = false;
        for (size_t i = 0; i < c.l.n; i++) {
                /* rm without --stop leaves running containers alone */
                c.which[i] = c.which[i] && (!rm || stop || !is_running(&c.l.v[i]));
                any |= c.which[i];
        }
        if (rm && !any)
                fprintf(stderr, "No stopped containers\n");
        dry_stop_list(c.cp.p, &c.l, c.which, rm);
        cproject_ctrs_close(&c);
        return 0;
}

/* up / create: the options as `up` reads them (up_opts_parse). */
static int parse_up(struct compose_globals *g, int argc, char **argv, bool create)
{
        struct up_opts o;
        int rc;
        int first = up_opts_parse(argc, argv, create, &o, &rc);
        if (first >= 0)
                rc = dry_up(g, &o, argv + first, argc - first);
        up_opts_free(&o);
        return rc;
}

int compose_dry_run(struct compose_globals *g, int argc, char **argv)
{
        static const char *const readonly[] = {"config", "ps",   "ls",     "logs",    "images",
                                               "top",    "port", "events", "version", NULL};
        const char *cmd = argv[0];
        for (size_t i = 0; readonly[i]; i++)
                if (!strcmp(cmd, readonly[i]))
                        return COMPOSE_DRY_PASS;
        if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
                return COMPOSE_DRY_PASS;
        if (!strcmp(cmd, "up") || !strcmp(cmd, "create"))
                return parse_up(g, argc, argv, !strcmp(cmd, "create"));
        /* the options as the commands read them */
        if (!strcmp(cmd, "down")) {
                struct compose_down_opts o;
                int first = compose_down_parse(argc, argv, &o);
                return first <= 0 ? cli_status(first) : dry_down(g, o.volumes, o.orphans, o.rmi);
        }
        if (!strcmp(cmd, "stop") || !strcmp(cmd, "rm")) {
                bool rm = !strcmp(cmd, "rm");
                struct compose_rm_opts o = {0};
                int t, first = rm ? compose_rm_parse(argc, argv, &o)
                                  : compose_timeout_parse(argc, argv, &t);
                if (first <= 0)
                        return cli_status(first);
                return dry_stop_rm(g, argv + first, argc - first, rm, o.stop);
        }
        fprintf(stderr, "berth compose %s does not support --dry-run\n", cmd);
        return EXIT_BERTH;
}
