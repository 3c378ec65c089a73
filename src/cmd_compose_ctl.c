/* berth compose start / stop / restart / kill / rm / pause / unpause / wait /
 * port / top / images / exec / run: the project's containers found by their
 * labels, acted on with the engine's container functions. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose_build.h"
#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/tabwriter.h"
#include "base/xalloc.h"
#include "commands.h"
#include "table.h"
#include "compose_more.h"
#include "compose_up.h"
#include "container_cli.h"
#include "engine/netglue.h"
#include "progress.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"
#include "runtime/monitor.h"
#include "top_ps.h"

/* Start the selected containers, dependencies first (one level at a time). */
/* restarting: each started container also gets docker's "restart" event */
static int start_in_order(struct cproject_ctrs *c, bool restarting, err_t *err)
{
        int maxl = 0;
        for (size_t i = 0; i < c->l.n; i++) {
                int l = cservice_level(c->cp.p, c->l.v[i].service);
                if (l > maxl)
                        maxl = l;
        }
        for (int lvl = 0; lvl <= maxl; lvl++) {
                for (size_t i = 0; i < c->l.n; i++) {
                        struct cctr *x = &c->l.v[i];
                        if (!c->which[i] || x->oneoff || cservice_level(c->cp.p, x->service) != lvl)
                                continue;
                        int status;
                        fprintf(stderr, " Container %s  Starting\n", x->name);
                        if (container_start(x->id, ATTACH_NONE, &status, err) < 0)
                                return err_wrap(err, "container %s", x->name);
                        _cleanup_json_ json_t *doc = NULL;
                        err_t e = {0};
                        if (restarting && rt_ctr_load(x->id, &doc, &e) == 0)
                                rt_ctr_event(doc, "restart", NULL);
                        fprintf(stderr, " Container %s  Started\n", x->name);
                }
        }
        return 0;
}

int compose_cmd_start_stop(struct compose_globals *g, int argc, char **argv)
{
        const char *cmd = argv[0];
        bool stop = strcmp(cmd, "start") != 0, start = strcmp(cmd, "stop") != 0;
        int t = -1, first = compose_timeout_parse(argc, argv, &t);
        if (first <= 0)
                return cli_status(first);
        if (!start && compose_labels_only(g))
                return compose_stop_labels(g, argv + first, argc - first, t);
        struct cproject_ctrs c;
        err_t err;
        if (cproject_ctrs_open(g, argv + first, argc - first, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        int rc = 0;
        if ((stop && compose_stop_plan(g, c.cp.p, &c.l, c.which, t, false, false,
                                       start ? "Restarting" : "Stopping", &err) < 0) ||
            (start && start_in_order(&c, stop, &err) < 0)) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
        }
        cproject_ctrs_close(&c);
        return rc;
}

int compose_cmd_kill(struct compose_globals *g, int argc, char **argv)
{
        const char *sig = "SIGKILL";
        const struct cli_opt opts[] = {
            CLI_OPT("remove-orphans", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("signal", 's', CLI_STRING, &sig,
                    "SIGNAL to send to the container (default \"SIGKILL\")"),
            {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "kill", "[OPTIONS] [SERVICE...]", NULL, opts,
                                CLI_ANY_ARGS);
        int signo = ctr_signal_parse(sig);
        if (signo <= 0) {
                fprintf(stderr, "invalid signal: %s\n", sig);
                return EXIT_BERTH;
        }
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, argc - first, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        int rc = 0;
        bool any = false;
        for (size_t i = 0; i < c.l.n; i++) {
                if (!c.which[i] ||
                    (strcmp(c.l.v[i].status, "running") && strcmp(c.l.v[i].status, "paused")))
                        continue;
                char req[32];
                err_t err;
                snprintf(req, sizeof(req), "kill %d\n", signo);
                any = true;
                int fd = rt_ctl_connect(c.l.v[i].id, req, &err);
                if (fd < 0) {
                        fprintf(stderr, "container %s: %s\n", c.l.v[i].name, err.msg);
                        rc = COMPOSE_EXIT_FAIL;
                        continue;
                }
                close(fd);
                fprintf(stderr, " Container %s  Killed\n", c.l.v[i].name);
        }
        if (!any) {
                fprintf(stderr, "no container to kill\n");
                rc = COMPOSE_EXIT_FAIL;
        }
        cproject_ctrs_close(&c);
        return rc;
}

int compose_cmd_rm(struct compose_globals *g, int argc, char **argv)
{
        struct compose_rm_opts o;
        int first = compose_rm_parse(argc, argv, &o);
        if (first <= 0)
                return cli_status(first);
        bool force = o.force, stop = o.stop, volumes = o.volumes;
        struct cproject_ctrs c;
        err_t err;
        if (cproject_ctrs_open(g, argv + first, argc - first, true, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        int rc = 0;
        if (stop &&
            compose_stop_plan(g, c.cp.p, &c.l, c.which, -1, false, false, "Stopping", &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
                goto out;
        }
        strbuf_t names = STRBUF_INIT;
        for (size_t i = 0; i < c.l.n; i++) {
                if (!c.which[i])
                        continue;
                _cleanup_free_ char *cid = NULL;
                _cleanup_json_ json_t *j = NULL;
                /* state again: --stop changed it */
                const char *st = c.l.v[i].status;
                if (ctr_get(c.l.v[i].id, &cid, &j, NULL, &err) == 0)
                        st = rt_doc_status(j) ?: st;
                c.which[i] =
                    strcmp(st, "running") && strcmp(st, "restarting") && strcmp(st, "paused");
                if (c.which[i])
                        sb_appendf(&names, "%s%s", names.len ? ", " : "", c.l.v[i].name);
        }
        if (!names.len) {
                fprintf(stderr, "No stopped containers\n");
                sb_free(&names);
                goto out;
        }
        if (!force && isatty(0)) {
                fprintf(stderr, "Going to remove %s\n? Are you sure? [yN] ", sb_str(&names));
                char ans[16] = "";
                if (!fgets(ans, sizeof(ans), stdin) || (ans[0] != 'y' && ans[0] != 'Y')) {
                        sb_free(&names);
                        goto out;
                }
        }
        sb_free(&names);
        if (compose_stop_plan(g, c.cp.p, &c.l, c.which, -1, true, volumes, "Removing", &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
        }
out:
        cproject_ctrs_close(&c);
        return rc;
}

int compose_cmd_pause(struct compose_globals *g, int argc, char **argv)
{
        const char *cmd = argv[0];
        bool pause = !strcmp(cmd, "pause");
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, NULL, "[SERVICE...]", NULL, NULL, CLI_ANY_ARGS);
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, argc - first, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        int rc = 0;
        struct progress *pr = progress_new(stderr, g->progress, pause ? "Pausing" : "Unpausing");
        for (size_t i = 0; i < c.l.n; i++) {
                struct cctr *x = &c.l.v[i];
                if (!c.which[i] || x->oneoff || strcmp(x->status, pause ? "running" : "paused"))
                        continue;
                size_t line = progress_add(pr, "Container", x->name);
                err_t err = {0};
                if (progress_finish(pr, line, ctr_set_paused(x->id, pause, &err), err.msg,
                                    pause ? "Paused" : "Unpaused"))
                        rc = COMPOSE_EXIT_FAIL;
        }
        progress_end(pr);
        cproject_ctrs_close(&c);
        return rc;
}

int compose_cmd_wait(struct compose_globals *g, int argc, char **argv)
{
        const struct cli_opt opts[] = {CLI_OPT("down-project", 0, CLI_FLAG, NULL, NULL), {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "wait", "SERVICE [SERVICE...]",
                                "Block until the first service container stops", opts,
                                CLI_AT_LEAST(1));
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, argc - first, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        int rc = 0;
        for (size_t i = 0; i < c.l.n; i++) {
                if (!c.which[i])
                        continue;
                int code;
                err_t err;
                if (cctr_wait_exit(c.l.v[i].id, 0, &code, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        rc = COMPOSE_EXIT_FAIL;
                        break;
                }
                printf("%d\n", code);
                rc = code;
        }
        cproject_ctrs_close(&c);
        return rc;
}

/* The container of service at replica index (1 by default). */
static struct cctr *pick(struct cproject_ctrs *c, const char *service, int index)
{
        for (size_t i = 0; i < c->l.n; i++) {
                struct cctr *x = &c->l.v[i];
                if (!x->oneoff && !strcmp(x->service, service) &&
                    (index > 0 ? x->number == index : true))
                        return x;
        }
        return NULL;
}

int compose_cmd_port(struct compose_globals *g, int argc, char **argv)
{
        const char *proto = "tcp";
        int index = 1;
        const struct cli_opt opts[] = {
            CLI_OPT("index", 0, CLI_INT, &index,
                    "Index of the container if service has multiple replicas"),
            CLI_OPT("protocol", 0, CLI_STRING, &proto, "tcp or udp (default \"tcp\")"),
            {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "port", "[OPTIONS] SERVICE PRIVATE_PORT",
                                "Print the public port for a port binding", opts, CLI_EXACTLY(2));
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, 1, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        int rc = COMPOSE_EXIT_FAIL;
        struct cctr *x = pick(&c, argv[first], index);
        if (!x) {
                fprintf(stderr, "service \"%s\" is not running container #%d\n", argv[first],
                        index);
                goto out;
        }
        char *filter = xasprintf("%s/%s", argv[first + 1], proto);
        strv_t lines = STRV_INIT;
        err_t err;
        if (netwire_port_lines(x->j, filter, &lines, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                strv_free(&lines);
                free(filter);
                goto out;
        }
        if (!lines.n) {
                fprintf(stderr, "no port %s for container %s\n", filter, x->name);
        } else {
                /* "80/tcp -> 127.0.0.1:8080": compose prints the host side only */
                for (size_t i = 0; i < lines.n; i++) {
                        const char *arrow = strstr(lines.v[i], "-> ");
                        printf("%s\n", arrow ? arrow + 3 : lines.v[i]);
                }
                rc = 0;
        }
        strv_free(&lines);
        free(filter);
out:
        cproject_ctrs_close(&c);
        return rc;
}

static int by_name(const void *a, const void *b)
{
        return strcmp((*(const struct cctr *const *)a)->name,
                      (*(const struct cctr *const *)b)->name);
}

/* compose top [SERVICE...]: docker compose v2's one table, SERVICE and
 * replica number before ps's columns, containers by name (tabwriter
 * minwidth 4, padding 2); nothing at all when nothing runs. */
int compose_cmd_top(struct compose_globals *g, int argc, char **argv)
{
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "top", "[SERVICES...]",
                                "Display the running processes", NULL, CLI_ANY_ARGS);
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, argc - first, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        const struct cctr **run = xcalloc(c.l.n + 1, sizeof(*run));
        size_t n = 0;
        for (size_t i = 0; i < c.l.n; i++)
                if (c.which[i] &&
                    (!strcmp(c.l.v[i].status, "running") || !strcmp(c.l.v[i].status, "paused")))
                        run[n++] = &c.l.v[i];
        qsort(run, n, sizeof(*run), by_name);
        int rc = 0;
        strbuf_t text = STRBUF_INIT;
        bool any = false;
        sb_append(&text, "SERVICE\t#\t" TOP_PS_TITLES "\n");
        for (size_t i = 0; i < n; i++) {
                strv_t rows = STRV_INIT;
                err_t err = {0};
                if (top_ps(run[i]->id, &rows, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = COMPOSE_EXIT_FAIL;
                }
                for (size_t k = 0; k < rows.n; k++) {
                        sb_appendf(&text, "%s\t%d\t%s\n", run[i]->service, run[i]->number,
                                   rows.v[k]);
                        any = true;
                }
                strv_free(&rows);
        }
        if (any) {
                strbuf_t out = STRBUF_INIT;
                tabwriter_format(sb_str(&text), text.len, 4, 2, &out);
                fputs(sb_str(&out), stdout);
                sb_free(&out);
        }
        sb_free(&text);
        free(run);
        cproject_ctrs_close(&c);
        return rc;
}

/* compose stats [-a] [--no-stream] [--no-trunc] [--format F] [SERVICE...] */
int compose_cmd_stats(struct compose_globals *g, int argc, char **argv)
{
        struct stats_opts o;
        int first = stats_parse(argc, argv, "compose stats", &o);
        if (first <= 0)
                return first < 0 ? EXIT_BERTH : 0;
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, argc - first, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        strv_t ids = STRV_INIT;
        for (size_t i = 0; i < c.l.n; i++)
                if (c.which[i])
                        strv_push(&ids, c.l.v[i].id);
        cproject_ctrs_close(&c);
        int rc = ids.n ? stats_run(&o, ids.v, (int)ids.n, false) : 0;
        if (!ids.n) /* nothing to show: the empty table */
                rc = stats_run(&o, NULL, 0, true);
        strv_free(&ids);
        return rc;
}

int compose_cmd_images(struct compose_globals *g, int argc, char **argv)
{
        static const char *const headers[] = {
            "ContainerName", "CONTAINER", "Repository", "REPOSITORY", "Tag", "TAG", "ID",
            "IMAGE ID",      "Size",      "SIZE",       NULL};
        bool quiet = false, json = false;
        const char *format = NULL;
        const struct cli_opt opts[] = {
            FORMAT_OPT(0, &format, "{{.ContainerName}} {{.Repository}} ..."),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only display IDs"),
            {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "images", "[OPTIONS] [SERVICE...]",
                                "List images used by the created containers", opts, CLI_ANY_ARGS);
        if (format)
                format = cliformat_compose_spec(format, &json);
        struct cliformat cf = {0};
        bool tmpl = format && !quiet;
        if (tmpl && format_open(&cf, format, NULL, headers, NULL) < 0)
                return EXIT_BERTH;
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, argc - first, false, &c) < 0) {
                cliformat_free(&cf);
                return COMPOSE_EXIT_FAIL;
        }
        struct table tb;
        table_init(&tb, 5);
        table_row(&tb, "CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE");
        json_t *arr = json_array();
        int rc = 0;
        for (size_t i = 0; i < c.l.n && !rc; i++) {
                if (!c.which[i])
                        continue;
                const char *ref = rt_doc_image(c.l.v[i].j) ?: "";
                const char *iid = rt_doc_image_id(c.l.v[i].j) ?: "";
                const char *hex = strncmp(iid, "sha256:", 7) ? iid : iid + 7;
                if (quiet) {
                        printf("%s\n", hex);
                        continue;
                }
                _cleanup_free_ char *repo = xstrdup(ref);
                char *colon = strrchr(repo, ':');
                const char *tag = "latest";
                if (colon && !strchr(colon, '/')) {
                        *colon = '\0';
                        tag = colon + 1;
                }
                struct rt_image img;
                err_t err;
                char size[32] = "";
                unsigned long long bytes = 0;
                if (rt_image_lookup(iid, &img, &err) == 0) {
                        bytes = img.size;
                        snprintf(size, sizeof(size), "%.3gMB", (double)img.size / 1e6);
                        rt_image_free(&img);
                }
                _cleanup_free_ char *short_id = xstrndup(hex, 12);
                if (json || tmpl) { /* compose's image summary */
                        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I}", "ID", iid, "ContainerName",
                                              c.l.v[i].name, "Repository", repo, "Tag", tag, "Size",
                                              (json_int_t)bytes);
                        if (tmpl && format_row(&cf, o, NULL) < 0)
                                rc = EXIT_BERTH;
                        if (json)
                                json_array_append(arr, o);
                        json_decref(o);
                        continue;
                }
                table_row(&tb, c.l.v[i].name, repo, tag, short_id, size);
        }
        table_end(&tb, !quiet && !json && !tmpl);
        if (json && !quiet) {
                char *d = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
                printf("%s\n", d);
                free(d);
        }
        if (tmpl && !rc)
                format_print(&cf);
        cliformat_free(&cf);
        json_decref(arr);
        cproject_ctrs_close(&c);
        return rc;
}

int compose_cmd_exec(struct compose_globals *g, int argc, char **argv)
{
        bool detach = false, notty = !isatty(0);
        int index = 1;
        const char *user = NULL, *workdir = NULL;
        _cleanup_cli_list_ strv_t env = STRV_INIT;
        const struct cli_opt opts[] = {
            CLI_OPT("detach", 'd', CLI_FLAG, &detach,
                    "Detached mode: Run command in the background"),
            CLI_OPT("env", 'e', CLI_LIST, &env, "Set environment variables", .type = "stringArray"),
            CLI_OPT("index", 0, CLI_INT, &index,
                    "Index of the container if service has multiple replicas"),
            CLI_OPT("interactive", 'i', CLI_FLAG, NULL, NULL),
            CLI_OPT("no-tty", 'T', CLI_FLAG, &notty,
                    "Disable pseudo-TTY allocation. By default 'berth compose exec' allocates a "
                    "TTY."),
            CLI_OPT("privileged", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("tty", 't', CLI_FLAG, NULL, NULL),
            CLI_OPT("user", 'u', CLI_STRING, &user, "Run the command as this user"),
            CLI_OPT("workdir", 'w', CLI_STRING, &workdir,
                    "Path to workdir directory for this command"),
            {0}};
        COMPOSE_PARSE_OR_RETURN(first, argc, argv, "exec", "[OPTIONS] SERVICE COMMAND [ARGS...]",
                                "Execute a command in a running container", opts, CLI_AT_LEAST(2),
                                .flags = CLI_POSIX);
        struct cproject_ctrs c;
        if (cproject_ctrs_open(g, argv + first, 1, false, &c) < 0)
                return COMPOSE_EXIT_FAIL;
        int rc = COMPOSE_EXIT_FAIL;
        struct cctr *x = pick(&c, argv[first], index);
        if (!x || (strcmp(x->status, "running") && strcmp(x->status, "paused"))) {
                fprintf(stderr, "service \"%s\" is not running\n", argv[first]);
                goto out;
        }
        strv_t av = STRV_INIT; /* `berth exec`'s arguments */
        strv_push(&av, "exec");
        if (detach) {
                strv_push(&av, "-d");
        } else {
                strv_push(&av, "-i");
                if (!notty)
                        strv_push(&av, "-t");
        }
        for (size_t i = 0; i < env.n; i++)
                strv_pushf(&av, "--env=%s", env.v[i]);
        if (user)
                strv_pushf(&av, "--user=%s", user);
        if (workdir)
                strv_pushf(&av, "--workdir=%s", workdir);
        strv_push(&av, x->id);
        for (int i = first + 1; i < argc; i++)
                strv_push(&av, argv[i]);
        rc = cmd_exec((int)av.n, av.v);
        strv_free(&av);
out:
        cproject_ctrs_close(&c);
        return rc;
}

int compose_cmd_run(struct compose_globals *g, int argc, char **argv)
{
        bool rm = false, detach = false, no_deps = false, notty = !isatty(0), sports = false;
        bool build = false;
        strv_t env = STRV_INIT, publish = STRV_INIT, vols = STRV_INIT;
        struct portspec *ports = NULL; /* -p, parsed; publish: as written */
        const char *entrypoint = NULL, *name = NULL, *user = NULL, *workdir = NULL;
        int rc = EXIT_BERTH;
        const struct cli_opt opts[] = {
            CLI_OPT("build", 0, CLI_FLAG, &build, "Build image before starting container"),
            CLI_OPT("detach", 'd', CLI_FLAG, &detach,
                    "Run container in background and print container ID"),
            CLI_OPT("entrypoint", 0, CLI_STRING, &entrypoint,
                    "Override the entrypoint of the image"),
            CLI_OPT("env", 'e', CLI_LIST, &env, "Set environment variables", .type = "stringArray"),
            CLI_OPT("interactive", 'i', CLI_FLAG, NULL, NULL),
            CLI_OPT("label", 'l', CLI_LIST, NULL, NULL),
            CLI_OPT("name", 0, CLI_STRING, &name, "Assign a name to the container"),
            CLI_OPT("no-TTY", 'T', CLI_FLAG, &notty,
                    "Disable pseudo-TTY allocation (default: auto-detected)"),
            CLI_OPT("no-deps", 0, CLI_FLAG, &no_deps, "Don't start linked services"),
            CLI_OPT("publish", 'p', CLI_LIST, &publish, "Publish a container's port(s) to the host",
                    .type = "stringArray"),
            CLI_OPT("quiet-pull", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("remove-orphans", 0, CLI_FLAG, NULL, NULL),
            CLI_OPT("rm", 0, CLI_FLAG, &rm, "Automatically remove the container when it exits"),
            CLI_OPT("service-ports", 0, CLI_FLAG, &sports,
                    "Run command with all service's ports enabled and mapped to the host"),
            CLI_OPT("tty", 't', CLI_FLAG, NULL, NULL),
            CLI_OPT("user", 'u', CLI_STRING, &user, "Run as specified username or uid"),
            CLI_OPT("volume", 'v', CLI_LIST, &vols, "Bind mount a volume", .type = "stringArray"),
            CLI_OPT("workdir", 'w', CLI_STRING, &workdir, "Working directory inside the container"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, "run", "[OPTIONS] SERVICE [COMMAND] [ARGS...]",
                                  "Run a one-off command on a service", opts, CLI_AT_LEAST(1),
                                  .flags = CLI_POSIX);
        if (first <= 0) {
                rc = cli_status(first);
                goto done;
        }
        ports = xcalloc(publish.n + 1, sizeof(*ports)); /* -p, parsed once */
        for (size_t i = 0; i < publish.n; i++) {
                err_t e;
                if (portspec_parse(publish.v[i], &ports[i], &e) < 0) {
                        fprintf(stderr, "%s\n", e.msg);
                        rc = COMPOSE_EXIT_FAIL;
                        goto done;
                }
        }
        struct cproject cp;
        if (cproject_open(g, argv + first, 1, &cp) < 0) {
                rc = COMPOSE_EXIT_FAIL;
                goto done;
        }
        const struct compose_service *s = compose_project_service(cp.p, argv[first]);
        err_t err;
        if (compose_build_services(cp.p, argv + first, 1,
                                   build ? PLAN_BUILD_ALWAYS : PLAN_BUILD_MISSING, false,
                                   &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
                cproject_close(&cp);
                goto done;
        }
        /* a security option berth cannot honour: refused before anything */
        bool *only = xcalloc(cp.p->nservices + 1, sizeof(bool));
        only[s - cp.p->services] = true;
        int sr = cproject_security_check(cp.p, only, &err);
        free(only);
        if (sr < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
                cproject_close(&cp);
                goto done;
        }
        /* dependencies first, as `up -d` would start them */
        if (!no_deps && s->ndepends_on) {
                strv_t deps = STRV_INIT;
                strv_push(&deps, "up");
                strv_push(&deps, "-d");
                for (size_t i = 0; i < s->ndepends_on; i++)
                        if (compose_project_service(cp.p, s->depends_on[i].service))
                                strv_push(&deps, s->depends_on[i].service);
                int r = compose_run_args(g, compose_cmd_up, &deps);
                if (r != 0) {
                        rc = r;
                        cproject_close(&cp);
                        goto done;
                }
        }
        strv_t cmd = STRV_INIT;
        for (int i = first + 1; i < argc; i++)
                strv_push(&cmd, argv[i]);
        unsigned char rnd[6];
        FILE *ur = fopen("/dev/urandom", "re");
        if (!ur || fread(rnd, 1, sizeof(rnd), ur) != sizeof(rnd)) {
                fprintf(stderr, "cannot read /dev/urandom\n");
                if (ur)
                        fclose(ur);
                strv_free(&cmd);
                cproject_close(&cp);
                rc = COMPOSE_EXIT_FAIL;
                goto done;
        }
        fclose(ur);
        char *cname = name ? xstrdup(name)
                           : xasprintf("%s-%s-run-%02x%02x%02x%02x%02x%02x", cp.p->name, s->name,
                                       rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
        struct cctr_opts o = {
            .name = cname,
            .number = 1,
            .oneoff = true,
            .cmd = &cmd,
            .entrypoint = entrypoint,
            .has_entrypoint = entrypoint != NULL,
            .env = &env,
            .user = user,
            .workdir = workdir,
            .publish = ports,
            .publish_text = &publish,
            .npublish = publish.n,
            .volumes = &vols,
            .no_ports = !sports,
            .tty = !notty && !detach,
            .stdin_open = !detach,
        };
        char *id = NULL;
        int status = 0;
        rc = COMPOSE_EXIT_FAIL;
        if (cproject_ensure_networks(cp.p, NULL, &err) < 0 ||
            cproject_ensure_volumes(cp.p, NULL, &err) < 0 ||
            cctr_create(&cp, s, &o, &id, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto out;
        }
        if (detach) {
                if (container_start(id, ATTACH_NONE, &status, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        goto out;
                }
                printf("%s\n", cname);
                rc = 0;
                goto out;
        }
        if (container_start(id, ATTACH_OUTPUT | (isatty(0) ? ATTACH_STDIN : 0), &status, &err) <
            0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = status;
        } else {
                rc = status;
        }
        if (rm && cctr_remove(id, 0, true, &err) < 0)
                fprintf(stderr, "%s\n", err.msg);
out:
        free(id);
        free(cname);
        strv_free(&cmd);
        cproject_close(&cp);
done:
        strv_free(&env);
        strv_free(&publish);
        free(ports);
        strv_free(&vols);
        return rc;
}
