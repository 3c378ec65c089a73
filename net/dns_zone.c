#include "dns_zone.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "dns_wire.h"
#include "jsonfile.h"
#include "xalloc.h"

/* ---- open-addressing table: byte keys -> dense entry index ---------------- */

typedef struct key {
        uint8_t *k;
        uint16_t len;
        uint32_t hash;
} hkey_t;

typedef struct htab {
        uint32_t *slot; /* entry index + 1, 0 = empty */
        uint32_t mask;
        hkey_t *keys;
        size_t n, cap;
} htab_t;

static uint32_t hash_bytes(const void *k, size_t n)
{
        const uint8_t *p = k;
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++)
                h = (h ^ p[i]) * 16777619u;
        return h ^ (h >> 15);
}

static ssize_t ht_find(const htab_t *t, const void *k, size_t len, uint32_t h)
{
        if (!t->slot)
                return -1;
        for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
                uint32_t s = t->slot[i];
                if (!s)
                        return -1;
                const hkey_t *e = &t->keys[s - 1];
                if (e->hash == h && e->len == len && memcmp(e->k, k, len) == 0)
                        return (ssize_t)(s - 1);
        }
}

static void ht_place(htab_t *t, uint32_t idx)
{
        for (uint32_t i = t->keys[idx].hash & t->mask;; i = (i + 1) & t->mask)
                if (!t->slot[i]) {
                        t->slot[i] = idx + 1;
                        return;
                }
}

/* Find or add; *added tells which.  The load factor stays <= 1/2. */
static size_t ht_insert(htab_t *t, const void *k, size_t len, bool *added)
{
        uint32_t h = hash_bytes(k, len);
        ssize_t f = ht_find(t, k, len, h);
        if (f >= 0) {
                *added = false;
                return (size_t)f;
        }
        if (t->n + 1 > (t->mask + 1) / 2 || !t->slot) {
                uint32_t size = t->slot ? (t->mask + 1) * 2 : 16;
                free(t->slot);
                t->slot = xcalloc(size, sizeof(*t->slot));
                t->mask = size - 1;
                for (uint32_t i = 0; i < t->n; i++)
                        ht_place(t, i);
        }
        if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 16;
                t->keys = xrealloc(t->keys, t->cap * sizeof(*t->keys));
        }
        hkey_t *e = &t->keys[t->n];
        e->k = xmalloc(len ? len : 1);
        memcpy(e->k, k, len);
        e->len = (uint16_t)len;
        e->hash = h;
        ht_place(t, (uint32_t)t->n);
        *added = true;
        return t->n++;
}

static void ht_free(htab_t *t)
{
        for (size_t i = 0; i < t->n; i++)
                free(t->keys[i].k);
        free(t->keys);
        free(t->slot);
}

/* ---- zone ----------------------------------------------------------------- */

typedef struct network {
        char *id, *name;
        bool has_gw;
        dns_addr_t gw;
        bool internal;
} network_t;

typedef struct target {
        uint32_t net;
        bool has4, has6;
        uint8_t a4[4], a6[16];
} target_t;

typedef struct name_val {
        target_t *t;
        uint32_t n, cap;
        uint32_t rr; /* round-robin counter, bumped per query */
} name_val_t;

typedef struct ptr_t {
        uint32_t net;
        const char *name; /* owned, lowercase */
} ptr_t;

typedef struct ptr_val {
        ptr_t *v;
        uint32_t n, cap;
} ptr_val_t;

typedef struct client_val {
        uint64_t *bits; /* networks the client shares with targets */
        bool can_forward;
} client_val_t;

struct dns_zone {
        network_t *nets;
        size_t nnets, words;

        htab_t names;
        name_val_t *name_vals;
        size_t name_vals_cap;

        htab_t clients; /* key: dns_addr_t */
        client_val_t *client_vals;
        size_t client_vals_cap;

        htab_t ptrs; /* key: dns_addr_t */
        ptr_val_t *ptr_vals;
        size_t ptr_vals_cap;

        char **search; /* lowercase suffixes, NULL-terminated */
        size_t nsearch;

        bool forward;
        struct sockaddr_storage *up;
        socklen_t *uplen;
        size_t nup;
        unsigned timeout_ms;
};

static void grow(void **arr, size_t *cap, size_t need, size_t elem)
{
        if (need <= *cap)
                return;
        size_t c = *cap ? *cap : 16;
        while (c < need)
                c *= 2;
        *arr = xrealloc(*arr, c * elem);
        memset((char *)*arr + *cap * elem, 0, (c - *cap) * elem);
        *cap = c;
}

void dns_zone_free(dns_zone_t *z)
{
        if (!z)
                return;
        for (size_t i = 0; i < z->nnets; i++) {
                free(z->nets[i].id);
                free(z->nets[i].name);
        }
        free(z->nets);
        for (size_t i = 0; i < z->names.n; i++)
                free(z->name_vals[i].t);
        free(z->name_vals);
        ht_free(&z->names);
        for (size_t i = 0; i < z->clients.n; i++)
                free(z->client_vals[i].bits);
        free(z->client_vals);
        ht_free(&z->clients);
        for (size_t i = 0; i < z->ptrs.n; i++) {
                for (size_t j = 0; j < z->ptr_vals[i].n; j++)
                        free((char *)z->ptr_vals[i].v[j].name);
                free(z->ptr_vals[i].v);
        }
        free(z->ptr_vals);
        ht_free(&z->ptrs);
        for (size_t i = 0; i < z->nsearch; i++)
                free(z->search[i]);
        free(z->search);
        free(z->up);
        free(z->uplen);
        free(z);
}

static void lower_copy(char *dst, const char *src, size_t n)
{
        for (size_t i = 0; i < n; i++)
                dst[i] = (char)tolower((unsigned char)src[i]);
        dst[n] = '\0';
}

/* A record name: 1..253 chars, labels 1..63, no control bytes. */
static bool valid_name(const char *s)
{
        size_t n = strlen(s), lab = 0;
        if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c <= ' ' || c == 0x7f)
                        return false;
                if (c == '.') {
                        if (lab == 0)
                                return false;
                        lab = 0;
                } else if (++lab > DNS_LABEL_MAX) {
                        return false;
                }
        }
        return true;
}

static void add_name_target(dns_zone_t *z, const char *name, const target_t *t)
{
        char low[256];
        size_t n = strlen(name);
        lower_copy(low, name, n);
        bool added;
        size_t idx = ht_insert(&z->names, low, n, &added);
        grow((void **)&z->name_vals, &z->name_vals_cap, idx + 1, sizeof(name_val_t));
        name_val_t *v = &z->name_vals[idx];
        for (uint32_t i = 0; i < v->n; i++) /* the same endpoint listing a name twice */
                if (!memcmp(&v->t[i], t, sizeof(*t)))
                        return;
        if (v->n == v->cap) {
                v->cap = v->cap ? v->cap * 2 : 2;
                v->t = xrealloc(v->t, v->cap * sizeof(*v->t));
        }
        v->t[v->n++] = *t;
}

static size_t addr_index(htab_t *t, const dns_addr_t *a, bool *added)
{
        return ht_insert(t, a, sizeof(*a), added);
}

static void add_ptr(dns_zone_t *z, const dns_addr_t *a, uint32_t net, const char *name)
{
        bool added;
        size_t idx = addr_index(&z->ptrs, a, &added);
        grow((void **)&z->ptr_vals, &z->ptr_vals_cap, idx + 1, sizeof(ptr_val_t));
        ptr_val_t *v = &z->ptr_vals[idx];
        if (v->n == v->cap) {
                v->cap = v->cap ? v->cap * 2 : 2;
                v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
        }
        char *low = xmalloc(strlen(name) + 1);
        lower_copy(low, name, strlen(name));
        v->v[v->n].net = net;
        v->v[v->n].name = low;
        v->n++;
}

static client_val_t *client_get(dns_zone_t *z, const dns_addr_t *a)
{
        bool added;
        size_t idx = addr_index(&z->clients, a, &added);
        grow((void **)&z->client_vals, &z->client_vals_cap, idx + 1, sizeof(client_val_t));
        client_val_t *c = &z->client_vals[idx];
        if (added)
                c->bits = xcalloc(z->words ? z->words : 1, sizeof(uint64_t));
        return c;
}

static int parse_ip(const char *s, int family, dns_addr_t *a)
{
        memset(a, 0, sizeof(*a));
        a->family = family;
        return inet_pton(family, s, a->a) == 1 ? 0 : -1;
}

int dns_parse_server(const char *s, struct sockaddr_storage *ss, socklen_t *len, err_t *err)
{
        char host[INET6_ADDRSTRLEN + 1];
        const char *port = NULL;
        size_t hl;

        memset(ss, 0, sizeof(*ss));
        if (s[0] == '[') {
                const char *end = strchr(s, ']');
                if (!end)
                        return err_set(err, EINVAL, "server \"%s\": missing ']'", s);
                hl = (size_t)(end - s - 1);
                if (hl >= sizeof(host))
                        return err_set(err, EINVAL, "server \"%s\": bad address", s);
                memcpy(host, s + 1, hl);
                if (end[1] == ':')
                        port = end + 2;
                else if (end[1])
                        return err_set(err, EINVAL, "server \"%s\": junk after ']'", s);
        } else {
                const char *colon = strchr(s, ':');
                bool v4port = colon && !strchr(colon + 1, ':');
                hl = v4port ? (size_t)(colon - s) : strlen(s);
                if (hl >= sizeof(host))
                        return err_set(err, EINVAL, "server \"%s\": bad address", s);
                memcpy(host, s, hl);
                if (v4port)
                        port = colon + 1;
        }
        host[hl] = '\0';
        unsigned long p = 53;
        if (port) {
                char *e;
                errno = 0;
                p = strtoul(port, &e, 10);
                if (!*port || *e || p == 0 || p > 65535)
                        return err_set(err, EINVAL, "server \"%s\": bad port", s);
        }
        struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
                a4->sin_family = AF_INET;
                a4->sin_port = htons((uint16_t)p);
                *len = sizeof(*a4);
        } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
                a6->sin6_family = AF_INET6;
                a6->sin6_port = htons((uint16_t)p);
                *len = sizeof(*a6);
        } else {
                return err_set(err, EINVAL, "server \"%s\": not an IP address", s);
        }
        return 0;
}

static int build_forward(dns_zone_t *z, const json_t *fw, err_t *err)
{
        if (!fw || json_is_null(fw))
                return 0;
        if (!json_is_object(fw))
                return err_set(err, EINVAL, "forward: expected an object");
        json_t *en = json_object_get(fw, "enabled");
        if (en && !json_is_boolean(en))
                return err_set(err, EINVAL, "forward.enabled: expected true or false");
        z->forward = en && json_is_true(en);
        json_t *to = json_object_get(fw, "timeout_ms");
        z->timeout_ms = 2000;
        if (to) {
                if (!json_is_integer(to) || json_integer_value(to) < 1 ||
                    json_integer_value(to) > 60000)
                        return err_set(err, EINVAL, "forward.timeout_ms: expected 1-60000");
                z->timeout_ms = (unsigned)json_integer_value(to);
        }
        json_t *sv = json_object_get(fw, "servers");
        if (sv && !json_is_array(sv))
                return err_set(err, EINVAL, "forward.servers: expected an array");
        size_t n = sv ? json_array_size(sv) : 0;
        z->up = xcalloc(n ? n : 1, sizeof(*z->up));
        z->uplen = xcalloc(n ? n : 1, sizeof(*z->uplen));
        for (size_t i = 0; i < n; i++) {
                const char *s = json_string_value(json_array_get(sv, i));
                if (!s)
                        return err_set(err, EINVAL, "forward.servers[%zu]: expected a string", i);
                if (dns_parse_server(s, &z->up[i], &z->uplen[i], err) < 0)
                        return err_wrap(err, "forward.servers[%zu]", i);
        }
        z->nup = n;
        return 0;
}

static void set_bit(uint64_t *bits, uint32_t i)
{
        bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static bool test_bit(const uint64_t *bits, uint32_t i)
{
        return (bits[i / 64] >> (i % 64)) & 1;
}

static int endpoint_addrs(const json_t *ep, target_t *t, err_t *err)
{
        dns_addr_t a;
        json_t *v4 = json_object_get(ep, "ipv4"), *v6 = json_object_get(ep, "ipv6");
        if (v4 && !json_is_null(v4)) {
                if (!json_is_string(v4) || parse_ip(json_string_value(v4), AF_INET, &a) < 0)
                        return err_set(err, EINVAL, "ipv4: not an IPv4 address");
                memcpy(t->a4, a.a, 4);
                t->has4 = true;
        }
        if (v6 && !json_is_null(v6)) {
                if (!json_is_string(v6) || parse_ip(json_string_value(v6), AF_INET6, &a) < 0)
                        return err_set(err, EINVAL, "ipv6: not an IPv6 address");
                memcpy(t->a6, a.a, 16);
                t->has6 = true;
        }
        return 0;
}

static void addr4(dns_addr_t *a, const uint8_t *b)
{
        memset(a, 0, sizeof(*a));
        a->family = AF_INET;
        memcpy(a->a, b, 4);
}

static void addr6(dns_addr_t *a, const uint8_t *b)
{
        memset(a, 0, sizeof(*a));
        a->family = AF_INET6;
        memcpy(a->a, b, 16);
}

/* Validate one endpoint and add its names and reverse entries. */
static int build_endpoint(dns_zone_t *z, uint32_t ni, const json_t *ep, err_t *err)
{
        target_t t;
        memset(&t, 0, sizeof(t));
        t.net = ni;
        if (!json_is_object(ep))
                return err_set(err, EINVAL, "expected an object");
        if (endpoint_addrs(ep, &t, err) < 0)
                return -1;
        json_t *names = json_object_get(ep, "names");
        if (names && !json_is_array(names))
                return err_set(err, EINVAL, "names: expected an array");
        size_t i;
        json_t *nm;
        const char *first = NULL;
        json_array_foreach(names, i, nm)
        {
                const char *s = json_string_value(nm);
                if (!s || !valid_name(s))
                        return err_set(err, EINVAL, "names[%zu]: not a valid DNS name", i);
                if (!first)
                        first = s;
                add_name_target(z, s, &t);
                /* docker's "<name>.<network>" form, scoped to that network. */
                _cleanup_free_ char *q = xasprintf("%s.%s", s, z->nets[ni].name);
                if (valid_name(q))
                        add_name_target(z, q, &t);
        }
        if (first) {
                dns_addr_t a;
                if (t.has4) {
                        addr4(&a, t.a4);
                        add_ptr(z, &a, ni, first);
                }
                if (t.has6) {
                        addr6(&a, t.a6);
                        add_ptr(z, &a, ni, first);
                }
        }
        return 0;
}

/* Which networks each asker sees: every network its container is on. */
static int build_clients(dns_zone_t *z, const json_t *nets, err_t *err)
{
        htab_t ctr = {0};
        uint64_t *cbits = NULL;
        size_t cbits_n = 0;
        const char *nid;
        json_t *net;
        uint32_t ni = 0;
        int ret = 0;

        /* Pass 1: container id -> bitmap of its networks. */
        json_object_foreach((json_t *)nets, nid, net)
        {
                size_t i;
                json_t *ep;
                json_array_foreach(json_object_get(net, "endpoints"), i, ep)
                {
                        const char *c = json_string_value(json_object_get(ep, "container"));
                        if (!c)
                                continue;
                        bool added;
                        size_t idx = ht_insert(&ctr, c, strlen(c), &added);
                        if (idx + 1 > cbits_n) {
                                size_t nn = (idx + 1) * 2;
                                cbits = xrealloc(cbits, nn * z->words * sizeof(uint64_t));
                                memset(cbits + cbits_n * z->words, 0,
                                       (nn - cbits_n) * z->words * sizeof(uint64_t));
                                cbits_n = nn;
                        }
                        set_bit(cbits + idx * z->words, ni);
                }
                ni++;
        }
        /* Pass 2: each endpoint address gets its container's networks. */
        ni = 0;
        json_object_foreach((json_t *)nets, nid, net)
        {
                size_t i;
                json_t *ep;
                json_array_foreach(json_object_get(net, "endpoints"), i, ep)
                {
                        target_t t;
                        memset(&t, 0, sizeof(t));
                        if (endpoint_addrs(ep, &t, err) < 0) {
                                ret = -1;
                                goto out;
                        }
                        const char *c = json_string_value(json_object_get(ep, "container"));
                        ssize_t ci = c ? ht_find(&ctr, c, strlen(c), hash_bytes(c, strlen(c))) : -1;
                        for (int fam = 0; fam < 2; fam++) {
                                dns_addr_t a;
                                if (fam == 0 && !t.has4)
                                        continue;
                                if (fam == 1 && !t.has6)
                                        continue;
                                if (fam == 0)
                                        addr4(&a, t.a4);
                                else
                                        addr6(&a, t.a6);
                                client_val_t *cv = client_get(z, &a);
                                set_bit(cv->bits, ni);
                                if (ci >= 0)
                                        for (size_t w = 0; w < z->words; w++)
                                                cv->bits[w] |= cbits[(size_t)ci * z->words + w];
                        }
                }
                ni++;
        }
        for (size_t c = 0; c < z->clients.n; c++)
                for (uint32_t n = 0; n < z->nnets; n++)
                        if (test_bit(z->client_vals[c].bits, n) && !z->nets[n].internal)
                                z->client_vals[c].can_forward = true;
out:
        free(cbits);
        ht_free(&ctr);
        return ret;
}

int dns_zone_build(const json_t *records, dns_zone_t **out, err_t *err)
{
        dns_zone_t *z = xcalloc(1, sizeof(*z));
        const char *nid;
        json_t *net;

        if (!json_is_object(records)) {
                err_set(err, EINVAL, "records: expected an object");
                goto fail;
        }
        json_t *nets = json_object_get(records, "networks");
        if (nets && !json_is_object(nets)) {
                err_set(err, EINVAL, "networks: expected an object");
                goto fail;
        }
        z->nnets = nets ? json_object_size(nets) : 0;
        z->words = (z->nnets + 63) / 64;
        z->nets = xcalloc(z->nnets ? z->nnets : 1, sizeof(*z->nets));
        uint32_t ni = 0;
        json_object_foreach(nets, nid, net)
        {
                network_t *n = &z->nets[ni];
                n->id = xstrdup(nid);
                if (!json_is_object(net)) {
                        err_set(err, EINVAL, "networks.%s: expected an object", nid);
                        goto fail;
                }
                const char *name = json_string_value(json_object_get(net, "name"));
                n->name = xstrdup(name ? name : nid);
                json_t *gw = json_object_get(net, "gateway");
                if (gw && !json_is_null(gw)) {
                        const char *g = json_string_value(gw);
                        if (!g || parse_ip(g, AF_INET, &n->gw) < 0) {
                                err_set(err, EINVAL, "networks.%s.gateway: not an IPv4 address",
                                        nid);
                                goto fail;
                        }
                        n->has_gw = true;
                }
                n->internal = json_is_true(json_object_get(net, "internal"));
                json_t *eps = json_object_get(net, "endpoints");
                if (eps && !json_is_array(eps)) {
                        err_set(err, EINVAL, "networks.%s.endpoints: expected an array", nid);
                        goto fail;
                }
                size_t i;
                json_t *ep;
                json_array_foreach(eps, i, ep)
                {
                        if (build_endpoint(z, ni, ep, err) < 0) {
                                err_wrap(err, "networks.%s.endpoints[%zu]", nid, i);
                                goto fail;
                        }
                }
                ni++;
        }
        if (nets && build_clients(z, nets, err) < 0)
                goto fail;

        json_t *search = json_object_get(records, "search");
        if (search && !json_is_array(search)) {
                err_set(err, EINVAL, "search: expected an array");
                goto fail;
        }
        size_t ns = search ? json_array_size(search) : 0;
        z->search = xcalloc(ns + 1, sizeof(char *));
        for (size_t i = 0; i < ns; i++) {
                const char *s = json_string_value(json_array_get(search, i));
                if (!s || !valid_name(s)) {
                        err_set(err, EINVAL, "search[%zu]: not a valid domain", i);
                        goto fail;
                }
                z->search[i] = xmalloc(strlen(s) + 1);
                lower_copy(z->search[i], s, strlen(s));
                z->nsearch++;
        }
        if (build_forward(z, json_object_get(records, "forward"), err) < 0)
                goto fail;
        *out = z;
        return 0;
fail:
        dns_zone_free(z);
        return -1;
}

int dns_zone_load(const char *path, dns_zone_t **out, err_t *err)
{
        _cleanup_json_ json_t *j = NULL;
        if (access(path, F_OK) < 0 && errno == ENOENT) {
                j = json_object();
        } else if (json_read(path, &j, err) < 0) {
                return -1;
        }
        if (dns_zone_build(j, out, err) < 0)
                return err_wrap(err, "%s", path);
        return 0;
}

size_t dns_zone_network_count(const dns_zone_t *z)
{
        return z->nnets;
}

bool dns_zone_gateway(const dns_zone_t *z, size_t i, dns_addr_t *out)
{
        if (i >= z->nnets || !z->nets[i].has_gw)
                return false;
        *out = z->nets[i].gw;
        return true;
}

size_t dns_zone_upstream_count(const dns_zone_t *z)
{
        return z->forward ? z->nup : 0;
}

const struct sockaddr_storage *dns_zone_upstream(const dns_zone_t *z, size_t i, socklen_t *len)
{
        *len = z->uplen[i];
        return &z->up[i];
}

unsigned dns_zone_forward_timeout_ms(const dns_zone_t *z)
{
        return z->timeout_ms;
}

/* ---- responder ------------------------------------------------------------ */

static const client_val_t *client_find(const dns_zone_t *z, const dns_addr_t *a)
{
        dns_addr_t k;
        memset(&k, 0, sizeof(k));
        k.family = a->family;
        memcpy(k.a, a->a, a->family == AF_INET ? 4 : 16);
        ssize_t i = ht_find(&z->clients, &k, sizeof(k), hash_bytes(&k, sizeof(k)));
        return i < 0 ? NULL : &z->client_vals[i];
}

static name_val_t *name_find(dns_zone_t *z, const char *low, size_t n)
{
        ssize_t i = ht_find(&z->names, low, n, hash_bytes(low, n));
        return i < 0 ? NULL : &z->name_vals[i];
}

static bool has_suffix(const char *s, size_t n, const char *suf, size_t sl)
{
        return n > sl + 1 && s[n - sl - 1] == '.' && memcmp(s + n - sl, suf, sl) == 0;
}

/* Parse a reverse name into an address; false if it is not one. */
static bool ptr_addr(const char *low, size_t n, dns_addr_t *a)
{
        static const char v4[] = "in-addr.arpa", v6[] = "ip6.arpa";
        memset(a, 0, sizeof(*a));
        if (has_suffix(low, n, v4, sizeof(v4) - 1)) {
                const char *p = low;
                for (int i = 3; i >= 0; i--) {
                        unsigned v = 0, digits = 0;
                        while (*p >= '0' && *p <= '9' && digits < 3) {
                                v = v * 10 + (unsigned)(*p++ - '0');
                                digits++;
                        }
                        if (!digits || v > 255 || *p != '.')
                                return false;
                        p++;
                        a->a[i] = (uint8_t)v;
                }
                a->family = AF_INET;
                return (size_t)(p - low) == n - (sizeof(v4) - 1);
        }
        if (has_suffix(low, n, v6, sizeof(v6) - 1) && n == 64 + sizeof(v6) - 1) {
                for (int i = 0; i < 32; i++) {
                        char c = low[2 * i];
                        if (low[2 * i + 1] != '.' || !isxdigit((unsigned char)c))
                                return false;
                        unsigned v = (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
                        int byte = 15 - i / 2;
                        a->a[byte] |= (uint8_t)((i % 2) ? v << 4 : v);
                }
                a->family = AF_INET6;
                return true;
        }
        return false;
}

/* Emit the visible records of one family, rotated by rr. */
static void emit_addrs(dns_builder_t *b, const name_val_t *v, const uint64_t *bits, bool six,
                       uint32_t rr)
{
        uint32_t cnt = 0;
        for (uint32_t i = 0; i < v->n; i++)
                if ((six ? v->t[i].has6 : v->t[i].has4) && test_bit(bits, v->t[i].net))
                        cnt++;
        if (!cnt)
                return;
        uint32_t start = rr % cnt;
        for (int pass = 0; pass < 2; pass++) {
                uint32_t rank = 0;
                for (uint32_t i = 0; i < v->n; i++) {
                        const target_t *t = &v->t[i];
                        if (!(six ? t->has6 : t->has4) || !test_bit(bits, t->net))
                                continue;
                        bool mine = pass == 0 ? rank >= start : rank < start;
                        rank++;
                        if (!mine)
                                continue;
                        if (!dns_builder_answer(b, six ? DNS_T_AAAA : DNS_T_A, DNS_ZONE_TTL,
                                                six ? t->a6 : t->a4, six ? 16 : 4))
                                return;
                }
        }
}

static bool visible(const name_val_t *v, const uint64_t *bits)
{
        for (uint32_t i = 0; i < v->n; i++)
                if (test_bit(bits, v->t[i].net))
                        return true;
        return false;
}

static size_t udp_limit(const dns_query_t *q, bool tcp, size_t outcap)
{
        size_t lim = DNS_UDP_MIN;
        if (tcp)
                lim = DNS_TCP_MAX;
        else if (q->edns && q->edns_size > DNS_UDP_MIN)
                lim = q->edns_size < DNS_EDNS_MAX ? q->edns_size : DNS_EDNS_MAX;
        return lim < outcap ? lim : outcap;
}

static size_t finish(dns_builder_t *b, const dns_query_t *q)
{
        if (q->edns && b->has_question)
                dns_builder_opt(b, DNS_EDNS_MAX);
        return dns_builder_finish(b);
}

size_t dns_zone_servfail(const uint8_t *pkt, size_t len, bool tcp, uint8_t *out, size_t outcap)
{
        dns_query_t q;
        dns_builder_t b;
        int r = dns_query_parse(pkt, len, &q);
        if (r == DNS_E_HEADER || outcap < DNS_UDP_MIN)
                return 0;
        dns_builder_start(&b, out, udp_limit(&q, tcp, outcap), &q, r == 0, DNS_F_RA,
                          DNS_R_SERVFAIL);
        return finish(&b, &q);
}

dns_action_t dns_zone_respond(dns_zone_t *z, const dns_addr_t *client, const uint8_t *pkt,
                              size_t len, bool tcp, uint8_t *out, size_t outcap, size_t *outlen)
{
        dns_query_t q;
        dns_builder_t b;
        char low[DNS_NAME_MAX + 1];

        int r = dns_query_parse(pkt, len, &q);
        if (r == DNS_E_HEADER || outcap < DNS_UDP_MIN)
                return DNS_ACT_DROP;
        size_t lim = udp_limit(&q, tcp, outcap);
        if (r < 0) {
                dns_builder_start(&b, out, lim, &q, false, 0, DNS_R_FORMERR);
                *outlen = dns_builder_finish(&b);
                return DNS_ACT_REPLY;
        }
        const client_val_t *cv = client_find(z, client);
        bool fwd = cv && cv->can_forward && z->forward && z->nup > 0;
        uint16_t flags = DNS_F_AA | (fwd ? DNS_F_RA : 0);
        if (q.opcode != 0) {
                dns_builder_start(&b, out, lim, &q, true, 0, DNS_R_NOTIMP);
                *outlen = finish(&b, &q);
                return DNS_ACT_REPLY;
        }
        if (!cv || (q.qclass != DNS_C_IN && q.qclass != DNS_C_ANY)) {
                /* Unknown askers (not an endpoint in the records, e.g. the
                 * host itself) get nothing: REFUSED, so a resolver moves on. */
                dns_builder_start(&b, out, lim, &q, true, 0, DNS_R_REFUSED);
                *outlen = finish(&b, &q);
                return DNS_ACT_REPLY;
        }
        size_t n = q.qname_len;
        lower_copy(low, q.qname, n);

        if (!q.qname_odd && q.qtype == DNS_T_PTR) {
                dns_addr_t a;
                if (ptr_addr(low, n, &a)) {
                        ssize_t i = ht_find(&z->ptrs, &a, sizeof(a), hash_bytes(&a, sizeof(a)));
                        bool any = false;
                        dns_builder_start(&b, out, lim, &q, true, flags, DNS_R_NOERROR);
                        for (uint32_t j = 0; i >= 0 && j < z->ptr_vals[i].n; j++) {
                                const ptr_t *p = &z->ptr_vals[i].v[j];
                                if (!test_bit(cv->bits, p->net))
                                        continue;
                                any = true;
                                dns_builder_answer_name(&b, DNS_T_PTR, DNS_ZONE_TTL, p->name);
                                break; /* one name per address */
                        }
                        if (any) {
                                *outlen = finish(&b, &q);
                                return DNS_ACT_REPLY;
                        }
                }
        }

        name_val_t *v = NULL;
        if (!q.qname_odd && n > 0) {
                v = name_find(z, low, n);
                for (size_t s = 0; (!v || !visible(v, cv->bits)) && s < z->nsearch; s++) {
                        size_t sl = strlen(z->search[s]);
                        if (has_suffix(low, n, z->search[s], sl))
                                v = name_find(z, low, n - sl - 1);
                }
        }
        if (v && visible(v, cv->bits)) {
                uint32_t rr = v->rr++;
                dns_builder_start(&b, out, lim, &q, true, flags, DNS_R_NOERROR);
                if (q.qtype == DNS_T_A || q.qtype == DNS_T_ANY)
                        emit_addrs(&b, v, cv->bits, false, rr);
                if (q.qtype == DNS_T_AAAA || q.qtype == DNS_T_ANY)
                        emit_addrs(&b, v, cv->bits, true, rr);
                *outlen = finish(&b, &q);
                return DNS_ACT_REPLY;
        }
        if (fwd)
                return DNS_ACT_FORWARD;
        dns_builder_start(&b, out, lim, &q, true, flags, DNS_R_NXDOMAIN);
        *outlen = finish(&b, &q);
        return DNS_ACT_REPLY;
}
