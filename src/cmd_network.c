/* berth network: create ls inspect rm prune connect disconnect. */
#include <errno.h>
#include <fcntl.h>
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
#include "cli.h"
#include "commands.h"
#include "table.h"
#include "container_cli.h"
#include "prune_cli.h"
#include "net/network.h"
#include "net/ports.h"
#include "engine/ctr_net.h"
#include "engine/dnsreg.h"
#include "engine/netglue.h"
#include "runtime/container.h"

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
        _cleanup_json_ json_t *labels = json_object();
        _cleanup_json_ json_t *options = json_object();
        struct network_create_opts o = {.labels = labels, .options = options};
        _cleanup_cli_list_ strv_t subnets = STRV_INIT, lv = STRV_INIT, ov = STRV_INIT;
        bool ipv6 = false;
        const struct cli_opt opts[] = {
            CLI_OPT("driver", 'd', CLI_STRING, &o.driver,
                    "Driver to manage the Network (default \"bridge\")"),
            CLI_OPT("gateway", 0, CLI_STRING, &o.gateway, "IPv4 Gateway for the master subnet"),
            CLI_OPT("internal", 0, CLI_FLAG, &o.internal,
                    "Restrict external access to the network"),
            CLI_OPT("ip-range", 0, CLI_STRING, &o.ip_range,
                    "Allocate container ip from a sub-range"),
            CLI_OPT("label", 0, CLI_LIST, &lv, "Set metadata on a network"),
            CLI_OPT("opt", 'o', CLI_LIST, &ov, "Set driver specific options", .type = "map"),
            CLI_OPT("subnet", 0, CLI_LIST, &subnets, "Subnet in CIDR format", .type = "string"),
            CLI_OPT("attachable", 0, CLI_FLAG, NULL, NULL), /* every berth network is attachable */
            CLI_OPT("ipv6", 0, CLI_FLAG, &ipv6, NULL),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "network create", "[OPTIONS] NETWORK",
                            "Create a network", opts, CLI_EXACTLY(1));
        if (subnets.n > 1) {
                error_msg("only one --subnet is supported (IPv4)");
                return EXIT_BERTH;
        }
        o.subnet = subnets.n ? subnets.v[0] : NULL;
        for (size_t i = 0; i < lv.n; i++)
                if (add_kv(labels, "label", lv.v[i]) < 0)
                        return EXIT_BERTH;
        for (size_t i = 0; i < ov.n; i++)
                if (add_kv(options, "option", ov.v[i]) < 0)
                        return EXIT_BERTH;
        if (ipv6) {
                error_msg("IPv6 networks are not supported");
                return EXIT_BERTH;
        }
        if ((o.gateway || o.ip_range) && !o.subnet) {
                error_msg("%s requires --subnet", o.gateway ? "--gateway" : "--ip-range");
                return EXIT_BERTH;
        }
        o.name = argv[first];
        err_t err;
        _cleanup_free_ char *id = NULL;
        if (network_create(&o, &id, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        printf("%s\n", id);
        return 0;
}

static const char *const net_headers[] = {
    "ID",     "NETWORK ID", "Name",      "NAME",       "Driver", "DRIVER",   "Scope",
    "SCOPE",  "IPv6",       "IPV6",      "IPv4",       "IPV4",   "Internal", "INTERNAL",
    "Labels", "LABELS",     "CreatedAt", "CREATED AT", NULL};

#define NET_TABLE "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

static int net_ls(int argc, char **argv)
{
        bool quiet = false, notrunc = false;
        const char *format = NULL;
        const struct cli_opt opts[] = {
            FORMAT_OPT('f', &format, "{{.Name}} {{.Driver}} ..."),
            CLI_OPT("no-trunc", 0, CLI_FLAG, &notrunc, "Do not truncate the output"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Only display network IDs"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "network ls", "[OPTIONS]", "List networks", opts,
                            CLI_NO_ARGS);
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
                             jobj_str0(n, "Id"), jobj_str0(n, "Error"), jobj_str0(n, "Id"));
        int idlen = notrunc ? 64 : 12, rc = 0;
        json_array_foreach(all, i, n)
        {
                if (quiet) {
                        printf("%.*s\n", idlen, jobj_str0(n, "Id"));
                        continue;
                }
                _cleanup_free_ char *id = xstrndup(jobj_str0(n, "Id"), (size_t)idlen);
                long long secs = 0;
                long nsec = 0;
                (void)time_parse_rfc3339(jobj_str0(n, "Created"), &secs, &nsec);
                _cleanup_free_ char *created = go_time_text(secs, nsec);
                json_t *labels = json_object_get(n, "Labels");
                _cleanup_free_ char *lt = labels_text(labels);
                _cleanup_json_ json_t *line = json_pack(
                    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "CreatedAt", created, "Driver",
                    jobj_str0(n, "Driver"), "ID", id, "IPv4", "true", "IPv6",
                    json_is_true(json_object_get(n, "EnableIPv6")) ? "true" : "false", "Internal",
                    json_is_true(json_object_get(n, "Internal")) ? "true" : "false", "Labels", lt,
                    "Name", jobj_str0(n, "Name"), "Scope", jobj_str0(n, "Scope"));
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
        return inspect_cmd(argc, argv, "network inspect", "[OPTIONS] NETWORK [NETWORK...]",
                           "Display detailed information on one or more networks",
                           "a Go template ({{.Name}} {{range .IPAM.Config}}{{.Subnet}}{{end}} ...)",
                           network_doc, 1);
}

/* network connect / disconnect (engine/ctr_net.c) */
static int connect_or_disconnect(int argc, char **argv, bool connect)
{
        strv_t aliases = STRV_INIT;
        const char *ip = NULL;
        const struct cli_opt copts[] = {
            CLI_OPT("alias", 0, CLI_LIST, &aliases, "Add network-scoped alias for the container",
                    .type = "strings"),
            CLI_OPT("ip", 0, CLI_STRING, &ip, "IPv4 address (e.g., \"172.30.100.104\")"),
            {0}};
        const struct cli_opt dopts[] = {CLI_OPT("force", 'f', CLI_FLAG, NULL,
                                                "Force the container to disconnect from a network"),
                                        {0}};
        const struct cli_cmd cmd =
            connect
                ? (struct cli_cmd)CLI_CMD("network connect", "[OPTIONS] NETWORK CONTAINER",
                                          "Connect a container to a network", copts, CLI_EXACTLY(2))
                : (struct cli_cmd)CLI_CMD("network disconnect", "[OPTIONS] NETWORK CONTAINER",
                                          "Disconnect a container from a network", dopts,
                                          CLI_EXACTLY(2));
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0) {
                strv_free(&aliases);
                return cli_status(first);
        }
        err_t err;
        int r = connect ? ctr_network_connect(argv[first + 1], argv[first], ip, &aliases, &err)
                        : ctr_network_disconnect(argv[first + 1], argv[first], &err);
        if (r < 0)
                error_msg("%s", err.msg);
        strv_free(&aliases);
        return r < 0 ? EXIT_BERTH : 0;
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

        CLI_PARSE_OR_RETURN(first, argc, argv, "network rm", "NETWORK [NETWORK...]",
                            "Remove one or more networks", NULL, CLI_AT_LEAST(1));
        /* endpoints of containers that are gone must not block removal
         * (after the parse: --help and a usage error touch no state) */
        if (netwire_gc(&gerr) < 0) {
                error_msg("%s", gerr.msg);
                return EXIT_BERTH;
        }
        for (int i = first; i < argc; i++) {
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
        struct prune_cli pc = {0};
        const struct cli_opt opts[] = {
            PRUNE_OPTS(
                pc, &force,
                "\"until=<timestamp>\", \"label=<key>[=<value>]\",\n\"label!=<key>[=<value>]\""),
            {0}};
        PRUNE_PARSE_OR_RETURN(
            first, argc, argv, &pc, NULL, "network prune", "[OPTIONS]",
            "Remove all unused networks (all but the default bridge network and those with "
            "containers)",
            opts, CLI_NO_ARGS);
        if (!force && !cli_confirm("This will remove all custom networks not used by at least one "
                                   "container.")) {
                prune_cli_free(&pc);
                return 0;
        }
        _cleanup_json_ json_t *removed = json_array();
        err_t err;
        int rc = netwire_gc(&err) < 0
                     ? -1
                     : network_prune(removed, pc.f.until_ns, prune_net_match, &pc.f, &err);
        prune_cli_free(&pc);
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
        const char *ip = NULL, *ifname = "eth0";
        _cleanup_free_ struct port_map *ports = NULL;
        size_t nports = 0;
        bool nodefroute = false;
        err_t err;
        _cleanup_cli_list_ strv_t publish = STRV_INIT;
        const struct cli_opt opts[] = {
            CLI_OPT("ip", 0, CLI_STRING, &ip, "The address"),
            CLI_OPT("ifname", 0, CLI_STRING, &ifname,
                    "The interface in the namespace (default eth0)"),
            CLI_OPT("publish", 'p', CLI_LIST, &publish, "Publish a port (as run -p)"),
            CLI_OPT("no-default-route", 0, CLI_FLAG, &nodefroute,
                    "No default route through the network"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "network attach-netns",
                            "[OPTIONS] NET NETNS_PATH ID",
                            "Internal: attach a network namespace by path", opts, CLI_EXACTLY(3));
        for (size_t i = 0; i < publish.n; i++)
                if (port_spec_parse(publish.v[i], &ports, &nports, &err) < 0) {
                        error_msg("%s", err.msg);
                        return EXIT_BERTH;
                }
        bool defroute = !nodefroute;
        _cleanup_close_ int fd = open(argv[first + 1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                error_msg("cannot open %s: %s", argv[first + 1], strerror(errno));
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
            .container_id = argv[first + 2],
            .container_name = argv[first + 2],
            .ifname = ifname,
            .ip = ip,
            .default_route = defroute,
            .netns_fd = fd,
            .ports = ports,
            .nports = nports,
        };
        struct network_endpoint ep;
        if (network_connect(argv[first], &r, &ep, &err) < 0) {
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
        CLI_PARSE_OR_RETURN(first, argc, argv, "network detach-netns", "NET ID",
                            "Internal: undo attach-netns", NULL, CLI_EXACTLY(2));
        err_t err;
        if (network_endpoint_down(argv[first], argv[first + 1], false, true, &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}

/* no summary: internal (left out of help and man pages) */
static const struct command network_commands[] = {
    {"connect", net_connect, "Connect a container to a network"},
    {"create", net_create, "Create a network"},
    {"disconnect", net_disconnect, "Disconnect a container from a network"},
    {"inspect", net_inspect, "Display detailed information on one or more networks"},
    {"ls", net_ls, "List networks"},
    {"prune", net_prune, "Remove all unused networks"},
    {"rm", net_rm, "Remove one or more networks"},
    {"attach-netns", net_attach_netns, NULL},
    {"detach-netns", net_detach_netns, NULL},
};

const struct cmd_group cmd_network_group = {
    "network",
    "Manage networks",
    network_commands,
    ARRAY_SIZE(network_commands),
    "Internal (for tests, not a stable interface):\n"
    "  attach-netns   Attach a network namespace by path: "
    "attach-netns [--ip IP] [--ifname IF] [-p SPEC] NET NETNS_PATH ID\n"
    "  detach-netns   Undo attach-netns: detach-netns NET ID\n",
    EXIT_BERTH,
    0};
