/* berth network: create ls inspect rm prune connect disconnect. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/events.h"
#include "base/err.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "table.h"
#include "container_cli.h"
#include "net/network.h"
#include "net/ports.h"
#include "engine/dnsreg.h"
#include "engine/netglue.h"
#include "runtime/container.h"

static void network_usage(FILE *f, const struct command *subs, size_t n)
{
        fprintf(f, "Usage:  berth network COMMAND\n\nManage networks\n\nCommands:\n");
        for (size_t i = 0; i < n; i++)
                if (subs[i].summary)
                        fprintf(f, "  %-11s %s\n", subs[i].name, subs[i].summary);
        fprintf(f, "\nInternal (for tests, not a stable interface):\n"
                   "  attach-netns   Attach a network namespace by path: "
                   "attach-netns [--ip IP] [--ifname IF] [-p SPEC] NET NETNS_PATH ID\n"
                   "  detach-netns   Undo attach-netns: detach-netns NET ID\n");
}

/* "k=v" into obj; a bare "k" is k="" as in docker. */
static int add_kv(json_t *obj, const char *what, const char *arg)
{
        const char *eq = strchr(arg, '=');
        if (eq == arg) {
                error_msg("invalid %s \"%s\": expected KEY=VALUE", what, arg);
                return -1;
        }
        _cleanup_free_ char *k = eq ? xstrndup(arg, (size_t)(eq - arg)) : xstrdup(arg);
        json_object_set_new(obj, k, json_string(eq ? eq + 1 : ""));
        return 0;
}

static int net_create(int argc, char **argv)
{
        static const struct option opts[] = {
            {"driver", required_argument, NULL, 'd'},
            {"subnet", required_argument, NULL, 's'},
            {"gateway", required_argument, NULL, 'g'},
            {"ip-range", required_argument, NULL, 'r'},
            {"internal", no_argument, NULL, 'i'},
            {"label", required_argument, NULL, 'l'},
            {"opt", required_argument, NULL, 'o'},
            {"attachable", no_argument, NULL, 'a'},
            {"ipv6", no_argument, NULL, '6'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        _cleanup_json_ json_t *labels = json_object();
        _cleanup_json_ json_t *options = json_object();
        struct network_create_opts o = {.labels = labels, .options = options};
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "d:o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        o.driver = optarg;
                        break;
                case 's':
                        if (o.subnet) {
                                error_msg("only one --subnet is supported (IPv4)");
                                return EXIT_BERTH;
                        }
                        o.subnet = optarg;
                        break;
                case 'g':
                        o.gateway = optarg;
                        break;
                case 'r':
                        o.ip_range = optarg;
                        break;
                case 'i':
                        o.internal = true;
                        break;
                case 'l':
                        if (add_kv(labels, "label", optarg) < 0)
                                return EXIT_BERTH;
                        break;
                case 'o':
                        if (add_kv(options, "option", optarg) < 0)
                                return EXIT_BERTH;
                        break;
                case 'a':
                        break; /* every berth network is attachable */
                case '6':
                        error_msg("IPv6 networks are not supported");
                        return EXIT_BERTH;
                case 'h':
                        printf("Usage:  berth network create [OPTIONS] NETWORK\n\n"
                               "Options:\n"
                               "  -d, --driver string     Driver to manage the Network "
                               "(default \"bridge\")\n"
                               "      --gateway string    IPv4 Gateway for the master subnet\n"
                               "      --internal          Restrict external access to the "
                               "network\n"
                               "      --ip-range string   Allocate container ip from a sub-range\n"
                               "      --label list        Set metadata on a network\n"
                               "  -o, --opt map           Set driver specific options\n"
                               "      --subnet string     Subnet in CIDR format\n");
                        return 0;
                default:
                        error_msg("network create: unknown flag %s\nSee 'berth network create "
                                  "--help'",
                                  argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (optind != argc - 1) {
                error_msg("\"network create\" requires exactly 1 argument");
                return EXIT_BERTH;
        }
        if ((o.gateway || o.ip_range) && !o.subnet) {
                error_msg("%s requires --subnet", o.gateway ? "--gateway" : "--ip-range");
                return EXIT_BERTH;
        }
        o.name = argv[optind];
        err_t err;
        _cleanup_free_ char *id = NULL;
        if (network_create(&o, &id, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        printf("%s\n", id);
        return 0;
}

static const char *js(json_t *o, const char *k)
{
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

static const char *const net_headers[] = {
    "ID",     "NETWORK ID", "Name",      "NAME",       "Driver", "DRIVER",   "Scope",
    "SCOPE",  "IPv6",       "IPV6",      "IPv4",       "IPV4",   "Internal", "INTERNAL",
    "Labels", "LABELS",     "CreatedAt", "CREATED AT", NULL};

#define NET_TABLE "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

static int net_ls(int argc, char **argv)
{
        static const struct option opts[] = {
            {"quiet", no_argument, NULL, 'q'},
            {"format", required_argument, NULL, 'f'},
            {"no-trunc", no_argument, NULL, 'n'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool quiet = false, notrunc = false;
        const char *format = NULL;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "qf:h", opts, NULL)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case 'n':
                        notrunc = true;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        printf("Usage:  berth network ls [OPTIONS]\n\nOptions:\n"
                               "      --format string   table (default), json, a Go template "
                               "({{.Name}} {{.Driver}} ...)\n"
                               "                        or 'table TEMPLATE'\n"
                               "      --no-trunc        Do not truncate the output\n"
                               "  -q, --quiet           Only display network IDs\n");
                        return 0;
                default:
                        error_msg("network ls: unknown flag %s", argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (optind != argc) {
                error_msg("\"network ls\" accepts no arguments");
                return EXIT_BERTH;
        }
        struct cliformat cf;
        if (!quiet &&
            format_open(&cf, format, NET_TABLE, net_headers, "formatter.networkContext") < 0)
                return EXIT_BERTH;
        _cleanup_json_ json_t *all = NULL;
        err_t err;
        if (network_list(&all, &err) < 0) {
                error_msg("%s", err.msg);
                if (!quiet)
                        cliformat_free(&cf);
                return EXIT_BERTH;
        }
        size_t i;
        json_t *n;
        _cleanup_json_ json_t *bad = NULL;
        if (network_corrupt(&bad, &err) == 0) /* left out of the list: say so */
                json_array_foreach(bad, i, n)
                    warn_msg("network %.12s: %s: a corrupt configuration; berth network rm %.12s "
                             "removes it",
                             js(n, "Id"), js(n, "Error"), js(n, "Id"));
        int idlen = notrunc ? 64 : 12, rc = 0;
        json_array_foreach(all, i, n)
        {
                if (quiet) {
                        printf("%.*s\n", idlen, js(n, "Id"));
                        continue;
                }
                _cleanup_free_ char *id = xstrndup(js(n, "Id"), (size_t)idlen);
                long long secs = 0;
                long nsec = 0;
                (void)time_parse_rfc3339(js(n, "Created"), &secs, &nsec);
                _cleanup_free_ char *created = go_time_text(secs, nsec);
                json_t *labels = json_object_get(n, "Labels");
                _cleanup_free_ char *lt = labels_text(labels);
                _cleanup_json_ json_t *line = json_pack(
                    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "CreatedAt", created, "Driver",
                    js(n, "Driver"), "ID", id, "IPv4", "true", "IPv6",
                    json_is_true(json_object_get(n, "EnableIPv6")) ? "true" : "false", "Internal",
                    json_is_true(json_object_get(n, "Internal")) ? "true" : "false", "Labels", lt,
                    "Name", js(n, "Name"), "Scope", js(n, "Scope"));
                _cleanup_json_ json_t *m = label_methods(labels);
                if (format_row(&cf, line, m) < 0) {
                        rc = EXIT_BERTH;
                        break;
                }
        }
        if (!quiet) {
                if (!rc)
                        format_print(&cf);
                cliformat_free(&cf);
        }
        return rc;
}

/* The state minus berth's private fields, as docker prints it. */
static json_t *public_view(json_t *n)
{
        json_t *v = json_deep_copy(n);
        json_t *ctrs = json_object_get(v, "Containers");
        const char *k;
        json_t *e;

        void *tmp;

        json_object_del(v, "Berth");
        /* only running containers' endpoints, as docker lists them */
        json_object_foreach_safe(ctrs, tmp, k, e) if (network_endpoint_stopped(e))
            json_object_del(ctrs, k);
        json_object_foreach(ctrs, k, e)
        {
                json_object_del(e, "HostIfname");
                json_object_del(e, "Ifname");
                json_object_del(e, "Ports");
                json_object_del(e, "Aliases");
                json_object_del(e, "Static");
                json_object_del(e, "Stopped");
        }
        return v;
}

static int network_doc(const char *name, json_t **doc, err_t *err)
{
        json_t *n = NULL;
        if (network_load(name, &n, err) < 0)
                return -1;
        *doc = public_view(n);
        json_decref(n);
        return 0;
}

static int net_inspect(int argc, char **argv)
{
        static const struct option opts[] = {
            {"format", required_argument, NULL, 'f'},
            {"verbose", no_argument, NULL, 'v'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *format = NULL;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "f:vh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'v':
                        break;
                case 'h':
                        printf("Usage:  berth network inspect [OPTIONS] NETWORK [NETWORK...]\n\n"
                               "Display detailed information on one or more networks\n\n"
                               "Options:\n"
                               "  -f, --format string   a Go template ({{.Name}} "
                               "{{range .IPAM.Config}}{{.Subnet}}{{end}} ...)\n");
                        return 0;
                default:
                        error_msg("network inspect: unknown flag %s", argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (optind >= argc) {
                error_msg("\"network inspect\" requires at least 1 argument");
                return EXIT_BERTH;
        }
        return inspect_names(argv + optind, argc - optind, network_doc, format, 1);
}

/* network connect / disconnect: the container's state under its lock. */
static int connect_or_disconnect(int argc, char **argv, bool connect)
{
        static const struct option opts[] = {
            {"alias", required_argument, NULL, 'a'},
            {"ip", required_argument, NULL, 'i'},
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *cmd = connect ? "connect" : "disconnect";
        strv_t aliases = STRV_INIT;
        const char *ip = NULL;
        int c, rc = EXIT_BERTH;

        optind = 0;
        while ((c = getopt_long(argc, argv, connect ? "h" : "fh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        strv_push(&aliases, optarg);
                        break;
                case 'i':
                        ip = optarg;
                        break;
                case 'f':
                        break;
                case 'h':
                        printf("Usage:  berth network %s %sNETWORK CONTAINER\n", cmd,
                               connect ? "[--alias ALIAS]... [--ip IP] " : "[-f] ");
                        strv_free(&aliases);
                        return 0;
                default:
                        error_msg("network %s: unknown flag %s", cmd, argv[optind - 1]);
                        strv_free(&aliases);
                        return EXIT_BERTH;
                }
        }
        if ((!connect && (aliases.n || ip)) || optind != argc - 2) {
                error_msg("\"network %s\" requires exactly 2 arguments: NETWORK CONTAINER", cmd);
                strv_free(&aliases);
                return EXIT_BERTH;
        }
        err_t err;
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        pid_t pid = 0;
        if (rt_ctr_resolve(argv[optind + 1], &id, &err) < 0) {
                error_msg("%s", err.msg);
                strv_free(&aliases);
                return EXIT_BERTH;
        }
        _cleanup_json_ json_t *n = NULL; /* for the disconnect event */
        err_t nerr = {0};
        _cleanup_close_ int lk = rt_ctr_lock(id, &err);
        if (lk < 0 || rt_ctr_load(id, &j, &err) < 0 || rt_ctr_reconcile(id, j, &err) < 0)
                goto out;
        if (!connect)
                (void)network_load(argv[optind], &n, &nerr);
        if (!rt_ctr_monitor_alive(id, &pid))
                pid = 0;
        if (connect ? netwire_connect(id, pid, j, argv[optind], ip, &aliases, &err)
                    : netwire_disconnect(id, pid, j, argv[optind], &err))
                goto out;
        if (connect && pid > 0 && dnsreg_register(id, j, &err) < 0)
                goto out;
        if (rt_ctr_save(id, j, &err) < 0)
                goto out;
        if (!connect && n)
                events_logv("network", "disconnect", jobj_str0(n, "Id"), "container", id, "name",
                            jobj_str0(n, "Name"), "type", "bridge", NULL);
        rc = 0;
out:
        if (rc)
                error_msg("%s", err.msg);
        strv_free(&aliases);
        return rc;
}

static int net_connect(int argc, char **argv)
{
        return connect_or_disconnect(argc, argv, true);
}

static int net_disconnect(int argc, char **argv)
{
        return connect_or_disconnect(argc, argv, false);
}

static int net_rm(int argc, char **argv)
{
        int rc = 0;
        err_t gerr;

        /* endpoints of containers that are gone must not block removal */
        if (netwire_gc(&gerr) < 0) {
                error_msg("%s", gerr.msg);
                return EXIT_BERTH;
        }

        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage:  berth network rm NETWORK [NETWORK...]\n");
                return 0;
        }
        if (argc < 2) {
                error_msg("\"network rm\" requires at least 1 argument");
                return EXIT_BERTH;
        }
        for (int i = 1; i < argc; i++) {
                err_t err;
                if (network_remove(argv[i], &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return rc;
}

static int net_prune(int argc, char **argv)
{
        bool force = false;
        struct prune_filter pf = {0};

        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force")) {
                        force = true;
                } else if (!strcmp(argv[i], "--filter") || !strncmp(argv[i], "--filter=", 9)) {
                        const char *f = argv[i][8] == '=' ? argv[i] + 9 : argv[++i];
                        if (!f) {
                                error_msg("network prune: flag needs an argument: --filter");
                                return EXIT_BERTH;
                        }
                        if (prune_filter_add(&pf, NULL, f, "network prune") < 0) {
                                prune_filter_free(&pf);
                                return EXIT_BERTH;
                        }
                } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                        prune_filter_free(&pf);
                        printf("Usage:  berth network prune [-f] [--filter until=TIME|label=K[=V]|"
                               "label!=K[=V]]\n\n"
                               "Remove all unused networks (all but the default bridge network "
                               "and those with containers)\n");
                        return 0;
                } else {
                        error_msg("network prune: unknown argument %s", argv[i]);
                        prune_filter_free(&pf);
                        return EXIT_BERTH;
                }
        }
        if (!force) {
                char line[16] = "";
                fprintf(stdout, "WARNING! This will remove all custom networks not used by at "
                                "least one container.\nAre you sure you want to continue? [y/N] ");
                fflush(stdout);
                if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
                        prune_filter_free(&pf);
                        return 0;
                }
        }
        _cleanup_json_ json_t *removed = json_array();
        err_t err;
        int rc = netwire_gc(&err) < 0
                     ? -1
                     : network_prune(removed, pf.until_ns, prune_net_match, &pf, &err);
        prune_filter_free(&pf);
        size_t i;
        json_t *v;
        if (json_array_size(removed)) {
                printf("Deleted Networks:\n");
                json_array_foreach(removed, i, v) printf("%s\n", json_string_value(v));
        }
        if (rc < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}

/* Internal: attach a netns given by path (tests and benchmarks). */
static int net_attach_netns(int argc, char **argv)
{
        static const struct option opts[] = {
            {"ip", required_argument, NULL, 'i'},
            {"ifname", required_argument, NULL, 'n'},
            {"publish", required_argument, NULL, 'p'},
            {"no-default-route", no_argument, NULL, 'R'},
            {NULL, 0, NULL, 0},
        };
        const char *ip = NULL, *ifname = "eth0";
        _cleanup_free_ struct port_map *ports = NULL;
        size_t nports = 0;
        bool defroute = true;
        err_t err;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        ip = optarg;
                        break;
                case 'n':
                        ifname = optarg;
                        break;
                case 'p':
                        if (port_spec_parse(optarg, &ports, &nports, &err) < 0) {
                                error_msg("%s", err.msg);
                                return EXIT_BERTH;
                        }
                        break;
                case 'R':
                        defroute = false;
                        break;
                default:
                        error_msg("network attach-netns: unknown flag %s", argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (optind != argc - 3) {
                error_msg("usage: berth network attach-netns [--ip IP] [--ifname IF] [-p SPEC] NET "
                          "NETNS_PATH ID");
                return EXIT_BERTH;
        }
        _cleanup_close_ int fd = open(argv[optind + 1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                error_msg("cannot open %s: %s", argv[optind + 1], strerror(errno));
                return EXIT_BERTH;
        }
        /* Published ports are checked by binding them, then released: this
         * command has no monitor to keep them. */
        _cleanup_free_ int *fds = NULL;
        if (ports_reserve(ports, nports, &fds, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        for (size_t i = 0; i < nports; i++)
                close(fds[i]);
        struct network_endpoint_req r = {
            .container_id = argv[optind + 2],
            .container_name = argv[optind + 2],
            .ifname = ifname,
            .ip = ip,
            .default_route = defroute,
            .netns_fd = fd,
            .ports = ports,
            .nports = nports,
        };
        struct network_endpoint ep;
        if (network_connect(argv[optind], &r, &ep, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        char ipbuf[16];
        snprintf(ipbuf, sizeof(ipbuf), "%u.%u.%u.%u", ep.ip >> 24, (ep.ip >> 16) & 0xff,
                 (ep.ip >> 8) & 0xff, ep.ip & 0xff);
        printf("%s\n", ipbuf);
        return 0;
}

static int net_detach_netns(int argc, char **argv)
{
        err_t err;

        if (argc != 3) {
                error_msg("usage: berth network detach-netns NET ID");
                return EXIT_BERTH;
        }
        if (network_endpoint_down(argv[1], argv[2], false, true, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}

int cmd_network(int argc, char **argv)
{
        /* no summary: an alias, or internal (left out of help and man pages) */
        static const struct command subs[] = {
            {"connect", net_connect, "Connect a container to a network"},
            {"create", net_create, "Create a network"},
            {"disconnect", net_disconnect, "Disconnect a container from a network"},
            {"inspect", net_inspect, "Display detailed information on one or more networks"},
            {"ls", net_ls, "List networks"},
            {"list", net_ls, NULL},
            {"prune", net_prune, "Remove all unused networks"},
            {"rm", net_rm, "Remove one or more networks"},
            {"remove", net_rm, NULL},
            {"attach-netns", net_attach_netns, NULL},
            {"detach-netns", net_detach_netns, NULL},
        };

        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                network_usage(argc < 2 ? stderr : stdout, subs, ARRAY_SIZE(subs));
                return argc < 2 ? EXIT_BERTH : 0;
        }
        if (!strcmp(argv[1], CMD_LIST)) {
                cmd_list_print("network", subs, ARRAY_SIZE(subs));
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
                if (!strcmp(argv[1], subs[i].name))
                        return subs[i].fn(argc - 1, argv + 1);
        error_msg("'%s' is not a berth network command.\nSee 'berth network --help'", argv[1]);
        return EXIT_BERTH;
}
