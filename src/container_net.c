/* container_net.c - the networking hook of container start.
 *
 * Runtime knows nothing about networks: the container's init is created in
 * its own network namespace (unless --network host) and blocks before exec
 * while the CLI configures /proc/<pid>/ns/net here: netwire connects the
 * container's networks (or just brings lo up for --network none). */
#include "compose_up.h"
#include "container_cli.h"
#include "netwire.h"

int container_dns_register(const char *id, const json_t *j, err_t *err)
{
        return compose_dns_register(id, j, err);
}

int container_network_setup(const char *id, pid_t pid, json_t *j, err_t *err)
{
        if (netwire_start(id, pid, j, err) < 0)
                return -1;
        return container_dns_register(id, j, err); /* names resolvable before exec */
}
