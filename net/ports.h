/* ports.h - published ports: `-p` spec parsing and host port reservation.
 *
 * A reservation binds every requested host port (TCP: bound and listening,
 * never accepted; UDP: bound) so that a conflict fails before anything
 * starts.  The fds are handed to the container's monitor, which keeps them
 * open for the container's life; the traffic itself never reaches these
 * sockets because nftables DNATs it to the container first. */
#ifndef BERTH_NET_PORTS_H
#define BERTH_NET_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "portspec.h"

/* Longest port range one spec may expand to. */
#define PORT_RANGE_MAX 1024

struct port_map {
        uint32_t host_ip;        /* host byte order; 0 = every address */
        uint16_t host_port;      /* 0 = any free port (filled in by ports_reserve) */
        uint16_t host_port_last; /* > host_port: pick one free port of the range */
        uint16_t container_port;
        uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

/* Parse a `-p` spec (base/portspec.h's grammar) and append the expanded
 * mappings to *maps (realloc'd).  Equal-length ranges map one to one; a host
 * range with a single container port picks one free host port.  What the
 * grammar accepts and berth cannot publish fails here: sctp, an IPv6 host
 * address, a range longer than PORT_RANGE_MAX. */
int port_spec_parse(const char *spec, struct port_map **maps, size_t *n, err_t *err);

/* The same from a spec already parsed (compose's typed ports); spec is the
 * text the errors name. */
int port_maps_from_spec(const char *spec, const struct portspec *ps, struct port_map **maps,
                        size_t *n, err_t *err);

/* Parse "PORT[/PROTO]" as in an image's EXPOSE. */
int port_expose_parse(const char *spec, uint16_t *port, uint8_t *proto, err_t *err);

/* "tcp" / "udp". */
const char *port_proto_name(uint8_t proto);

/* Bind every mapping (choosing a free port for host_port 0 or a host range)
 * and return the fds (*fds, n entries, caller closes and frees).  On failure
 * nothing stays bound and the error names the address, e.g.
 * "port 8080 is already in use (0.0.0.0:8080/tcp)". */
int ports_reserve(struct port_map *maps, size_t n, int **fds, err_t *err);

#endif
