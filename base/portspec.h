/* portspec.h - the one grammar of a published port, as Docker reads `-p`
 * and compose's short `ports:` syntax:
 *
 *     [[IP:][HOSTPORT[-END]]:]CONTAINERPORT[-END][/PROTO]
 *
 * IP is IPv4 or IPv6 (an IPv6 address may be written in brackets, "[::1]");
 * PROTO is tcp, udp or sctp in any case; ports are 1-65535.  This is the
 * grammar only: what berth can publish (no sctp, no IPv6, how long a range
 * may be) is net/ports.h's business, and compose keeps its own wording for
 * the errors its tests and users know. */
#ifndef BERTH_BASE_PORTSPEC_H
#define BERTH_BASE_PORTSPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* Longest textual IP address a spec may carry (INET6_ADDRSTRLEN). */
#define PORTSPEC_IP_MAX 46

enum port_proto { PORT_PROTO_TCP, PORT_PROTO_UDP, PORT_PROTO_SCTP };

struct portspec {
        char host_ip[PORTSPEC_IP_MAX]; /* "" = every address; IPv6 without brackets */
        bool host_ipv6;
        uint16_t host_lo, host_hi; /* 0, 0 = no host port given */
        uint16_t ctr_lo, ctr_hi;
        enum port_proto proto;
};

/* What is wrong with a spec; portspec_parse returns its negation. */
enum portspec_fault {
        PORTSPEC_BAD_PROTO = 1, /* unknown protocol */
        PORTSPEC_BAD_IP,        /* not an IPv4/IPv6 address */
        PORTSPEC_BAD_PORT,      /* a port (or range end) not 1-65535 */
        PORTSPEC_REVERSED,      /* a range ending before it starts */
        PORTSPEC_LENGTH,        /* host and container ranges of different length */
};

/* Parse one spec into *out.  Returns 0, or -fault with err naming the spec
 * and the bad part ("invalid port "80800:80": "80800" must be a port 1-65535"). */
int portspec_parse(const char *spec, struct portspec *out, err_t *err);

/* "P" or "P-Q" (len bytes of s) -> [lo, hi]; the same rules, for compose's
 * long-syntax `published` and the stored "80/tcp" keys.  Returns 0, or
 * -PORTSPEC_BAD_PORT / -PORTSPEC_REVERSED (err not filled). */
int portspec_range_parse(const char *s, size_t len, uint16_t *lo, uint16_t *hi);

/* The spec as text, "[IP:][HOST[-END]]:]CTR[-END]/PROTO" (an IPv6 address in
 * brackets): what errors name a spec by when it was not given as text. */
#define PORTSPEC_TEXT_MAX (PORTSPEC_IP_MAX + 48)
void portspec_format(const struct portspec *ps, char buf[PORTSPEC_TEXT_MAX]);

/* "tcp" / "udp" / "sctp" (lower case, as in the keys "80/tcp"); the parse of
 * it accepts any case.  Returns 0 or -PORTSPEC_BAD_PROTO. */
const char *portspec_proto_text(enum port_proto p);
int portspec_proto_parse(const char *s, enum port_proto *out);

#endif
