/* dnsq - tiny DNS client (and fake upstream) for berth-dns tests and bench.
 *
 *   dnsq [-s SERVER] [-b SOURCE] [-p PORT] [-t] [-e] [-q TYPE] NAME
 *        one query; prints "rcode X", "flags ...", then one line per answer
 *        ("A 1.2.3.4", "AAAA ::1", "PTR name", "OTHER type").
 *   dnsq ... -n N [-w WINDOW] [-E RCODE] [-a ADDR] NAME
 *        N queries over UDP with WINDOW in flight; checks each answer's rcode
 *        (and that ADDR is among the A answers); prints
 *        "sent N answered M correct K p50_us X p99_us Y qps Z" and, per
 *        address, how often it came first ("first ADDR COUNT").
 *   dnsq ... -t -n N NAME
 *        N sequential queries on one TCP connection; prints
 *        "tcp N answered M p50_us X p99_us Y".  With -w > 1, all N are written
 *        at once (pipelined) and "pipelined N answered M" is printed (answers
 *        must come back in order).
 *   dnsq -s SERVER [-p PORT] [-t] -R FILE
 *        send FILE's bytes as the query; print "reply LEN rcode X" or "noreply".
 *   dnsq -S ADDR -p PORT -A ADDR4
 *        fake upstream: answer every query with one A record ADDR4 until killed.
 * Exit status: 0 when everything asked for was answered correctly. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *rcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};

static uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int qtype_of(const char *s)
{
        if (!strcasecmp(s, "A"))
                return 1;
        if (!strcasecmp(s, "AAAA"))
                return 28;
        if (!strcasecmp(s, "PTR"))
                return 12;
        if (!strcasecmp(s, "MX"))
                return 15;
        if (!strcasecmp(s, "ANY"))
                return 255;
        return atoi(s);
}

static size_t build_query(uint8_t *b, uint16_t id, const char *name, int type, int edns)
{
        size_t n = 12;
        memset(b, 0, 12);
        b[0] = (uint8_t)(id >> 8);
        b[1] = (uint8_t)id;
        b[2] = 0x01; /* RD */
        b[5] = 1;
        const char *p = name;
        while (*p) {
                const char *d = strchr(p, '.');
                size_t l = d ? (size_t)(d - p) : strlen(p);
                b[n++] = (uint8_t)l;
                memcpy(b + n, p, l);
                n += l;
                p += l;
                if (*p == '.')
                        p++;
        }
        b[n++] = 0;
        b[n++] = (uint8_t)(type >> 8);
        b[n++] = (uint8_t)type;
        b[n++] = 0;
        b[n++] = 1;
        if (edns) {
                b[11] = 1;
                uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
                memcpy(b + n, opt, 11);
                n += 11;
        }
        return n;
}

static int skip_name(const uint8_t *b, size_t len, size_t *off)
{
        while (*off < len) {
                uint8_t c = b[*off];
                if ((c & 0xC0) == 0xC0) {
                        *off += 2;
                        return 0;
                }
                if (c == 0) {
                        *off += 1;
                        return 0;
                }
                *off += 1u + c;
        }
        return -1;
}

static void read_name(const uint8_t *b, size_t len, size_t off, char *out)
{
        size_t o = 0;
        int jumps = 0;
        while (off < len && jumps < 16) {
                uint8_t c = b[off];
                if ((c & 0xC0) == 0xC0) {
                        off = ((size_t)(c & 0x3F) << 8) | b[off + 1];
                        jumps++;
                        continue;
                }
                if (c == 0 || off + 1 + c > len)
                        break;
                if (o)
                        out[o++] = '.';
                memcpy(out + o, b + off + 1, c);
                o += c;
                off += 1u + c;
        }
        out[o] = 0;
}

typedef struct answer {
        int rcode, tc, aa, n;
        char first[64];
        char lines[64][300];
} answer_t;

static int parse_answer(const uint8_t *b, size_t len, answer_t *a)
{
        memset(a, 0, sizeof(*a));
        if (len < 12)
                return -1;
        a->rcode = b[3] & 0xF;
        a->tc = !!(b[2] & 0x02);
        a->aa = !!(b[2] & 0x04);
        size_t off = 12;
        int qd = (b[4] << 8) | b[5], an = (b[6] << 8) | b[7];
        for (int i = 0; i < qd; i++) {
                if (skip_name(b, len, &off) < 0)
                        return -1;
                off += 4;
        }
        for (int i = 0; i < an && a->n < 64; i++) {
                if (skip_name(b, len, &off) < 0 || off + 10 > len)
                        return -1;
                int type = (b[off] << 8) | b[off + 1];
                size_t rdlen = (size_t)((b[off + 8] << 8) | b[off + 9]);
                off += 10;
                if (off + rdlen > len)
                        return -1;
                char txt[280];
                if (type == 1 && rdlen == 4) {
                        char ip[INET_ADDRSTRLEN];
                        inet_ntop(AF_INET, b + off, ip, sizeof(ip));
                        snprintf(a->lines[a->n], sizeof(a->lines[0]), "A %s", ip);
                        if (!a->first[0])
                                snprintf(a->first, sizeof(a->first), "%s", ip);
                } else if (type == 28 && rdlen == 16) {
                        char ip[INET6_ADDRSTRLEN];
                        inet_ntop(AF_INET6, b + off, ip, sizeof(ip));
                        snprintf(a->lines[a->n], sizeof(a->lines[0]), "AAAA %s", ip);
                } else if (type == 12) {
                        read_name(b, len, off, txt);
                        snprintf(a->lines[a->n], sizeof(a->lines[0]), "PTR %s", txt);
                } else {
                        snprintf(a->lines[a->n], sizeof(a->lines[0]), "OTHER %d", type);
                }
                a->n++;
                off += rdlen;
        }
        return 0;
}

static int open_client(const char *server, int port, int tcp, struct sockaddr_in *sa,
                       const char *src)
{
        memset(sa, 0, sizeof(*sa));
        sa->sin_family = AF_INET;
        sa->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, server, &sa->sin_addr) != 1) {
                fprintf(stderr, "dnsq: bad server %s\n", server);
                exit(2);
        }
        int fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
        if (src) {
                struct sockaddr_in b = {.sin_family = AF_INET};
                if (inet_pton(AF_INET, src, &b.sin_addr) != 1 ||
                    bind(fd, (struct sockaddr *)&b, sizeof(b)) < 0) {
                        perror("dnsq: bind source");
                        exit(2);
                }
        }
        if (fd < 0 || connect(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0) {
                perror("dnsq: connect");
                exit(2);
        }
        return fd;
}

static ssize_t exchange(int fd, int tcp, const uint8_t *q, size_t qn, uint8_t *r, size_t rcap,
                        int timeout_ms)
{
        if (tcp) {
                uint8_t buf[70000];
                buf[0] = (uint8_t)(qn >> 8);
                buf[1] = (uint8_t)qn;
                memcpy(buf + 2, q, qn);
                if (write(fd, buf, qn + 2) != (ssize_t)(qn + 2))
                        return -1;
                size_t got = 0, need = 2;
                while (got < need) {
                        struct pollfd p = {.fd = fd, .events = POLLIN};
                        if (poll(&p, 1, timeout_ms) <= 0)
                                return -1;
                        ssize_t n = read(fd, buf + got, need - got);
                        if (n <= 0)
                                return -1;
                        got += (size_t)n;
                        if (got == 2 && need == 2)
                                need = 2 + (size_t)((buf[0] << 8) | buf[1]);
                }
                if (need - 2 > rcap)
                        return -1;
                memcpy(r, buf + 2, need - 2);
                return (ssize_t)(need - 2);
        }
        if (send(fd, q, qn, 0) != (ssize_t)qn)
                return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0)
                return -1;
        return recv(fd, r, rcap, 0);
}

static int serve(const char *addr, int port, const char *answer)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        uint8_t ip[4];
        if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || inet_pton(AF_INET, answer, ip) != 1)
                return 2;
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                perror("dnsq: bind");
                return 2;
        }
        printf("serving\n");
        fflush(stdout);
        for (;;) {
                uint8_t b[1500];
                struct sockaddr_in from;
                socklen_t fl = sizeof(from);
                ssize_t n = recvfrom(fd, b, sizeof(b) - 16, 0, (struct sockaddr *)&from, &fl);
                if (n < 12)
                        continue;
                size_t off = 12;
                if (skip_name(b, (size_t)n, &off) < 0 || off + 4 > (size_t)n)
                        continue;
                off += 4;
                b[2] |= 0x80;
                b[3] = 0x80;
                b[6] = 0;
                b[7] = 1;
                memset(b + 8, 0, 4);
                uint8_t rr[16] = {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4};
                memcpy(rr + 12, ip, 4);
                memcpy(b + off, rr, 16);
                sendto(fd, b, off + 16, 0, (struct sockaddr *)&from, fl);
        }
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* N queries written at once on one TCP connection, then N answers read:
 * "pipelined N answered M". */
static int tcp_pipeline(int fd, const char *name, int type, long n, int timeout_ms)
{
        size_t cap = (size_t)n * 300, len = 0;
        uint8_t *buf = malloc(cap), r[70000];
        for (long i = 0; i < n; i++) {
                size_t qn = build_query(buf + len + 2, (uint16_t)i, name, type, 0);
                buf[len] = (uint8_t)(qn >> 8);
                buf[len + 1] = (uint8_t)qn;
                len += qn + 2;
        }
        for (size_t off = 0; off < len;) {
                ssize_t w = write(fd, buf + off, len - off);
                if (w <= 0)
                        break;
                off += (size_t)w;
        }
        long answered = 0;
        size_t have = 0;
        while (answered < n) {
                size_t need = have >= 2 ? 2 + (size_t)((r[0] << 8) | r[1]) : 2;
                if (have >= need && have >= 12 + 2) {
                        if (((r[2] << 8) | r[3]) == answered)
                                answered++;
                        memmove(r, r + need, have - need);
                        have -= need;
                        continue;
                }
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, timeout_ms) <= 0)
                        break;
                ssize_t m = read(fd, r + have, sizeof(r) - have);
                if (m <= 0)
                        break;
                have += (size_t)m;
        }
        printf("pipelined %ld answered %ld\n", n, answered);
        free(buf);
        return answered == n ? 0 : 1;
}

/* N sequential queries on one TCP connection: "tcp N answered M p50_us X p99_us Y". */
static int tcp_batch(int fd, const char *name, int type, long n, int timeout_ms)
{
        uint64_t *lat = calloc((size_t)n, sizeof(uint64_t));
        static uint8_t q[600], r[70000];
        long answered = 0;
        for (long i = 0; i < n; i++) {
                size_t qn = build_query(q, (uint16_t)i, name, type, 0);
                uint64_t t = now_ns();
                if (exchange(fd, 1, q, qn, r, sizeof(r), timeout_ms) < 12)
                        break;
                lat[answered++] = now_ns() - t;
        }
        qsort(lat, (size_t)answered, sizeof(*lat), cmp_u64);
        printf("tcp %ld answered %ld p50_us %.1f p99_us %.1f\n", n, answered,
               answered ? (double)lat[answered / 2] / 1000.0 : 0,
               answered ? (double)lat[(answered * 99) / 100] / 1000.0 : 0);
        free(lat);
        return answered == n ? 0 : 1;
}

static int batch(int fd, const char *name, int type, int edns, long n, int window, int want_rcode,
                 const char *want_addr, int timeout_ms)
{
        uint64_t *sent_at = calloc(65536, sizeof(uint64_t));
        uint64_t *lat = calloc((size_t)n, sizeof(uint64_t));
        char(*firsts)[64] = calloc(64, 64);
        long *fcount = calloc(64, sizeof(long));
        int nfirst = 0;
        long sent = 0, answered = 0, correct = 0, nlat = 0, inflight = 0;
        uint8_t q[600], r[4096];
        uint64_t t0 = now_ns();
        while (answered < n) {
                while (sent < n && inflight < window) {
                        uint16_t id = (uint16_t)(sent & 0xFFFF);
                        size_t qn = build_query(q, id, name, type, edns);
                        sent_at[id] = now_ns();
                        if (send(fd, q, qn, 0) != (ssize_t)qn)
                                break;
                        sent++;
                        inflight++;
                }
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, timeout_ms) <= 0)
                        break; /* lost answers: report what we have */
                ssize_t m = recv(fd, r, sizeof(r), 0);
                if (m < 12)
                        continue;
                uint16_t id = (uint16_t)((r[0] << 8) | r[1]);
                uint64_t t = now_ns();
                if (nlat < n)
                        lat[nlat++] = t - sent_at[id];
                answered++;
                inflight--;
                answer_t a;
                if (parse_answer(r, (size_t)m, &a) < 0 || a.rcode != want_rcode)
                        continue;
                int good = !want_addr;
                for (int i = 0; i < a.n && !good; i++)
                        good = !strncmp(a.lines[i], "A ", 2) && !strcmp(a.lines[i] + 2, want_addr);
                if (good)
                        correct++;
                if (a.first[0]) {
                        int i;
                        for (i = 0; i < nfirst && strcmp(firsts[i], a.first); i++)
                                ;
                        if (i == nfirst && nfirst < 64)
                                snprintf(firsts[nfirst++], 64, "%s", a.first);
                        if (i < 64)
                                fcount[i]++;
                }
        }
        double secs = (double)(now_ns() - t0) / 1e9;
        qsort(lat, (size_t)nlat, sizeof(*lat), cmp_u64);
        double p50 = nlat ? (double)lat[nlat / 2] / 1000.0 : 0,
               p99 = nlat ? (double)lat[(nlat * 99) / 100] / 1000.0 : 0;
        printf("sent %ld answered %ld correct %ld p50_us %.1f p99_us %.1f qps %.0f\n", sent,
               answered, correct, p50, p99, secs > 0 ? (double)answered / secs : 0);
        for (int i = 0; i < nfirst; i++)
                printf("first %s %ld\n", firsts[i], fcount[i]);
        free(sent_at);
        free(lat);
        free(firsts);
        free(fcount);
        return correct == n ? 0 : 1;
}

int main(int argc, char **argv)
{
        const char *server = "127.0.0.1", *src = NULL, *raw = NULL, *want_addr = NULL,
                   *serve_addr = NULL, *serve_answer = NULL;
        int port = 53, tcp = 0, edns = 0, type = 1, window = 1, want_rcode = 0, timeout = 1000, c;
        long n = 0;
        while ((c = getopt(argc, argv, "s:b:p:teq:n:w:E:a:R:S:A:T:")) != -1) {
                switch (c) {
                case 's':
                        server = optarg;
                        break;
                case 'b':
                        src = optarg;
                        break;
                case 'p':
                        port = atoi(optarg);
                        break;
                case 't':
                        tcp = 1;
                        break;
                case 'e':
                        edns = 1;
                        break;
                case 'q':
                        type = qtype_of(optarg);
                        break;
                case 'n':
                        n = atol(optarg);
                        break;
                case 'w':
                        window = atoi(optarg);
                        break;
                case 'E':
                        for (want_rcode = 0; want_rcode < 6; want_rcode++)
                                if (!strcmp(rcodes[want_rcode], optarg))
                                        break;
                        break;
                case 'a':
                        want_addr = optarg;
                        break;
                case 'R':
                        raw = optarg;
                        break;
                case 'S':
                        serve_addr = optarg;
                        break;
                case 'A':
                        serve_answer = optarg;
                        break;
                case 'T':
                        timeout = atoi(optarg);
                        break;
                default:
                        return 2;
                }
        }
        if (serve_addr)
                return serve(serve_addr, port, serve_answer ? serve_answer : "192.0.2.1");
        struct sockaddr_in sa;
        int fd = open_client(server, port, tcp, &sa, src);
        uint8_t q[70000], r[70000];
        size_t qn;
        if (raw) {
                FILE *f = fopen(raw, "rb");
                if (!f)
                        return 2;
                qn = fread(q, 1, sizeof(q) - 2, f);
                fclose(f);
                ssize_t m = exchange(fd, tcp, q, qn, r, sizeof(r), timeout);
                if (m < 0) {
                        printf("noreply\n");
                        return 1;
                }
                int rc = m >= 12 ? (r[3] & 0xF) : -1;
                printf("reply %zd rcode %s\n", m, rc >= 0 && rc < 6 ? rcodes[rc] : "?");
                return 0;
        }
        if (optind >= argc)
                return 2;
        const char *name = argv[optind];
        if (n > 0 && tcp && window > 1)
                return tcp_pipeline(fd, name, type, n, timeout);
        if (n > 0 && tcp)
                return tcp_batch(fd, name, type, n, timeout);
        if (n > 0)
                return batch(fd, name, type, edns, n, window, want_rcode, want_addr, timeout);
        qn = build_query(q, 0x4242, name, type, edns);
        ssize_t m = exchange(fd, tcp, q, qn, r, sizeof(r), timeout);
        if (m < 0) {
                printf("noreply\n");
                return 1;
        }
        answer_t a;
        if (parse_answer(r, (size_t)m, &a) < 0 || r[0] != 0x42 || r[1] != 0x42) {
                printf("badreply\n");
                return 1;
        }
        printf("rcode %s\n", a.rcode < 6 ? rcodes[a.rcode] : "OTHER");
        printf("flags%s%s\n", a.aa ? " aa" : "", a.tc ? " tc" : "");
        for (int i = 0; i < a.n; i++)
                printf("%s\n", a.lines[i]);
        return 0;
}
