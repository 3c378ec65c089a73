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

/* What berth can publish of a spec the grammar accepted. */
static int proto_supported(const char *spec, enum port_proto p, uint8_t *proto, err_t *err)
{
        if (p == PORT_PROTO_SCTP)
                return err_set(err, EINVAL,
                               "invalid port \"%s\": protocol \"sctp\" is not supported", spec);
        *proto = p == PORT_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
        return 0;
}

int port_maps_from_spec(const char *spec, const struct portspec *ps, struct port_map **maps,
                        size_t *n, err_t *err)
{
        uint8_t proto = IPPROTO_TCP;
        uint32_t ip = 0;

        if (proto_supported(spec, ps->proto, &proto, err) < 0)
                return -1;
        if (ps->host_ipv6)
                return err_set(err, EINVAL,
                               "invalid port \"%s\": IPv6 host addresses are not supported", spec);
        if (ps->host_ip[0] && ipv4_parse(ps->host_ip, &ip, err) < 0)
                return err_wrap(err, "invalid port \"%s\"", spec);
        if (ps->ctr_hi - ps->ctr_lo + 1 > PORT_RANGE_MAX)
                return err_set(err, EINVAL,
                               "invalid port \"%s\": range %u-%u is longer than %d ports", spec,
                               ps->ctr_lo, ps->ctr_hi, PORT_RANGE_MAX);
        if (ps->host_hi - ps->host_lo + 1 > PORT_RANGE_MAX)
                return err_set(err, EINVAL,
                               "invalid port \"%s\": range %u-%u is longer than %d ports", spec,
                               ps->host_lo, ps->host_hi, PORT_RANGE_MAX);

        size_t count = (size_t)(ps->ctr_hi - ps->ctr_lo) + 1;
        *maps = xrealloc(*maps, (*n + count) * sizeof(**maps));
        for (size_t k = 0; k < count; k++) {
                struct port_map *m = &(*maps)[*n + k];
                m->host_ip = ip;
                m->container_port = (uint16_t)(ps->ctr_lo + k);
                m->proto = proto;
                if (!ps->host_lo) {
                        m->host_port = m->host_port_last = 0;
                } else if (ps->ctr_hi == ps->ctr_lo) {
                        m->host_port = ps->host_lo;
                        m->host_port_last = ps->host_hi;
                } else {
                        m->host_port = m->host_port_last = (uint16_t)(ps->host_lo + k);
                }
        }
        *n += count;
        return 0;
}

int port_spec_parse(const char *spec, struct port_map **maps, size_t *n, err_t *err)
{
        struct portspec ps;

        if (portspec_parse(spec, &ps, err) < 0)
                return -1;
        return port_maps_from_spec(spec, &ps, maps, n, err);
}

int port_expose_parse(const char *spec, uint16_t *port, uint8_t *proto, err_t *err)
{
        const char *slash = strchr(spec, '/');
        size_t len = slash ? (size_t)(slash - spec) : strlen(spec);
        enum port_proto p = PORT_PROTO_TCP;

        if (slash && portspec_proto_parse(slash + 1, &p) < 0)
                return err_set(
                    err, EINVAL,
                    "invalid port \"%s\": unknown protocol \"%s\" (use tcp, udp or sctp)", spec,
                    slash + 1);
        if (proto_supported(spec, p, proto, err) < 0)
                return -1;
        uint16_t hi;
        int r = portspec_range_parse(spec, len, port, &hi);
        if (r == 0 && hi != *port)
                r = -PORTSPEC_BAD_PORT;
        if (r < 0)
                return err_set(err, EINVAL, "invalid port \"%s\": \"%.*s\" must be a port 1-65535",
                               spec, (int)len, spec);
        return 0;
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
