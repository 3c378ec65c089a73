/* container_net.c - the networking hook of container start.
 *
 * Runtime knows nothing about networks: the container's init is created in
 * its own network namespace (unless --network host) and blocks before exec
 * while the CLI configures /proc/<pid>/ns/net here: netwire connects the
 * container's networks (or just brings lo up for --network none). */
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "compose_up.h"
#include "container_cli.h"
#include "netwire.h"

/* A copy of j whose endpoints list the container name among their aliases,
 * so every container is resolvable by its name, as with docker (compose
 * containers already have it there). */
static json_t *with_name_alias(const json_t *j)
{
        json_t *c = json_deep_copy(j);
        const char *name = json_string_value(json_object_get(c, "Name"));
        const char *k;
        json_t *es;
        if (!name)
                return c;
        name += name[0] == '/';
        json_object_foreach(json_object_get(json_object_get(c, "NetworkSettings"), "Networks"), k,
                            es)
        {
                json_t *al = json_object_get(es, "Aliases");
                size_t i;
                json_t *v;
                bool has = false;
                json_array_foreach(al, i, v) has |= !strcmp(json_string_value(v) ?: "", name);
                if (has)
                        continue;
                if (!json_is_array(al)) {
                        al = json_array();
                        json_object_set_new(es, "Aliases", al);
                }
                json_array_insert_new(al, 0, json_string(name));
        }
        return c;
}

int container_dns_register(const char *id, const json_t *j, err_t *err)
{
        _cleanup_json_ json_t *dns = with_name_alias(j);
        return compose_dns_register(id, dns, err);
}

int container_network_setup(const char *id, pid_t pid, json_t *j, err_t *err)
{
        if (netwire_start(id, pid, j, err) < 0)
                return -1;
        return container_dns_register(id, j, err); /* names resolvable before exec */
}
