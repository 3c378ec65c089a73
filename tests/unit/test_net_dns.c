/* Unit tests for the DNS server's message code, zone tables and responder,
 * and the CLI-side records API (no sockets, no root). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "net/dns.h"
#include "net/dns_wire.h"
#include "net/dns_zone.h"
#include "tap.h"

static size_t put_name(uint8_t *b, const char *name)
{
        int n = dns_name_write(name, b, 300);
        return n < 0 ? 0 : (size_t)n;
}

/* A query for name/type with optional EDNS. */
static size_t mkq(uint8_t *b, uint16_t id, const char *name, uint16_t type, bool edns)
{
        memset(b, 0, DNS_HDR_LEN);
        dns_put16(b, id);
        dns_put16(b + 2, DNS_F_RD);
        dns_put16(b + 4, 1);
        size_t n = DNS_HDR_LEN + put_name(b + DNS_HDR_LEN, name);
        dns_put16(b + n, type);
        dns_put16(b + n + 2, DNS_C_IN);
        n += 4;
        if (edns) {
                dns_put16(b + 10, 1);
                uint8_t opt[11] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
                memcpy(b + n, opt, sizeof(opt));
                n += sizeof(opt);
        }
        return n;
}

typedef struct ans {
        int rcode, n, tc, aa;
        char rr[128][300]; /* "A 1.2.3.4", "AAAA ...", "PTR name" */
        bool opt;
} ans_t;

/* Parse an answer with the module's own name reader (compression included). */
static int parse(const uint8_t *b, size_t len, ans_t *a)
{
        memset(a, 0, sizeof(*a));
        if (len < DNS_HDR_LEN)
                return -1;
        a->rcode = b[3] & 0xF;
        a->tc = !!(b[2] & 0x02);
        a->aa = !!(b[2] & 0x04);
        size_t off = DNS_HDR_LEN;
        char name[DNS_NAME_MAX + 1];
        for (int i = 0; i < dns_get16(b + 4); i++) {
                if (dns_name_read(b, len, &off, name, NULL) < 0)
                        return -1;
                off += 4;
        }
        int an = dns_get16(b + 6), ar = dns_get16(b + 10);
        if (an > 128)
                return -1;
        for (int i = 0; i < an + ar; i++) {
                if (dns_name_read(b, len, &off, name, NULL) < 0 || off + 10 > len)
                        return -1;
                uint16_t type = dns_get16(b + off), rdlen = dns_get16(b + off + 8);
                off += 10;
                if (off + rdlen > len)
                        return -1;
                if (i >= an) {
                        a->opt = a->opt || type == DNS_T_OPT;
                        off += rdlen;
                        continue;
                }
                char txt[DNS_NAME_MAX + 1];
                if (type == DNS_T_A)
                        snprintf(a->rr[a->n], 300, "A %s", inet_ntop(AF_INET, b + off, txt, 64));
                else if (type == DNS_T_AAAA)
                        snprintf(a->rr[a->n], 300, "AAAA %s",
                                 inet_ntop(AF_INET6, b + off, txt, 64));
                else if (type == DNS_T_PTR) {
                        size_t o = off;
                        dns_name_read(b, len, &o, txt, NULL);
                        snprintf(a->rr[a->n], 300, "PTR %s", txt);
                }
                a->n++;
                off += rdlen;
        }
        return 0;
}

static void test_names(void)
{
        uint8_t p[600];
        char out[DNS_NAME_MAX + 1];
        bool odd;
        size_t off;

        /* www.example.com at 12, then "mail" + pointer to example.com */
        memset(p, 0, sizeof(p));
        size_t n = DNS_HDR_LEN + put_name(p + DNS_HDR_LEN, "www.example.com");
        size_t second = n;
        p[n++] = 4;
        memcpy(p + n, "MAIL", 4);
        n += 4;
        p[n++] = 0xC0;
        p[n++] = DNS_HDR_LEN + 4; /* "example.com" */
        off = DNS_HDR_LEN;
        is_int(dns_name_read(p, n, &off, out, &odd), 15, "plain name length");
        is_str(out, "www.example.com", "plain name text");
        off = second;
        is_int(dns_name_read(p, n, &off, out, &odd), 16, "compressed name length");
        is_str(out, "MAIL.example.com", "compressed name keeps case, follows pointer");
        is_int(off, n, "offset ends after the pointer");

        /* pointer to itself, forward pointer, and a two-pointer cycle */
        uint8_t loop[16] = {0};
        loop[12] = 0xC0;
        loop[13] = 12;
        off = 12;
        is_int(dns_name_read(loop, 14, &off, out, &odd), DNS_E_LOOP, "self pointer rejected");
        loop[13] = 14;
        loop[14] = 0;
        off = 12;
        is_int(dns_name_read(loop, 15, &off, out, &odd), DNS_E_LOOP, "forward pointer rejected");
        uint8_t cyc[20] = {0};
        cyc[12] = 1;
        cyc[13] = 'a';
        cyc[14] = 0xC0;
        cyc[15] = 12; /* a -> a -> ... via backwards pointer to its own start */
        off = 14;
        is_int(dns_name_read(cyc, 16, &off, out, &odd), DNS_E_LOOP, "pointer cycle rejected");

        /* label too long, name too long, reserved label type, truncation */
        uint8_t big[400] = {0};
        big[12] = 64;
        off = 12;
        is_int(dns_name_read(big, sizeof(big), &off, out, &odd), DNS_E_LABEL, "64-byte label");
        memset(big, 0, sizeof(big));
        size_t o = 12;
        for (int i = 0; i < 5; i++) { /* 5 * 64 = 320 > 255 */
                big[o] = 63;
                memset(big + o + 1, 'x', 63);
                o += 64;
        }
        big[o] = 0;
        off = 12;
        is_int(dns_name_read(big, sizeof(big), &off, out, &odd), DNS_E_NAMELEN, "name > 255");
        uint8_t rsv[14] = {0};
        rsv[12] = 0x40;
        off = 12;
        is_int(dns_name_read(rsv, 14, &off, out, &odd), DNS_E_LABEL, "reserved label type");
        off = DNS_HDR_LEN;
        is_int(dns_name_read(p, DNS_HDR_LEN + 5, &off, out, &odd), DNS_E_TRUNC, "truncated label");
        off = second;
        is_int(dns_name_read(p, n - 1, &off, out, &odd), DNS_E_TRUNC, "truncated pointer");
        uint8_t dot[20] = {0};
        dot[12] = 3;
        memcpy(dot + 13, "a.b", 3);
        off = 12;
        ok(dns_name_read(dot, 17, &off, out, &odd) == 3 && odd, "dot inside a label is odd");

        uint8_t w[300];
        ok(dns_name_write("a..b", w, sizeof(w)) < 0, "empty label not written");
        char l64[80];
        memset(l64, 'y', 64);
        l64[64] = 0;
        ok(dns_name_write(l64, w, sizeof(w)) < 0, "64-byte label not written");
        is_int(dns_name_write("web.", w, sizeof(w)), 5, "trailing dot accepted");
        is_int(dns_name_write("", w, sizeof(w)), 1, "root name");
}

static void test_parse(void)
{
        uint8_t p[600];
        dns_query_t q;
        size_t n = mkq(p, 7, "Web", DNS_T_A, true);
        is_int(dns_query_parse(p, n, &q), 0, "query parses");
        ok(q.id == 7 && q.qtype == DNS_T_A && !strcmp(q.qname, "Web") && q.edns &&
               q.edns_size == 1232,
           "query fields and EDNS size");
        is_int(dns_query_parse(p, 11, &q), DNS_E_HEADER, "short packet: no header");
        p[2] |= 0x80;
        is_int(dns_query_parse(p, n, &q), DNS_E_HEADER, "response is not a query");
        p[2] &= 0x7F;
        dns_put16(p + 4, 2);
        is_int(dns_query_parse(p, n, &q), DNS_E_COUNT, "two questions");
        dns_put16(p + 4, 0);
        is_int(dns_query_parse(p, n, &q), DNS_E_COUNT, "no question");
        dns_put16(p + 4, 1);
        is_int(dns_query_parse(p, DNS_HDR_LEN + 5, &q), DNS_E_TRUNC, "truncated question");
        is_int(dns_query_parse(p, n - 13, &q), DNS_E_TRUNC, "question without type/class");
        /* damaged OPT tail still answers (without EDNS) */
        is_int(dns_query_parse(p, n - 3, &q), 0, "broken additional section tolerated");
        ok(!q.edns, "broken OPT ignored");
}

static const char *records_json =
    "{\"networks\": {"
    " \"n1\": {\"name\": \"proj_default\", \"gateway\": \"10.232.1.1\", \"internal\": false,"
    "  \"endpoints\": ["
    "   {\"container\": \"c1\", \"ipv4\": \"10.232.1.2\", \"ipv6\": null,"
    "    \"names\": [\"proj-web-1\", \"web\", \"Alias1\", \"aaaaaaaaaaaa\"]},"
    "   {\"container\": \"c2\", \"ipv4\": \"10.232.1.3\", \"ipv6\": \"fd00::3\","
    "    \"names\": [\"proj-web-2\", \"web\"]},"
    "   {\"container\": \"c4\", \"ipv4\": \"10.232.1.4\", \"names\": [\"proj-db-1\", \"db\"]}]},"
    " \"n2\": {\"name\": \"back\", \"gateway\": \"10.232.2.1\", \"internal\": true,"
    "  \"endpoints\": ["
    "   {\"container\": \"c4\", \"ipv4\": \"10.232.2.4\", \"names\": [\"proj-db-1\", \"db\"]},"
    "   {\"container\": \"c5\", \"ipv4\": \"10.232.2.5\", \"names\": [\"secret\"]}]}},"
    " \"forward\": {\"enabled\": true, \"servers\": [\"127.0.0.1:5353\"], \"timeout_ms\": 500},"
    " \"search\": [\"corp.example\"]}";

static dns_addr_t A4(const char *s)
{
        dns_addr_t a;
        memset(&a, 0, sizeof(a));
        a.family = AF_INET;
        inet_pton(AF_INET, s, a.a);
        return a;
}

static dns_action_t ask(dns_zone_t *z, const char *from, const char *name, uint16_t type, ans_t *a)
{
        uint8_t q[600], out[DNS_TCP_MAX];
        size_t n = mkq(q, 99, name, type, false), olen = 0;
        dns_addr_t c = A4(from);
        dns_action_t act = dns_zone_respond(z, &c, q, n, false, out, sizeof(out), &olen);
        memset(a, 0, sizeof(*a));
        a->rcode = -1;
        if (act == DNS_ACT_REPLY && parse(out, olen, a) < 0)
                a->rcode = -2;
        return act;
}

static bool has(const ans_t *a, const char *rr)
{
        for (int i = 0; i < a->n; i++)
                if (!strcmp(a->rr[i], rr))
                        return true;
        return false;
}

static void test_zone(void)
{
        json_error_t je;
        _cleanup_json_ json_t *j = json_loads(records_json, 0, &je);
        dns_zone_t *z = NULL;
        err_t err;
        ans_t a;

        ok(j != NULL, "records JSON parses");
        is_int(dns_zone_build(j, &z, &err), 0, "zone builds");
        is_int(dns_zone_network_count(z), 2, "two networks");
        dns_addr_t g;
        ok(dns_zone_gateway(z, 0, &g) && g.a[0] == 10 && g.a[3] == 1, "gateway of n1");
        is_int(dns_zone_upstream_count(z), 1, "one upstream");

        ask(z, "10.232.1.2", "proj-web-2", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 1 && has(&a, "A 10.232.1.3") && a.aa, "A by container name");
        ask(z, "10.232.1.3", "ALIAS1.", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 1 && has(&a, "A 10.232.1.2"), "alias, any case, trailing dot");
        ask(z, "10.232.1.3", "aaaaaaaaaaaa", DNS_T_A, &a);
        ok(a.rcode == 0 && has(&a, "A 10.232.1.2"), "short id");
        ask(z, "10.232.1.2", "web", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 2 && has(&a, "A 10.232.1.2") && has(&a, "A 10.232.1.3"),
           "service name: every replica");
        ask(z, "10.232.1.2", "proj-web-1", DNS_T_AAAA, &a);
        ok(a.rcode == 0 && a.n == 0, "AAAA of a v4-only name: empty NOERROR");
        ask(z, "10.232.1.2", "proj-web-2", DNS_T_AAAA, &a);
        ok(a.rcode == 0 && a.n == 1 && has(&a, "AAAA fd00::3"), "AAAA");
        ask(z, "10.232.1.2", "web", 15 /* MX */, &a);
        ok(a.rcode == 0 && a.n == 0, "other type of a known name: empty NOERROR");
        ask(z, "10.232.1.2", "web.proj_default", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 2, "name.network form");
        ask(z, "10.232.1.2", "web.corp.example", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 2, "search suffix stripped");

        /* scoping: c1 is only on n1; c4 is on both; c5 only on internal n2 */
        is_int(ask(z, "10.232.1.2", "secret", DNS_T_A, &a), DNS_ACT_FORWARD,
               "name on another network is not local to c1 (forwarded: forwarding on)");
        ask(z, "10.232.2.5", "web", DNS_T_A, &a);
        is_int(a.rcode, DNS_R_NXDOMAIN, "internal-only asker: NXDOMAIN, never forwarded");
        ask(z, "10.232.2.5", "db", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 1 && has(&a, "A 10.232.2.4"),
           "only the shared network's address");
        ask(z, "10.232.1.4", "secret", DNS_T_A, &a);
        ok(a.rcode == 0 && has(&a, "A 10.232.2.5"),
           "container on two networks sees both (v4 of n1)");
        ask(z, "10.232.2.4", "web", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 2, "same container asking from its other address");
        ask(z, "10.232.9.9", "web", DNS_T_A, &a);
        is_int(a.rcode, DNS_R_REFUSED, "unknown asker refused");
        ask(z, "10.232.1.2", "db", DNS_T_A, &a);
        ok(a.rcode == 0 && a.n == 1 && has(&a, "A 10.232.1.4"), "db seen on n1 only from c1");

        /* round robin */
        char first[3][300];
        for (int i = 0; i < 3; i++) {
                ask(z, "10.232.1.2", "web", DNS_T_A, &a);
                snprintf(first[i], sizeof(first[i]), "%s", a.rr[0]);
        }
        ok(strcmp(first[0], first[1]) != 0 && strcmp(first[0], first[2]) == 0,
           "round robin rotates the first answer");

        /* PTR */
        ask(z, "10.232.1.3", "2.1.232.10.in-addr.arpa", DNS_T_PTR, &a);
        ok(a.rcode == 0 && a.n == 1 && has(&a, "PTR proj-web-1"), "PTR of an endpoint");
        ask(z, "10.232.1.3",
            "3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", DNS_T_PTR,
            &a);
        ok(a.rcode == 0 && a.n == 1 && has(&a, "PTR proj-web-2"), "PTR ip6.arpa");
        is_int(ask(z, "10.232.1.2", "5.2.232.10.in-addr.arpa", DNS_T_PTR, &a), DNS_ACT_FORWARD,
               "PTR of an address on another network is not answered locally");
        ask(z, "10.232.2.5", "4.1.232.10.in-addr.arpa", DNS_T_PTR, &a);
        is_int(a.rcode, DNS_R_NXDOMAIN, "PTR scoped too");
        ask(z, "10.232.2.5", "300.1.232.10.in-addr.arpa", DNS_T_PTR, &a);
        is_int(a.rcode, DNS_R_NXDOMAIN, "bad reverse name");

        /* malformed / odd queries */
        uint8_t q[600], out[DNS_TCP_MAX];
        size_t olen;
        dns_addr_t c1 = A4("10.232.1.2");
        size_t n = mkq(q, 5, "web", DNS_T_A, false);
        is_int(dns_zone_respond(z, &c1, q, 5, false, out, sizeof(out), &olen), DNS_ACT_DROP,
               "no header: dropped");
        is_int(dns_zone_respond(z, &c1, q, n - 3, false, out, sizeof(out), &olen), DNS_ACT_REPLY,
               "truncated question answered");
        ok(parse(out, olen, &a) == 0 && a.rcode == DNS_R_FORMERR && dns_get16(out) == 5,
           "FORMERR with the query's id");
        q[2] |= 0x10; /* opcode 2 (STATUS) */
        dns_zone_respond(z, &c1, q, n, false, out, sizeof(out), &olen);
        ok(parse(out, olen, &a) == 0 && a.rcode == DNS_R_NOTIMP, "NOTIMP for other opcodes");
        /* the question goes back byte for byte: case, and a '.' inside a label */
        n = mkq(q, 8, "WeB", DNS_T_A, false);
        dns_zone_respond(z, &c1, q, n, false, out, sizeof(out), &olen);
        ok(olen > n && !memcmp(out + DNS_HDR_LEN, q + DNS_HDR_LEN, n - DNS_HDR_LEN),
           "question echoed with its case");
        n = mkq(q, 9, "ab.c", DNS_T_A, false);
        q[DNS_HDR_LEN + 2] = '.'; /* first label "ab" becomes "a." */
        dns_addr_t c5 = A4("10.232.2.5");
        dns_zone_respond(z, &c5, q, n, false, out, sizeof(out), &olen);
        ok(parse(out, olen, &a) == 0 && a.rcode == DNS_R_NXDOMAIN &&
               !memcmp(out + DNS_HDR_LEN, q + DNS_HDR_LEN, n - DNS_HDR_LEN),
           "odd label: NXDOMAIN, question echoed unchanged");
        n = mkq(q, 6, "web", DNS_T_A, true);
        dns_zone_respond(z, &c1, q, n, false, out, sizeof(out), &olen);
        ok(parse(out, olen, &a) == 0 && a.rcode == 0 && a.opt && a.n == 2,
           "EDNS answered with OPT");
        dns_zone_free(z);
}

static void test_truncation(void)
{
        /* 100 replicas of one name: more than 512 bytes of A records. */
        json_t *eps = json_array();
        for (int i = 0; i < 100; i++) {
                char ip[32];
                snprintf(ip, sizeof(ip), "10.232.3.%d", i + 2);
                json_array_append_new(eps, json_pack("{s:s, s:s, s:[s]}", "container", ip, "ipv4",
                                                     ip, "names", "many"));
        }
        _cleanup_json_ json_t *j = json_pack("{s:{s:{s:s, s:s, s:o}}}", "networks", "n", "name",
                                             "n", "gateway", "10.232.3.1", "endpoints", eps);
        dns_zone_t *z = NULL;
        err_t err;
        is_int(dns_zone_build(j, &z, &err), 0, "100-replica zone");
        uint8_t q[600], out[DNS_TCP_MAX];
        size_t olen, n = mkq(q, 1, "many", DNS_T_A, false);
        dns_addr_t c = A4("10.232.3.2");
        ans_t a;
        dns_zone_respond(z, &c, q, n, false, out, sizeof(out), &olen);
        ok(olen <= 512 && parse(out, olen, &a) == 0 && a.tc && a.n > 20 && a.n < 100,
           "UDP answer truncated to 512 bytes with TC (%d records)", a.n);
        dns_zone_respond(z, &c, q, n, true, out, sizeof(out), &olen);
        ok(parse(out, olen, &a) == 0 && !a.tc && a.n == 100, "TCP answer has all 100");
        n = mkq(q, 1, "many", DNS_T_A, true);
        dns_zone_respond(z, &c, q, n, false, out, sizeof(out), &olen);
        ok(olen <= 1232 && parse(out, olen, &a) == 0 && a.opt && a.n > 60,
           "EDNS answer uses up to 1232 bytes and keeps OPT (%d records)", a.n);
        dns_zone_free(z);
}

static void test_bad_records(void)
{
        static const struct {
                const char *json, *want;
        } cases[] = {
            {"[]", "records: expected an object"},
            {"{\"networks\": {\"n\": {\"gateway\": \"300.1.1.1\"}}}",
             "networks.n.gateway: not an IPv4 address"},
            {"{\"networks\": {\"n\": {\"endpoints\": [{\"ipv4\": \"x\"}]}}}",
             "networks.n.endpoints[0]: ipv4: not an IPv4 address"},
            {"{\"networks\": {\"n\": {\"endpoints\": [{\"names\": [\"a..b\"]}]}}}",
             "networks.n.endpoints[0]: names[0]: not a valid DNS name"},
            {"{\"forward\": {\"enabled\": true, \"servers\": [\"nope\"]}}",
             "forward.servers[0]: server \"nope\": not an IP address"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_json_ json_t *j = json_loads(cases[i].json, 0, NULL);
                dns_zone_t *z = NULL;
                err_t err;
                err_clear(&err);
                ok(dns_zone_build(j, &z, &err) < 0 && !z, "bad records %zu rejected", i);
                is_str(err.msg, cases[i].want, "error names the field");
        }
        struct sockaddr_storage ss;
        socklen_t sl;
        err_t err;
        ok(dns_parse_server("[::1]:5353", &ss, &sl, &err) == 0 && ss.ss_family == AF_INET6,
           "[v6]:port");
        ok(dns_parse_server("127.0.0.1:99999", &ss, &sl, &err) < 0, "bad port");
        ok(dns_parse_server("fd00::1", &ss, &sl, &err) == 0, "bare v6");
}

static void test_records_api(void)
{
        char tmpl[] = "/tmp/berth-dns-test.XXXXXX";
        ok(mkdtemp(tmpl) != NULL, "temp root");
        setenv("BERTH_ROOT", tmpl, 1);
        net_dns_records_t *r = NULL;
        err_t err;
        is_int(net_dns_records_open(&r, &err), 0, "open empty records");
        is_int(net_dns_network_add(r, "n1", "proj_default", "10.232.4.1", false, &err), 0,
               "add network");
        ok(net_dns_network_add(r, "bad", "x", "10.232.4", false, &err) < 0 &&
               !json_object_get(json_object_get(net_dns_records_json(r), "networks"), "bad"),
           "bad gateway rejected and not kept");
        const char *names[] = {"proj-web-1", "web", NULL};
        is_int(net_dns_endpoint_add(r, "n1", "c1", "10.232.4.2", NULL, names, &err), 0,
               "add endpoint");
        is_int(net_dns_endpoint_add(r, "n1", "c1", "10.232.4.3", NULL, names, &err), 0,
               "re-add replaces");
        ok(net_dns_endpoint_add(r, "nx", "c1", "10.232.4.3", NULL, names, &err) < 0 &&
               err.code == ENOENT,
           "unknown network");
        const char *bad[] = {"-", "a..b", NULL};
        ok(net_dns_endpoint_add(r, "n1", "c2", "10.232.4.9", NULL, bad, &err) < 0,
           "bad name rejected");
        json_t *eps = json_object_get(
            json_object_get(json_object_get(net_dns_records_json(r), "networks"), "n1"),
            "endpoints");
        is_int(json_array_size(eps), 1, "one endpoint");
        is_str(json_string_value(json_object_get(json_array_get(eps, 0), "ipv4")), "10.232.4.3",
               "replaced address");
        const char *sv[] = {"127.0.0.1:5353", NULL};
        is_int(net_dns_forward_set(r, false, sv, 2000, &err), 0, "forward config");
        net_dns_container_remove(r, "c1");
        is_int(json_array_size(eps), 0, "container removed");
        net_dns_network_remove(r, "n1");
        /* Nothing left: commit writes and starts nothing. */
        is_int(net_dns_records_commit(r, &err), 0, "commit with no network");
        is_int(net_dns_server_pid(&err), 0, "no server running");
        _cleanup_free_ char *path = NULL;
        path = malloc(strlen(tmpl) + 40);
        sprintf(path, "%s/run/dns/records.json", tmpl);
        json_t *j = NULL;
        ok(json_read(path, &j, &err) == 0 &&
               json_object_size(json_object_get(j, "networks")) == 0 &&
               json_is_false(json_object_get(json_object_get(j, "forward"), "enabled")),
           "records file written");
        json_decref(j);
        rm_rf(tmpl, &err);
}

int main(void)
{
        test_names();
        test_parse();
        test_zone();
        test_truncation();
        test_bad_records();
        test_records_api();
        return tap_done();
}
