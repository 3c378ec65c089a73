#include "ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "ipam.h"
#include "xalloc.h"

const char *port_proto_name(uint8_t proto)
{
        return proto == IPPROTO_UDP ? "udp" : "tcp";
}

static int parse_proto(const char *spec, const char *p, uint8_t *proto, err_t *err)
{
        if (!p || !strcmp(p, "tcp"))
                *proto = IPPROTO_TCP;
        else if (!strcmp(p, "udp"))
                *proto = IPPROTO_UDP;
        else
                return err_set(err, EINVAL, "invalid port \"%s\": protocol \"%s\" %s", spec, p,
                               !strcmp(p, "sctp") ? "is not supported" : "must be tcp or udp");
        return 0;
}

static int parse_port(const char *spec, const char *s, size_t len, uint16_t *out, err_t *err)
{
        unsigned long v = 0;

        if (len == 0 || len > 5)
                goto bad;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        goto bad;
                v = v * 10 + (unsigned long)(s[i] - '0');
        }
        if (v < 1 || v > 65535)
                goto bad;
        *out = (uint16_t)v;
        return 0;
bad:
        return err_set(err, EINVAL, "invalid port \"%s\": \"%.*s\" must be a port 1-65535", spec,
                       (int)len, s);
}

/* "P" or "P-Q" -> [lo, hi]. */
static int parse_range(const char *spec, const char *s, uint16_t *lo, uint16_t *hi, err_t *err)
{
        const char *dash = strchr(s, '-');

        if (!dash) {
                if (parse_port(spec, s, strlen(s), lo, err) < 0)
                        return -1;
                *hi = *lo;
                return 0;
        }
        if (parse_port(spec, s, (size_t)(dash - s), lo, err) < 0 ||
            parse_port(spec, dash + 1, strlen(dash + 1), hi, err) < 0)
                return -1;
        if (*hi < *lo)
                return err_set(err, EINVAL, "invalid port \"%s\": range %s ends before it starts",
                               spec, s);
        if (*hi - *lo + 1 > PORT_RANGE_MAX)
                return err_set(err, EINVAL, "invalid port \"%s\": range %s is longer than %d ports",
                               spec, s, PORT_RANGE_MAX);
        return 0;
}

int port_spec_parse(const char *spec, struct port_map **maps, size_t *n, err_t *err)
{
        _cleanup_free_ char *s = xstrdup(spec);
        char *fields[3];
        int nf = 0;
        uint8_t proto;
        uint32_t ip = 0;
        uint16_t hlo = 0, hhi = 0, clo, chi;

        if (s[0] == '[')
                return err_set(err, EINVAL,
                               "invalid port \"%s\": IPv6 host addresses are not supported", spec);
        char *slash = strchr(s, '/');
        if (slash)
                *slash++ = '\0';
        if (parse_proto(spec, slash, &proto, err) < 0)
                return -1;
        /* Split from the right: CONTAINER, then HOST, then IP (which may not
         * contain ':' since IPv6 is refused above). */
        for (char *p = s;; nf++) {
                if (nf == 3)
                        return err_set(err, EINVAL,
                                       "invalid port \"%s\": expected "
                                       "[IP:][HOSTPORT:]CONTAINERPORT[/PROTO]",
                                       spec);
                fields[nf] = p;
                char *c = strchr(p, ':');
                if (!c) {
                        nf++;
                        break;
                }
                *c = '\0';
                p = c + 1;
        }
        const char *cport = fields[nf - 1];
        const char *hport = nf >= 2 ? fields[nf - 2] : "";
        if (nf == 3 && fields[0][0] && ipv4_parse(fields[0], &ip, err) < 0)
                return err_wrap(err, "invalid port \"%s\"", spec);
        if (parse_range(spec, cport, &clo, &chi, err) < 0)
                return -1;
        if (*hport && parse_range(spec, hport, &hlo, &hhi, err) < 0)
                return -1;
        if (*hport && chi != clo && hhi - hlo != chi - clo)
                return err_set(err, EINVAL,
                               "invalid port \"%s\": host range %s and container range %s differ "
                               "in length",
                               spec, hport, cport);

        size_t count = (size_t)(chi - clo) + 1;
        *maps = xrealloc(*maps, (*n + count) * sizeof(**maps));
        for (size_t k = 0; k < count; k++) {
                struct port_map *m = &(*maps)[*n + k];
                m->host_ip = ip;
                m->container_port = (uint16_t)(clo + k);
                m->proto = proto;
                if (!*hport) {
                        m->host_port = m->host_port_last = 0;
                } else if (chi == clo) {
                        m->host_port = hlo;
                        m->host_port_last = hhi;
                } else {
                        m->host_port = m->host_port_last = (uint16_t)(hlo + k);
                }
        }
        *n += count;
        return 0;
}

int port_expose_parse(const char *spec, uint16_t *port, uint8_t *proto, err_t *err)
{
        _cleanup_free_ char *s = xstrdup(spec);
        char *slash = strchr(s, '/');

        if (slash)
                *slash++ = '\0';
        if (parse_proto(spec, slash, proto, err) < 0)
                return -1;
        return parse_port(spec, s, strlen(s), port, err);
}

/* Bind one socket; returns the fd, or -errno. */
static int bind_one(uint32_t ip, uint16_t port, uint8_t proto, uint16_t *bound)
{
        int type = proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
        _cleanup_close_ int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t len = sizeof(sa);
        int one = 1;

        if (fd < 0)
                return -errno;
        /* Lets a restarted container rebind while old connections sit in
         * TIME_WAIT; a listening socket still excludes every other bind. */
        if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
                return -errno;
        sa.sin_addr.s_addr = htonl(ip);
        sa.sin_port = htons(port);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        if (type == SOCK_STREAM && listen(fd, 1) < 0)
                return -errno;
        if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
                return -errno;
        *bound = ntohs(sa.sin_port);
        return TAKE_FD(fd);
}

int ports_reserve(struct port_map *maps, size_t n, int **fds, err_t *err)
{
        int *out = xmalloc((n ? n : 1) * sizeof(int));
        size_t done = 0;

        for (; done < n; done++) {
                struct port_map *m = &maps[done];
                char ipbuf[IPV4_STRLEN];
                uint16_t port = m->host_port, bound = 0;
                int fd;

                do {
                        fd = bind_one(m->host_ip, port, m->proto, &bound);
                } while (fd == -EADDRINUSE && port && port < m->host_port_last && ++port);
                if (fd >= 0) {
                        out[done] = fd;
                        m->host_port = m->host_port_last = bound;
                        continue;
                }
                ipv4_format(m->host_ip, ipbuf);
                if (fd == -EADDRINUSE && m->host_port_last > m->host_port)
                        err_set(err, EADDRINUSE,
                                "every port of %u-%u is already in use (%s:%u-%u/%s)", m->host_port,
                                m->host_port_last, ipbuf, m->host_port, m->host_port_last,
                                port_proto_name(m->proto));
                else if (fd == -EADDRINUSE)
                        err_set(err, EADDRINUSE, "port %u is already in use (%s:%u/%s)",
                                m->host_port, ipbuf, m->host_port, port_proto_name(m->proto));
                else if (fd == -EADDRNOTAVAIL)
                        err_set(err, EADDRNOTAVAIL,
                                "cannot publish on %s:%u/%s: %s is not an address of this host",
                                ipbuf, m->host_port, port_proto_name(m->proto), ipbuf);
                else
                        err_sys(err, -fd, "cannot bind %s:%u/%s", ipbuf, m->host_port,
                                port_proto_name(m->proto));
                while (done > 0)
                        close(out[--done]);
                free(out);
                return -1;
        }
        *fds = out;
        return 0;
}
