#include "nft.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ipam.h"
#include "paths.h"
#include "strbuf.h"

/* Run a batch (one transaction).  On failure err gets the first line of
 * libnftables' error text and err->code is EEXIST / ENOENT / EPERM when the
 * text says so (EIO otherwise). */
static int nft_run(const char *cmds, err_t *err)
{
        if (nft_lib_load(err) < 0)
                return -1;
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        int rc;

        if (!ctx)
                return err_set(err, ENOMEM, "cannot create an nftables context");
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        rc = nft_run_cmd_from_buffer(ctx, cmds);
        if (rc != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);
                int code = EIO;
                if (e && strstr(e, "File exists"))
                        code = EEXIST;
                else if (e && strstr(e, "No such file or directory"))
                        code = ENOENT;
                else if (e && strstr(e, "Operation not permitted"))
                        code = EPERM;
                /* libnftables prefixes messages with the input location. */
                const char *msg = e ? strstr(e, "Error: ") : NULL;
                msg = msg ? msg + 7 : e ? e : "unknown error";
                const char *nl = strchr(msg, '\n');
                err_set(err, code, "nftables: %.*s", nl ? (int)(nl - msg) : (int)strlen(msg), msg);
        }
        nft_ctx_free(ctx);
        return rc == 0 ? 0 : -1;
}

static const char *table(void)
{
        return berth_instance_name();
}

static void base_ruleset(strbuf_t *sb)
{
        const char *t = table();

        sb_appendf(sb, "create table ip %s\n", t);
        sb_appendf(sb, "add set ip %s bridges { type ifname; }\n", t);
        sb_appendf(sb, "add map ip %s pub { type inet_proto . inet_service : verdict; }\n", t);
        sb_appendf(sb, "add map ip %s fwd_in { type ifname : verdict; }\n", t);
        sb_appendf(sb, "add map ip %s fwd_out { type ifname : verdict; }\n", t);
        sb_appendf(sb, "add map ip %s masq { type ifname : verdict; }\n", t);
        sb_appendf(sb,
                   "add chain ip %s prerouting { type nat hook prerouting priority dstnat; "
                   "policy accept; }\n",
                   t);
        sb_appendf(sb,
                   "add chain ip %s output { type nat hook output priority -100; "
                   "policy accept; }\n",
                   t);
        sb_appendf(sb,
                   "add chain ip %s postrouting { type nat hook postrouting priority srcnat; "
                   "policy accept; }\n",
                   t);
        sb_appendf(sb,
                   "add rule ip %s prerouting fib daddr type local meta l4proto . th dport "
                   "vmap @pub\n",
                   t);
        sb_appendf(sb,
                   "add rule ip %s output fib daddr type local meta l4proto . th dport "
                   "vmap @pub\n",
                   t);
        sb_appendf(
            sb, "add rule ip %s postrouting oifname @bridges ip saddr 127.0.0.0/8 masquerade\n", t);
        sb_appendf(sb, "add rule ip %s postrouting iifname vmap @masq\n", t);
}

/* The filter chains, written whole (flushed first) with every network added,
 * so a table made by an older berth gets them too and the forward policy
 * follows the instance's current forwarding record.
 *
 * input: a bridge has route_localnet=1 (for publishing on 127.0.0.1), which
 * also lets a container send to the host's 127.0.0.0/8 through its gateway
 * (CVE-2020-8558): such packets are dropped unless they belong to a DNAT'ed
 * connection (the replies of a published 127.0.0.1 port); so are those
 * conntrack has no entry for.
 *
 * forward: when berth itself turned net.ipv4.ip_forward on (drop_foreign),
 * the host did not route before, so forwarded packets that neither enter nor
 * leave a bridge are dropped, as Docker's FORWARD policy drop does.  Bridges
 * of other tools and other berth instances are left alone. */
static void filter_ruleset(strbuf_t *sb, bool drop_foreign)
{
        const char *t = table();

        sb_appendf(sb,
                   "add chain ip %s input { type filter hook input priority filter; "
                   "policy accept; }\nflush chain ip %s input\n",
                   t, t);
        /* Two rules, not "ct status & dnat != dnat drop": a packet without
         * a conntrack entry (invalid, untracked) matches no ct status and
         * would pass. */
        sb_appendf(sb,
                   "add rule ip %s input iifname @bridges ip daddr 127.0.0.0/8 "
                   "ct status dnat accept\n",
                   t);
        sb_appendf(sb, "add rule ip %s input iifname @bridges ip daddr 127.0.0.0/8 drop\n", t);
        sb_appendf(sb,
                   "add chain ip %s forward { type filter hook forward priority filter; "
                   "policy accept; }\nflush chain ip %s forward\n",
                   t, t);
        sb_appendf(sb, "add rule ip %s forward ct state established,related accept\n", t);
        sb_appendf(sb, "add rule ip %s forward ct status dnat accept\n", t);
        sb_appendf(sb, "add rule ip %s forward iifname vmap @fwd_in\n", t);
        sb_appendf(sb, "add rule ip %s forward oifname vmap @fwd_out\n", t);
        if (drop_foreign) {
                sb_appendf(sb, "add rule ip %s forward meta iifkind \"bridge\" accept\n", t);
                sb_appendf(sb, "add rule ip %s forward meta oifkind \"bridge\" accept\n", t);
                sb_appendf(sb, "add rule ip %s forward drop\n", t);
        }
}

static void network_ruleset(strbuf_t *sb, const struct nft_net *n)
{
        const char *t = table();
        const char *b = n->bridge;
        const char *id = n->id;

        sb_appendf(sb, "add chain ip %s n-%.12s-in\nflush chain ip %s n-%.12s-in\n", t, id, t, id);
        sb_appendf(sb, "add rule ip %s n-%.12s-in oifname \"%s\" accept\n", t, id, b);
        sb_appendf(sb, "add rule ip %s n-%.12s-in oifname @bridges drop\n", t, id);
        if (n->internal)
                sb_appendf(sb, "add rule ip %s n-%.12s-in drop\n", t, id);
        sb_appendf(sb, "add chain ip %s n-%.12s-out\nflush chain ip %s n-%.12s-out\n", t, id, t,
                   id);
        sb_appendf(sb, "add rule ip %s n-%.12s-out iifname \"%s\" accept\n", t, id, b);
        sb_appendf(sb, "add rule ip %s n-%.12s-out drop\n", t, id);
        sb_appendf(sb, "add element ip %s bridges { \"%s\" }\n", t, b);
        sb_appendf(sb, "add element ip %s fwd_in { \"%s\" : jump n-%.12s-in }\n", t, b, id);
        sb_appendf(sb, "add element ip %s fwd_out { \"%s\" : jump n-%.12s-out }\n", t, b, id);
        if (!n->internal) {
                sb_appendf(sb, "add chain ip %s n-%.12s-masq\nflush chain ip %s n-%.12s-masq\n", t,
                           id, t, id);
                sb_appendf(sb, "add rule ip %s n-%.12s-masq oifname != \"%s\" masquerade\n", t, id,
                           b);
                sb_appendf(sb, "add element ip %s masq { \"%s\" : jump n-%.12s-masq }\n", t, b, id);
        }
}

int nft_network_add(const struct nft_net *n, err_t *err)
{
        strbuf_t sb = STRBUF_INIT;
        int r;

        base_ruleset(&sb);
        filter_ruleset(&sb, n->drop_foreign);
        network_ruleset(&sb, n);
        r = nft_run(sb_str(&sb), err);
        if (r < 0 && err && err->code == EEXIST) {
                /* The table exists (it is only ever created complete, in one
                 * transaction): add just this network. */
                sb_reset(&sb);
                filter_ruleset(&sb, n->drop_foreign);
                network_ruleset(&sb, n);
                r = nft_run(sb_str(&sb), err);
        }
        sb_free(&sb);
        if (r < 0)
                return err_wrap(err, "network %.12s: cannot add firewall rules", n->id);
        return 0;
}

/* Run each line on its own, treating ENOENT as done: removal must finish
 * even when an earlier, interrupted removal already took part of it. */
static int run_each(const char *cmds, err_t *err)
{
        if (nft_run(cmds, err) == 0)
                return 0;
        const char *p = cmds;
        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                char line[512];
                if (len >= sizeof(line))
                        return err_set(err, E2BIG, "nftables command too long");
                memcpy(line, p, len);
                line[len] = '\0';
                if (len && nft_run(line, err) < 0 && err->code != ENOENT)
                        return -1;
                p += len + (nl ? 1 : 0);
        }
        err_clear(err);
        return 0;
}

int nft_network_remove(const struct nft_net *n, err_t *err)
{
        const char *t = table(), *b = n->bridge, *id = n->id;
        strbuf_t sb = STRBUF_INIT;
        int r;

        sb_appendf(&sb, "delete element ip %s fwd_in { \"%s\" }\n", t, b);
        sb_appendf(&sb, "delete element ip %s fwd_out { \"%s\" }\n", t, b);
        if (!n->internal)
                sb_appendf(&sb, "delete element ip %s masq { \"%s\" }\n", t, b);
        sb_appendf(&sb, "delete element ip %s bridges { \"%s\" }\n", t, b);
        sb_appendf(&sb, "delete chain ip %s n-%.12s-in\n", t, id);
        sb_appendf(&sb, "delete chain ip %s n-%.12s-out\n", t, id);
        if (!n->internal)
                sb_appendf(&sb, "delete chain ip %s n-%.12s-masq\n", t, id);
        r = run_each(sb_str(&sb), err);
        sb_free(&sb);
        if (r < 0)
                return err_wrap(err, "network %.12s: cannot remove firewall rules", n->id);
        return 0;
}

/* Whether m[i] is the first of the maps with its protocol and host port: one
 * port may be published on two host addresses, and each key is one element
 * of the pub map. */
static bool first_key(const struct port_map *m, size_t i)
{
        for (size_t k = 0; k < i; k++)
                if (m[k].proto == m[i].proto && m[k].host_port == m[i].host_port)
                        return false;
        return true;
}

int nft_ports_add(const char *container_id, uint32_t ip, const struct port_map *m, size_t n,
                  err_t *err)
{
        const char *t = table();
        strbuf_t sb = STRBUF_INIT;
        char ipbuf[IPV4_STRLEN], hbuf[IPV4_STRLEN];
        int r;

        if (n == 0)
                return 0;
        ipv4_format(ip, ipbuf);
        sb_appendf(&sb, "add chain ip %s c-%.12s\nflush chain ip %s c-%.12s\n", t, container_id, t,
                   container_id);
        for (size_t i = 0; i < n; i++) {
                const char *proto = port_proto_name(m[i].proto);
                sb_appendf(&sb, "add rule ip %s c-%.12s ", t, container_id);
                if (m[i].host_ip) {
                        ipv4_format(m[i].host_ip, hbuf);
                        sb_appendf(&sb, "ip daddr %s ", hbuf);
                }
                sb_appendf(&sb, "%s dport %u dnat ip to %s:%u\n", proto, m[i].host_port, ipbuf,
                           m[i].container_port);
        }
        /* Elements last: one port may appear twice (two host addresses), and
         * each key is one element. */
        for (size_t i = 0; i < n; i++) {
                if (first_key(m, i))
                        sb_appendf(&sb, "add element ip %s pub { %s . %u : jump c-%.12s }\n", t,
                                   port_proto_name(m[i].proto), m[i].host_port, container_id);
        }
        r = nft_run(sb_str(&sb), err);
        sb_free(&sb);
        if (r < 0 && err->code == EEXIST)
                return err_set(err, EADDRINUSE,
                               "cannot publish ports of container %.12s: a host port is already "
                               "published by another container",
                               container_id);
        if (r < 0)
                return err_wrap(err, "container %.12s: cannot publish ports", container_id);
        return 0;
}

int nft_ports_remove(const char *container_id, const struct port_map *m, size_t n, err_t *err)
{
        const char *t = table();
        strbuf_t sb = STRBUF_INIT;
        int r;

        if (n == 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                if (first_key(m, i))
                        sb_appendf(&sb, "delete element ip %s pub { %s . %u }\n", t,
                                   port_proto_name(m[i].proto), m[i].host_port);
        }
        sb_appendf(&sb, "delete chain ip %s c-%.12s\n", t, container_id);
        r = run_each(sb_str(&sb), err);
        sb_free(&sb);
        if (r < 0)
                return err_wrap(err, "container %.12s: cannot unpublish ports", container_id);
        return 0;
}

int nft_other_instances(bool *any, err_t *err)
{
        *any = false;
        if (nft_lib_load(err) < 0)
                return -1;
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        const char *self = table();
        int rc;

        *any = false;
        if (!ctx)
                return err_set(err, ENOMEM, "cannot create an nftables context");
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        rc = nft_run_cmd_from_buffer(ctx, "list tables ip\n");
        if (rc != 0) {
                nft_ctx_free(ctx);
                return err_set(err, EIO, "nftables: cannot list tables");
        }
        /* lines "table ip NAME" */
        for (const char *p = nft_ctx_get_output_buffer(ctx); p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                const char *name = len > 9 && !strncmp(p, "table ip ", 9) ? p + 9 : NULL;
                size_t nlen = name ? len - 9 : 0;
                if (name && (nlen != strlen(self) || strncmp(name, self, nlen)) &&
                    ((nlen == 5 && !strncmp(name, "berth", 5)) ||
                     (nlen > 6 && !strncmp(name, "berth-", 6))))
                        *any = true;
                p += len + (nl ? 1 : 0);
        }
        nft_ctx_free(ctx);
        return 0;
}

int nft_table_delete(err_t *err)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "delete table ip %s\n", table());
        if (nft_run(cmd, err) < 0 && err->code != ENOENT)
                return err_wrap(err, "cannot delete nftables table %s", table());
        err_clear(err);
        return 0;
}
