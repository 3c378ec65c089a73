#include "portspec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

const char *portspec_proto_text(enum port_proto p)
{
        return p == PORT_PROTO_UDP ? "udp" : p == PORT_PROTO_SCTP ? "sctp" : "tcp";
}

int portspec_proto_parse(const char *s, enum port_proto *out)
{
        if (!strcasecmp(s, "tcp"))
                *out = PORT_PROTO_TCP;
        else if (!strcasecmp(s, "udp"))
                *out = PORT_PROTO_UDP;
        else if (!strcasecmp(s, "sctp"))
                *out = PORT_PROTO_SCTP;
        else
                return -PORTSPEC_BAD_PROTO;
        return 0;
}

/* Decimal digits only (leading zeros allowed), 1-65535. */
static int one_port(const char *s, size_t len, uint16_t *out)
{
        unsigned long v = 0;

        if (len == 0)
                return -PORTSPEC_BAD_PORT;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -PORTSPEC_BAD_PORT;
                v = v * 10 + (unsigned long)(s[i] - '0');
                if (v > 65535)
                        return -PORTSPEC_BAD_PORT;
        }
        if (v < 1 || v > 65535)
                return -PORTSPEC_BAD_PORT;
        *out = (uint16_t)v;
        return 0;
}

int portspec_range_parse(const char *s, size_t len, uint16_t *lo, uint16_t *hi)
{
        const char *dash = memchr(s, '-', len);
        int r;

        if (!dash) {
                r = one_port(s, len, lo);
                *hi = *lo;
                return r;
        }
        if ((r = one_port(s, (size_t)(dash - s), lo)) < 0 ||
            (r = one_port(dash + 1, len - (size_t)(dash - s) - 1, hi)) < 0)
                return r;
        return *hi < *lo ? -PORTSPEC_REVERSED : 0;
}

/* The error for a bad port range part p (plen bytes) of spec. */
static int range_fault(int r, const char *spec, const char *p, size_t plen, err_t *err)
{
        if (r == -PORTSPEC_REVERSED)
                err_set(err, EINVAL, "invalid port \"%s\": range %.*s ends before it starts", spec,
                        (int)plen, p);
        else
                err_set(err, EINVAL, "invalid port \"%s\": \"%.*s\" must be a port 1-65535", spec,
                        (int)plen, p);
        return r;
}

int portspec_parse(const char *spec, struct portspec *out, err_t *err)
{
        const char *end = spec + strlen(spec);
        const char *slash = strchr(spec, '/');
        int r;

        memset(out, 0, sizeof(*out));
        if (slash) {
                if (portspec_proto_parse(slash + 1, &out->proto) < 0) {
                        err_set(err, EINVAL,
                                "invalid port \"%s\": unknown protocol \"%s\" (use tcp, udp or "
                                "sctp)",
                                spec, slash + 1);
                        return -PORTSPEC_BAD_PROTO;
                }
                end = slash;
        }
        /* From the right: CONTAINER, then HOST, then everything left is the
         * IP (which may itself hold ':' when it is IPv6). */
        const char *c1 = memrchr(spec, ':', (size_t)(end - spec));
        const char *ctr = c1 ? c1 + 1 : spec;
        const char *host = NULL, *ip = NULL;
        size_t hlen = 0, iplen = 0;
        if (c1) {
                const char *c2 = memrchr(spec, ':', (size_t)(c1 - spec));
                host = c2 ? c2 + 1 : spec;
                hlen = (size_t)(c1 - host);
                if (c2) {
                        ip = spec;
                        iplen = (size_t)(c2 - spec);
                }
        }
        if (ip && iplen >= 2 && ip[0] == '[' && ip[iplen - 1] == ']') {
                ip++;
                iplen -= 2;
        }
        if (ip && iplen) {
                unsigned char buf[sizeof(struct in6_addr)];
                if (iplen >= sizeof(out->host_ip))
                        goto bad_ip;
                memcpy(out->host_ip, ip, iplen);
                out->host_ip[iplen] = '\0';
                if (inet_pton(AF_INET, out->host_ip, buf) == 1)
                        out->host_ipv6 = false;
                else if (inet_pton(AF_INET6, out->host_ip, buf) == 1)
                        out->host_ipv6 = true;
                else
                        goto bad_ip;
        }
        size_t clen = (size_t)(end - ctr);
        if ((r = portspec_range_parse(ctr, clen, &out->ctr_lo, &out->ctr_hi)) < 0)
                return range_fault(r, spec, ctr, clen, err);
        if (hlen && (r = portspec_range_parse(host, hlen, &out->host_lo, &out->host_hi)) < 0)
                return range_fault(r, spec, host, hlen, err);
        if (hlen && out->ctr_hi != out->ctr_lo &&
            out->host_hi - out->host_lo != out->ctr_hi - out->ctr_lo) {
                err_set(err, EINVAL,
                        "invalid port \"%s\": host range %.*s and container range %.*s differ "
                        "in length",
                        spec, (int)hlen, host, (int)clen, ctr);
                return -PORTSPEC_LENGTH;
        }
        return 0;
bad_ip:
        out->host_ip[0] = '\0';
        err_set(err, EINVAL, "invalid port \"%s\": invalid IP address \"%.*s\"", spec, (int)iplen,
                ip);
        return -PORTSPEC_BAD_IP;
}

/* "P" or "P-Q" into buf; returns the length written. */
static int range_text(char *buf, size_t len, uint16_t lo, uint16_t hi)
{
        return lo == hi ? snprintf(buf, len, "%u", lo) : snprintf(buf, len, "%u-%u", lo, hi);
}

void portspec_format(const struct portspec *ps, char buf[PORTSPEC_TEXT_MAX])
{
        char host[16] = "", ctr[16];
        if (ps->host_lo)
                range_text(host, sizeof(host), ps->host_lo, ps->host_hi);
        range_text(ctr, sizeof(ctr), ps->ctr_lo, ps->ctr_hi);
        const char *proto = portspec_proto_text(ps->proto);
        if (ps->host_ip[0])
                snprintf(buf, PORTSPEC_TEXT_MAX, ps->host_ipv6 ? "[%s]:%s:%s/%s" : "%s:%s:%s/%s",
                         ps->host_ip, host, ctr, proto);
        else if (ps->host_lo)
                snprintf(buf, PORTSPEC_TEXT_MAX, "%s:%s/%s", host, ctr, proto);
        else
                snprintf(buf, PORTSPEC_TEXT_MAX, "%s/%s", ctr, proto);
}
