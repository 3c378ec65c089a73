/* dns_wire.h - DNS message wire format (RFC 1035) for berth-dns: parsing the
 * parts of a query the server needs and building answers into a caller buffer.
 *
 * Nothing here allocates: every function works on caller-owned buffers, so the
 * responder can run without touching the heap per query.  Every read is bounds
 * checked against the packet length; compression pointers must point strictly
 * backwards (which alone rules out loops) and at most DNS_MAX_JUMPS are
 * followed. */
#ifndef BERTH_NET_DNS_WIRE_H
#define BERTH_NET_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN   12
#define DNS_NAME_MAX  255 /* wire length, RFC 1035 2.3.4 */
#define DNS_LABEL_MAX 63
#define DNS_MAX_JUMPS 32
#define DNS_UDP_MIN   512  /* classic UDP payload limit */
#define DNS_EDNS_MAX  1232 /* payload size berth-dns advertises and honours at most */
#define DNS_TCP_MAX   65535

#define DNS_T_A    1
#define DNS_T_PTR  12
#define DNS_T_AAAA 28
#define DNS_T_OPT  41
#define DNS_T_ANY  255
#define DNS_C_IN   1
#define DNS_C_ANY  255

#define DNS_R_NOERROR  0
#define DNS_R_FORMERR  1
#define DNS_R_SERVFAIL 2
#define DNS_R_NXDOMAIN 3
#define DNS_R_NOTIMP   4
#define DNS_R_REFUSED  5

/* Header flag bits (second 16-bit word). */
#define DNS_F_QR 0x8000
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_RA 0x0080

/* Errors of dns_name_read / dns_query_parse (negative). */
enum {
        DNS_E_TRUNC = -1,   /* ran past the end of the packet */
        DNS_E_LABEL = -2,   /* label longer than 63 or reserved label type */
        DNS_E_NAMELEN = -3, /* name longer than 255 bytes on the wire */
        DNS_E_LOOP = -4,    /* pointer not strictly backwards or too many jumps */
        DNS_E_HEADER = -5,  /* too short for a header, or QR set: drop */
        DNS_E_COUNT = -6,   /* QDCOUNT != 1 */
};

static inline uint16_t dns_get16(const uint8_t *p)
{
        return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void dns_put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

/* Read the (possibly compressed) name at *off into out as dotted text without
 * a trailing dot ("" for the root).  out needs DNS_NAME_MAX + 1 bytes.  On
 * success *off is just past the name in the original position (after the first
 * pointer, if any) and the text length is returned.  *odd is set when a label
 * holds a '.' or a NUL byte: such a name is valid DNS but can never match a
 * local record. */
int dns_name_read(const uint8_t *pkt, size_t len, size_t *off, char *out, bool *odd);

/* Read the name at *off as uncompressed wire labels into wire (DNS_NAME_MAX
 * bytes), case kept; returns the wire length. */
int dns_name_read_wire(const uint8_t *pkt, size_t len, size_t *off, uint8_t *wire);

/* Compare two wire names of length n, ASCII case-insensitively. */
bool dns_wire_name_eq(const uint8_t *a, const uint8_t *b, size_t n);

/* Skip a name without decoding it (pointers end it). */
int dns_name_skip(const uint8_t *pkt, size_t len, size_t *off);

/* Encode dotted text (no escapes; a trailing dot is allowed) as uncompressed
 * labels at out.  Returns the number of bytes written or -1 when the name is
 * invalid or does not fit in cap. */
int dns_name_write(const char *name, uint8_t *out, size_t cap);

typedef struct dns_query {
        uint16_t id;
        uint16_t flags;
        uint8_t opcode;
        char qname[DNS_NAME_MAX + 1];
        size_t qname_len;
        bool qname_odd;
        uint8_t qwire[DNS_NAME_MAX]; /* the name as asked, uncompressed labels */
        size_t qwire_len;
        uint16_t qtype, qclass;
        size_t question_end; /* offset just past the question */
        bool edns;           /* an OPT record was present */
        uint16_t edns_size;  /* its UDP payload size */
} dns_query_t;

/* Parse a query: the header, exactly one question, and (tolerantly) an EDNS0
 * OPT record in the additional section.  Returns 0, DNS_E_HEADER when the
 * packet is too short to carry a header or is itself a response (drop it), or
 * another DNS_E_* when the header parsed but the rest is malformed (answer
 * FORMERR).  opcode != 0 parses fine: the caller answers NOTIMP. */
int dns_query_parse(const uint8_t *pkt, size_t len, dns_query_t *q);

/* Answer builder over a caller buffer.  The header and the question are
 * written by dns_builder_start; records follow.  When a record does not fit,
 * it is not written and TC is set. */
typedef struct dns_builder {
        uint8_t *buf;
        size_t cap; /* limit for this answer (UDP size or TCP maximum) */
        size_t len;
        uint16_t ancount;
        bool truncated;
        bool has_question;
        bool opt_reserved; /* cap was lowered to keep room for OPT */
} dns_builder_t;

/* Start an answer to q with rcode; the question is copied unless the query was
 * malformed (with_question false).  cap must be >= DNS_HDR_LEN. */
void dns_builder_start(dns_builder_t *b, uint8_t *buf, size_t cap, const dns_query_t *q,
                       bool with_question, uint16_t extra_flags, uint8_t rcode);
/* Append an answer record whose owner is the question name (compression
 * pointer to offset 12). Returns false (and sets TC) when it does not fit. */
bool dns_builder_answer(dns_builder_t *b, uint16_t type, uint32_t ttl, const void *rdata,
                        uint16_t rdlen);
/* Same with a domain name as RDATA (PTR). */
bool dns_builder_answer_name(dns_builder_t *b, uint16_t type, uint32_t ttl, const char *name);
/* Append an OPT record advertising size (call last).  Returns false if no room. */
bool dns_builder_opt(dns_builder_t *b, uint16_t size);
/* Write the final counts; returns the message length. */
size_t dns_builder_finish(dns_builder_t *b);

#endif
