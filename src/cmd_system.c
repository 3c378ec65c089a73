/* berth system boot
 *
 * What dockerd does when it starts, for a daemonless engine: run once at boot
 * (the berth-boot.service unit that `make install` installs, or by hand on a
 * host without systemd).  It puts back the networks (bridges, nftables chains,
 * forwarding) and starts again every container whose restart policy is
 * `always`, and every `unless-stopped` one that the user had not stopped, each
 * with its networks, addresses, DNS names and published ports; compose
 * containers start in their project's dependency order (the
 * com.docker.compose.depends_on label).  `no` and `on-failure` containers stay
 * as they were.  Running it twice starts nothing twice. */
#include <errno.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "prune_cli.h"
#include "net/network.h"
#include "engine/boot.h"
#include "engine/df.h"
#include "engine/netglue.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"
#include "runtime/volume.h"
#include "table.h"
#include "version.h"

static int boot_start(const struct boot_ctr *c)
{
        err_t err = {0};
        int status;
        if (container_start(c->id, 0, &status, &err) < 0) {
                error_msg("%s", err.msg);
                error_msg("failed to start container %s", c->name);
                return -1;
        }
        printf("%s\n", c->name);
        return 0;
}

static int system_boot(void)
{
        err_t err = {0};
        struct boot_list l;
        strv_t errors = STRV_INIT;
        if (boot_plan(&l, &errors, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        int rc = errors.n ? 1 : 0;
        for (size_t i = 0; i < errors.n; i++)
                error_msg("%s", errors.v[i]);
        strv_free(&errors);
        for (size_t i = 0; i < l.n; i++)
                if (boot_start(&l.v[i]) < 0)
                        rc = 1;
        boot_list_free(&l);
        return rc;
}

/* --- df, prune, info ---------------------------------------------------- */

/* docker's RECLAIMABLE cell: "1.2MB (40%)", the percentage only when total > 0 */
static char *reclaimable_cell(unsigned long long total, unsigned long long reclaimable)
{
        char sz[32];
        reclaimed_size(reclaimable, sz, sizeof(sz));
        if (!total)
                return xstrdup(sz);
        return xasprintf("%s (%llu%%)", sz, reclaimable * 100 / total);
}

static json_t *df_row(const char *type, const struct df_usage *u)
{
        char n[24], a[24], sz[32];
        snprintf(n, sizeof(n), "%zu", u->total);
        snprintf(a, sizeof(a), "%zu", u->active);
        reclaimed_size(u->size, sz, sizeof(sz));
        _cleanup_free_ char *r =
            reclaimable_cell(u->size, u->size - (u->used < u->size ? u->used : u->size));
        return json_pack("{s:s,s:s,s:s,s:s,s:s}", "Active", a, "Reclaimable", r, "Size", sz,
                         "TotalCount", n, "Type", type);
}

static char *ago_text(long long secs)
{
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        _cleanup_free_ char *d =
            human_duration(secs > 0 && secs < now.tv_sec ? now.tv_sec - secs : 0);
        return xasprintf("%s ago", d);
}

static char *size_text(unsigned long long n)
{
        char sz[32];
        reclaimed_size(n, sz, sizeof(sz));
        return xstrdup(sz);
}

/* The images and which containers use them; -1 (printed) on failure. */
static int df_images(struct rt_image **imgs, size_t *n, struct image_users *users)
{
        err_t err = {0};
        if (rt_image_list(imgs, n, &err) < 0 || image_users_load(users, &err) < 0) {
                error_msg("%s", err.msg);
                rt_image_list_free(*imgs, *n);
                return -1;
        }
        return 0;
}

/* docker system df -v: a table each of images, containers, volumes and the
 * (always empty) build cache. */
static int df_verbose(void)
{
        err_t err = {0};
        struct rt_image *imgs = NULL;
        size_t nimg = 0;
        struct image_users users = {0};
        if (df_images(&imgs, &nimg, &users) < 0)
                return EXIT_BERTH;
        /* a layer in more than one image is shared */
        strv_t layers = STRV_INIT;
        size_t *uses = NULL;
        for (size_t i = 0; i < nimg; i++)
                for (size_t k = 0; k < imgs[i].layer_dirs.n; k++) {
                        const char *l = imgs[i].layer_dirs.v[k];
                        size_t at = 0;
                        while (at < layers.n && strcmp(layers.v[at], l))
                                at++;
                        if (at == layers.n) {
                                strv_push(&layers, l);
                                uses = xrealloc(uses, layers.n * sizeof(*uses));
                                uses[at] = 0;
                        }
                        uses[at]++;
                }
        unsigned long long *lsize = xcalloc(layers.n + 1, sizeof(*lsize));
        for (size_t k = 0; k < layers.n; k++)
                lsize[k] = path_size(layers.v[k]);
        printf("Images space usage:\n\n");
        struct table t;
        table_init(&t, 8);
        table_row(&t, "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE",
                  "UNIQUE SIZE", "CONTAINERS");
        for (size_t i = 0; i < nimg; i++) {
                unsigned long long size = 0, shared = 0;
                for (size_t k = 0; k < layers.n; k++)
                        if (strv_contains(&imgs[i].layer_dirs, layers.v[k])) {
                                size += lsize[k];
                                if (uses[k] > 1)
                                        shared += lsize[k];
                        }
                size_t nctr = 0;
                for (size_t u = 0; u < users.n; u++)
                        nctr += users.v[u].image && !strcmp(users.v[u].image, imgs[i].id);
                _cleanup_free_ char *repo = xstrdup("<none>"), *tag = xstrdup("<none>");
                if (imgs[i].repo_tags.n) {
                        const char *rt = imgs[i].repo_tags.v[0];
                        const char *colon = strrchr(rt, ':');
                        if (colon && !strchr(colon, '/')) {
                                free(repo);
                                free(tag);
                                repo = xstrndup(rt, (size_t)(colon - rt));
                                tag = xstrdup(colon + 1);
                        }
                }
                const char *hex =
                    strchr(imgs[i].id, ':') ? strchr(imgs[i].id, ':') + 1 : imgs[i].id;
                _cleanup_free_ char *id = xstrndup(hex, 12), *created = ago_text(imgs[i].created),
                                    *sz = size_text(size), *sh = size_text(shared),
                                    *un = size_text(size - shared), *nc = xasprintf("%zu", nctr);
                table_row(&t, repo, tag, id, created, sz, sh, un, nc);
        }
        table_end(&t, true);
        free(lsize);
        free(uses);
        strv_free(&layers);
        image_users_free(&users);
        rt_image_list_free(imgs, nimg);

        printf("\nContainers space usage:\n\n");
        table_init(&t, 8);
        table_row(&t, "CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED",
                  "STATUS", "NAMES");
        strv_t ids = STRV_INIT, links = STRV_INIT; /* links: a volume's name per container */
        if (rt_ctr_list(&ids, &err) < 0)
                warn_msg("%s", err.msg);
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_json_ json_t *j = NULL;
                if (ctr_get(ids.v[i], &id, &j, NULL, &err) < 0)
                        continue;
                size_t nvol = 0, k;
                json_t *m;
                json_array_foreach(rt_doc_mounts(j), k, m)
                {
                        struct rt_doc_mount mt;
                        rt_doc_mount(m, &mt);
                        if (mt.name && !strcmp(mt.type ?: "", "volume")) {
                                nvol++;
                                strv_push(&links, mt.name);
                        }
                }
                const char *name = rt_doc_name(j) ?: "";
                long long created = 0;
                (void)time_parse_rfc3339(rt_doc_created(j), &created, NULL);
                _cleanup_free_ char *sid = xstrndup(id, 12), *cmd = ctr_command_text(j, true),
                                    *nv = xasprintf("%zu", nvol),
                                    *sz = size_text(path_size(rt_doc_upper_dir(j))),
                                    *cr = ago_text(created), *st = ctr_status_text(j);
                table_row(&t, sid, rt_doc_image(j), cmd, nv, sz, cr, st,
                          name[0] == '/' ? name + 1 : name);
        }
        table_end(&t, true);
        strv_free(&ids);

        printf("\nLocal Volumes space usage:\n\n");
        table_init(&t, 3);
        table_row(&t, "VOLUME NAME", "LINKS", "SIZE");
        strv_t vols = STRV_INIT;
        if (rt_volume_list(&vols, &err) < 0)
                warn_msg("%s", err.msg);
        for (size_t i = 0; i < vols.n; i++) {
                size_t nl = 0;
                for (size_t k = 0; k < links.n; k++)
                        nl += !strcmp(links.v[k], vols.v[i]);
                _cleanup_free_ char *ln = xasprintf("%zu", nl),
                                    *sz = size_text(volume_size(vols.v[i]));
                table_row(&t, vols.v[i], ln, sz);
        }
        table_end(&t, true);
        strv_free(&vols);
        strv_free(&links);
        /* build steps are images in the store: there is no separate cache */
        printf("\nBuild cache usage: 0B\n\n");
        table_init(&t, 7);
        table_row(&t, "CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED");
        table_end(&t, true);
        return 0;
}

static const char *const df_headers[] = {"Type",        "TYPE",        "TotalCount", "TOTAL",
                                         "Active",      "ACTIVE",      "Size",       "SIZE",
                                         "Reclaimable", "RECLAIMABLE", NULL};

static int system_df(int argc, char **argv)
{
        const char *format = NULL;
        bool verbose = false;
        const struct cli_opt opts[] = {
            FORMAT_OPT(0, &format, "{{.Type}} {{.Size}} ..."),
            CLI_OPT("verbose", 'v', CLI_FLAG, &verbose, "Show detailed information on space usage"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "system df", "[OPTIONS]", "Show berth disk usage",
                            opts, CLI_NO_ARGS);
        if (verbose && format) { /* docker's per-object tables (with no --format) */
                error_msg("system df: -v takes no other arguments\n"
                          "See 'berth system df --help'.");
                return EXIT_BERTH;
        }
        if (verbose)
                return df_verbose();
        struct cliformat cf;
        if (format_open(
                &cf, format,
                "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                df_headers, "*formatter.diskUsageImagesContext") < 0)
                return EXIT_BERTH;
        err_t err = {0};
        struct disk_usage du;
        strv_t warnings = STRV_INIT;
        if (disk_usage(&du, &warnings, &err) < 0) {
                error_msg("%s", err.msg);
                cliformat_free(&cf);
                return EXIT_BERTH;
        }
        warn_flush(&warnings);
        json_t *rows[] = {
            df_row("Images", &du.images),
            df_row("Containers", &du.containers),
            df_row("Local Volumes", &du.volumes),
            /* build steps are images in the store: there is no separate cache */
            df_row("Build Cache", &(struct df_usage){0}),
        };
        int rc = 0;
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                if (!rc && format_row(&cf, rows[i], NULL) < 0)
                        rc = EXIT_BERTH;
                json_decref(rows[i]);
        }
        if (!rc)
                format_print(&cf);
        cliformat_free(&cf);
        return rc;
}

static int system_prune(int argc, char **argv)
{
        bool all = false, force = false, vols = false;
        struct prune_cli pc = {0};
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &all, "Remove all unused images not just dangling ones"),
            PRUNE_OPTS(pc, &force,
                       "\"until=24h\", \"label=<key>[=<value>]\",\n\"label!=<key>[=<value>]\""),
            CLI_OPT("volumes", 0, CLI_FLAG, &vols, "Prune anonymous volumes"),
            {0}};
        PRUNE_PARSE_OR_RETURN(first, argc, argv, &pc, NULL, "system prune", "[OPTIONS]",
                              "Remove unused data", opts, CLI_NO_ARGS);
        const strv_t *shown = &pc.given; /* the filters, for the warning */
        if (pc.f.until_ns && vols) {
                error_msg("The \"until\" filter is not supported with \"--volumes\"");
                prune_cli_free(&pc);
                return EXIT_BERTH;
        }
        if (!force) {
                strbuf_t fl = STRBUF_INIT;
                sb_append(&fl, "");
                for (size_t k = 0; k < shown->n; k++)
                        sb_appendf(&fl, "%s  - %s\n%s",
                                   k ? "" : "  Items to be pruned will be filtered with:\n",
                                   shown->v[k], k + 1 == shown->n ? "\n" : "");
                _cleanup_free_ char *w = xasprintf(
                    "This will remove:\n"
                    "  - all stopped containers\n"
                    "  - all networks not used by at least one container\n"
                    "%s%s\n%s",
                    vols ? "  - all anonymous volumes not used by at least one container\n" : "",
                    all ? "  - all images without at least one container associated to them\n"
                        : "  - all dangling images\n",
                    fl.s);
                sb_free(&fl);
                if (!cli_confirm(w)) {
                        prune_cli_free(&pc);
                        return 0;
                }
        }
        int rc = 0;
        unsigned long long reclaimed = 0;
        err_t err = {0};
        strv_t out = STRV_INIT;

        /* containers first: what they held becomes unused */
        if (container_prune(&out, &reclaimed, &pc.f, &err) < 0) {
                error_msg("%s", err.msg);
                rc = EXIT_BERTH;
        }
        prune_print_deleted("Containers", &out);

        _cleanup_json_ json_t *nets = json_array();
        if (netwire_gc(&err) < 0 ||
            network_prune(nets, pc.f.until_ns, prune_net_match, &pc.f, &err) < 0) {
                error_msg("%s", err.msg);
                rc = EXIT_BERTH;
        }
        size_t i;
        json_t *v;
        json_array_foreach(nets, i, v) strv_push(&out, json_string_value(v));
        prune_print_deleted("Networks", &out);

        if (vols) {
                if (volume_prune(false, &pc.f, &out, &reclaimed, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                }
                prune_print_deleted("Volumes", &out);
        }

        if (image_users_load(&pc.f.users, &err) < 0 || prune_filter_apply(&pc.f, &err) < 0 ||
            rt_image_prune(all, prune_filter_in_use, &pc.f, &out, &reclaimed, &err) < 0) {
                error_msg("%s", err.msg);
                rc = EXIT_BERTH;
        }
        prune_cli_free(&pc);
        prune_print_deleted("Images", &out);

        prune_print_total(reclaimed);
        return rc;
}

static char *os_pretty_name(void)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/os-release", "re");
        char line[512];
        while (f && fgets(line, sizeof(line), f)) {
                if (strncmp(line, "PRETTY_NAME=", 12))
                        continue;
                char *v = line + 12;
                v[strcspn(v, "\n")] = 0;
                size_t n = strlen(v);
                if (n >= 2 && (*v == '"' || *v == '\'') && v[n - 1] == *v) {
                        v[n - 1] = 0;
                        v++;
                }
                return xstrdup(v);
        }
        return xstrdup("Linux");
}

int cmd_info(int argc, char **argv)
{
        const char *format;
        int first =
            format_flag_only(argc, argv, "info", "Display system-wide information",
                             "json or a Go template ({{.ServerVersion}} {{.NCPU}} ...)", &format);
        if (first <= 0)
                return cli_status(first);
        struct ctr_counts c;
        strv_t warnings = STRV_INIT;
        ctr_counts(&c, false, &warnings);
        warn_flush(&warnings);
        struct rt_image *imgs = NULL;
        size_t nimg = 0;
        err_t err = {0};
        if (rt_image_list(&imgs, &nimg, &err) < 0)
                warn_msg("%s", err.msg);
        rt_image_list_free(imgs, nimg);
        struct utsname u;
        if (uname(&u) < 0)
                memset(&u, 0, sizeof(u));
        struct statfs fs;
        int cgv = statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC ? 2 : 1;
        struct sysinfo si;
        char mem[32] = "unknown";
        unsigned long long memtotal = 0;
        if (sysinfo(&si) == 0) {
                memtotal = (unsigned long long)si.totalram * si.mem_unit;
                units_size(memtotal, true, mem, sizeof(mem));
        }
        _cleanup_free_ char *os = os_pretty_name();
        if (format) { /* docker's system.Info field names, and ClientInfo */
                char cg[4];
                snprintf(cg, sizeof(cg), "%d", cgv);
                _cleanup_json_ json_t *doc = json_pack(
                    "{s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,"
                    "s:{s:s,s:s}}",
                    "Containers", (json_int_t)c.total, "ContainersRunning", (json_int_t)c.running,
                    "ContainersPaused", (json_int_t)c.paused, "ContainersStopped",
                    (json_int_t)c.stopped, "Images", (json_int_t)nimg, "Driver", "overlay2",
                    "LoggingDriver", "json-file", "CgroupDriver", "cgroupfs", "CgroupVersion", cg,
                    "KernelVersion", u.release, "OperatingSystem", os, "OSType", "linux",
                    "Architecture", u.machine, "NCPU", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN),
                    "MemTotal", (json_int_t)memtotal, "Name", u.nodename, "ServerVersion",
                    BERTH_VERSION, "DockerRootDir", berth_lib_dir(), "ClientInfo", "Version",
                    BERTH_VERSION, "Context", "default");
                return doc_format_print(doc, format) < 0 ? EXIT_BERTH : 0;
        }
        printf("Client:\n"
               " Version:    %s\n"
               " Context:    default\n"
               "\n"
               "Server:\n"
               " Containers: %zu\n"
               "  Running: %zu\n"
               "  Paused: %zu\n"
               "  Stopped: %zu\n"
               " Images: %zu\n"
               " Server Version: %s (daemonless)\n"
               " Storage Driver: overlay2\n"
               " Logging Driver: json-file\n"
               " Cgroup Driver: cgroupfs\n"
               " Cgroup Version: %d\n"
               " Kernel Version: %s\n"
               " Operating System: %s\n"
               " OSType: linux\n"
               " Architecture: %s\n"
               " CPUs: %ld\n"
               " Total Memory: %s\n"
               " Name: %s\n"
               " Berth Root Dir: %s\n",
               BERTH_VERSION, c.total, c.running, c.paused, c.stopped, nimg, BERTH_VERSION, cgv,
               u.release, os, u.machine, sysconf(_SC_NPROCESSORS_ONLN), mem, u.nodename,
               berth_lib_dir());
        return 0;
}

static int system_boot_cmd(int argc, char **argv)
{
        CLI_PARSE_OR_RETURN(
            first, argc, argv, "system boot", NULL,
            "Restore networks and start the containers whose restart policy asks for it "
            "(run once at boot)",
            NULL, CLI_NO_ARGS);
        return system_boot();
}

static const struct command sys_commands[] = {
    {"boot", system_boot_cmd,
     "Restore networks and start the containers whose restart policy asks for it"},
    {"df", system_df, "Show berth disk usage"},
    {"events", cmd_events, "Get real time events from berth"},
    {"info", cmd_info, "Display system-wide information"},
    {"prune", system_prune, "Remove unused data"},
};

const struct cmd_group cmd_system_group = {
    "system", "Manage berth", sys_commands, ARRAY_SIZE(sys_commands), NULL, 0, 0};
