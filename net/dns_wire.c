#include "dns_wire.h"

#include <string.h>

#define OPT_RR_LEN 11 /* root name, type, class, ttl, rdlen */

static int name_walk(const uint8_t *pkt, size_t len, size_t *off, char *out, bool *odd,
                     uint8_t *wout, size_t *wlen)
{
        size_t pos = *off, wire = 0, olen = 0, resume = 0;
        int jumps = 0;
        bool jumped = false;

        if (odd)
                *odd = false;
        for (;;) {
                if (pos >= len)
                        return DNS_E_TRUNC;
                uint8_t c = pkt[pos];
                if ((c & 0xC0) == 0xC0) {
                        if (pos + 1 >= len)
                                return DNS_E_TRUNC;
                        size_t target = ((size_t)(c & 0x3F) << 8) | pkt[pos + 1];
                        /* Strictly backwards to the start of this name's
                         * current segment: every jump shrinks the position, so
                         * no cycle is possible; the jump cap bounds the work. */
                        if (target >= pos || ++jumps > DNS_MAX_JUMPS)
                                return DNS_E_LOOP;
                        if (!jumped) {
                                resume = pos + 2;
                                jumped = true;
                        }
                        pos = target;
                        continue;
                }
                if (c & 0xC0)
                        return DNS_E_LABEL; /* 0x40 / 0x80: extended / reserved */
                if (c == 0) {
                        if (wout)
                                wout[wire] = 0;
                        wire += 1;
                        if (wire > DNS_NAME_MAX)
                                return DNS_E_NAMELEN;
                        pos += 1;
                        break;
                }
                if (c > DNS_LABEL_MAX)
                        return DNS_E_LABEL;
                if (pos + 1 + c > len)
                        return DNS_E_TRUNC;
                if (wire + 1u + c + 1 > DNS_NAME_MAX)
                        return DNS_E_NAMELEN;
                if (wout)
                        memcpy(wout + wire, pkt + pos, 1u + c);
                wire += 1u + c;
                if (out) {
                        if (olen)
                                out[olen++] = '.';
                        for (size_t i = 0; i < c; i++) {
                                uint8_t ch = pkt[pos + 1 + i];
                                if ((ch == '.' || ch == 0) && odd)
                                        *odd = true;
                                out[olen++] = (char)ch;
                        }
                }
                pos += 1u + c;
        }
        if (out)
                out[olen] = '\0';
        if (wlen)
                *wlen = wire;
        *off = jumped ? resume : pos;
        return (int)olen;
}

int dns_name_read(const uint8_t *pkt, size_t len, size_t *off, char *out, bool *odd)
{
        return name_walk(pkt, len, off, out, odd, NULL, NULL);
}

int dns_name_read_wire(const uint8_t *pkt, size_t len, size_t *off, uint8_t *wire)
{
        size_t wl = 0;
        int r = name_walk(pkt, len, off, NULL, NULL, wire, &wl);
        return r < 0 ? r : (int)wl;
}

bool dns_wire_name_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
        /* Length bytes are <= 63, below 'A', so folding them is harmless. */
        for (size_t i = 0; i < n; i++) {
                uint8_t x = a[i], y = b[i];
                if (x >= 'A' && x <= 'Z')
                        x = (uint8_t)(x + 32);
                if (y >= 'A' && y <= 'Z')
                        y = (uint8_t)(y + 32);
                if (x != y)
                        return false;
        }
        return true;
}

int dns_name_skip(const uint8_t *pkt, size_t len, size_t *off)
{
        return name_walk(pkt, len, off, NULL, NULL, NULL, NULL);
}

int dns_name_write(const char *name, uint8_t *out, size_t cap)
{
        size_t n = 0;
        const char *p = name;

        while (*p) {
                const char *dot = strchr(p, '.');
                size_t l = dot ? (size_t)(dot - p) : strlen(p);
                if (l == 0 || l > DNS_LABEL_MAX)
                        return -1;
                if (n + 1 + l + 1 > cap || n + 1 + l + 1 > DNS_NAME_MAX)
                        return -1;
                out[n++] = (uint8_t)l;
                memcpy(out + n, p, l);
                n += l;
                p += l;
                if (*p == '.')
                        p++;
        }
        if (n + 1 > cap)
                return -1;
        out[n++] = 0;
        return (int)n;
}

/* Skip one resource record; returns its type or a DNS_E_* code. */
static int rr_skip(const uint8_t *pkt, size_t len, size_t *off, uint16_t *class_out)
{
        int r = dns_name_skip(pkt, len, off);
        if (r < 0)
                return r;
        if (*off + 10 > len)
                return DNS_E_TRUNC;
        uint16_t type = dns_get16(pkt + *off);
        if (class_out)
                *class_out = dns_get16(pkt + *off + 2);
        uint16_t rdlen = dns_get16(pkt + *off + 8);
        *off += 10;
        if (*off + rdlen > len)
                return DNS_E_TRUNC;
        *off += rdlen;
        return type;
}

int dns_query_parse(const uint8_t *pkt, size_t len, dns_query_t *q)
{
        memset(q, 0, sizeof(*q));
        if (len < DNS_HDR_LEN)
                return DNS_E_HEADER;
        q->id = dns_get16(pkt);
        q->flags = dns_get16(pkt + 2);
        q->opcode = (uint8_t)((q->flags >> 11) & 0xF);
        if (q->flags & DNS_F_QR)
                return DNS_E_HEADER;
        uint16_t qd = dns_get16(pkt + 4), an = dns_get16(pkt + 6), ns = dns_get16(pkt + 8),
                 ar = dns_get16(pkt + 10);
        if (qd != 1)
                return DNS_E_COUNT;
        size_t off = DNS_HDR_LEN, wl = 0;
        int r = name_walk(pkt, len, &off, q->qname, &q->qname_odd, q->qwire, &wl);
        if (r < 0)
                return r;
        q->qname_len = (size_t)r;
        q->qwire_len = wl;
        if (off + 4 > len)
                return DNS_E_TRUNC;
        q->qtype = dns_get16(pkt + off);
        q->qclass = dns_get16(pkt + off + 2);
        off += 4;
        q->question_end = off;

        /* EDNS0 is optional: a damaged tail after a good question does not
         * stop us answering, we just answer without EDNS. */
        unsigned skip = (unsigned)an + ns;
        for (unsigned i = 0; i < skip; i++)
                if (rr_skip(pkt, len, &off, NULL) < 0)
                        return 0;
        for (unsigned i = 0; i < ar; i++) {
                size_t start = off;
                uint16_t cls = 0;
                int t = rr_skip(pkt, len, &off, &cls);
                if (t < 0)
                        return 0;
                if (t == DNS_T_OPT && pkt[start] == 0 && !q->edns) {
                        q->edns = true;
                        q->edns_size = cls;
                }
        }
        return 0;
}

void dns_builder_start(dns_builder_t *b, uint8_t *buf, size_t cap, const dns_query_t *q,
                       bool with_question, uint16_t extra_flags, uint8_t rcode)
{
        b->buf = buf;
        b->cap = cap;
        b->len = DNS_HDR_LEN;
        b->ancount = 0;
        b->truncated = false;
        b->has_question = false;
        b->opt_reserved = false;
        /* Keep room for the OPT record so truncation never drops it. */
        if (with_question && q->edns && b->cap >= DNS_HDR_LEN + OPT_RR_LEN) {
                b->cap -= OPT_RR_LEN;
                b->opt_reserved = true;
        }
        uint16_t flags =
            (uint16_t)(DNS_F_QR | (q->flags & (0x7800 | DNS_F_RD)) | extra_flags | (rcode & 0xF));
        dns_put16(buf, q->id);
        dns_put16(buf + 2, flags);
        memset(buf + 4, 0, 8);
        if (with_question && q->qwire_len > 0) {
                /* The question goes back exactly as asked (uncompressed). */
                size_t n = q->qwire_len;
                if (b->len + n + 4 <= b->cap) {
                        memcpy(buf + b->len, q->qwire, n);
                        b->len += n;
                        dns_put16(buf + b->len, q->qtype);
                        dns_put16(buf + b->len + 2, q->qclass);
                        b->len += 4;
                        b->has_question = true;
                        dns_put16(buf + 4, 1);
                }
        }
}

static bool answer_head(dns_builder_t *b, uint16_t type, uint32_t ttl, size_t rdlen)
{
        if (!b->has_question || b->len + 12 + rdlen > b->cap) {
                b->truncated = true;
                return false;
        }
        uint8_t *p = b->buf + b->len;
        dns_put16(p, 0xC000 | DNS_HDR_LEN);
        dns_put16(p + 2, type);
        dns_put16(p + 4, DNS_C_IN);
        dns_put16(p + 6, (uint16_t)(ttl >> 16));
        dns_put16(p + 8, (uint16_t)ttl);
        dns_put16(p + 10, (uint16_t)rdlen);
        b->len += 12;
        return true;
}

bool dns_builder_answer(dns_builder_t *b, uint16_t type, uint32_t ttl, const void *rdata,
                        uint16_t rdlen)
{
        if (!answer_head(b, type, ttl, rdlen))
                return false;
        memcpy(b->buf + b->len, rdata, rdlen);
        b->len += rdlen;
        b->ancount++;
        return true;
}

bool dns_builder_answer_name(dns_builder_t *b, uint16_t type, uint32_t ttl, const char *name)
{
        uint8_t tmp[DNS_NAME_MAX];
        int n = dns_name_write(name, tmp, sizeof(tmp));
        if (n < 0)
                return false;
        return dns_builder_answer(b, type, ttl, tmp, (uint16_t)n);
}

bool dns_builder_opt(dns_builder_t *b, uint16_t size)
{
        size_t cap = b->cap + (b->opt_reserved ? OPT_RR_LEN : 0);
        if (b->len + OPT_RR_LEN > cap)
                return false;
        uint8_t *p = b->buf + b->len;
        p[0] = 0;
        dns_put16(p + 1, DNS_T_OPT);
        dns_put16(p + 3, size);
        memset(p + 5, 0, 6); /* extended rcode, version, flags, rdlen */
        b->len += OPT_RR_LEN;
        b->cap = cap;
        b->opt_reserved = false;
        dns_put16(b->buf + 10, 1);
        return true;
}

size_t dns_builder_finish(dns_builder_t *b)
{
        dns_put16(b->buf + 6, b->ancount);
        if (b->truncated)
                dns_put16(b->buf + 2, dns_get16(b->buf + 2) | DNS_F_TC);
        return b->len;
}
