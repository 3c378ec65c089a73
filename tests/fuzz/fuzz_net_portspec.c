/* Fuzz the -p port spec, EXPOSE and subnet parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipam.h"
#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        struct port_map *m = NULL;
        size_t n = 0;
        err_t err;

        memcpy(s, data, size);
        s[size] = '\0';
        if (port_spec_parse(s, &m, &n, &err) == 0) {
                if (n == 0 || n > PORT_RANGE_MAX)
                        abort();
                for (size_t i = 0; i < n; i++)
                        if (m[i].container_port == 0 || m[i].host_port_last < m[i].host_port)
                                abort();
        } else if (n != 0) {
                abort();
        }
        free(m);
        uint16_t port;
        uint8_t proto;
        if (port_expose_parse(s, &port, &proto, &err) == 0 && port == 0)
                abort();
        struct ipv4_net net;
        if (ipv4_net_parse(s, &net, &err) == 0 && (net.addr & ~ipv4_mask(net.prefix)))
                abort();
        struct ipam_pool *pools = NULL;
        size_t np = 0;
        if (ipam_pools_parse(s, &pools, &np, &err) == 0)
                free(pools);
        free(s);
        return 0;
}
