/* ctr_net.c - network connect / disconnect of a container (ctr_net.h). */
#include "ctr_net.h"

#include <stdbool.h>
#include <sys/types.h>

#include "base/cleanup.h"
#include "base/events.h"
#include "base/jsonfile.h"
#include "dnsreg.h"
#include "net/network.h"
#include "netglue.h"
#include "runtime/container.h"

static int connect_or_disconnect(const char *ref, const char *net, bool connect, const char *ip,
                                 const strv_t *aliases, err_t *err)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        pid_t pid = 0;
        if (rt_ctr_resolve(ref, &id, err) < 0)
                return -1;
        _cleanup_json_ json_t *n = NULL; /* for the disconnect event */
        err_t nerr = {0};
        _cleanup_close_ int lk = rt_ctr_lock(id, err);
        if (lk < 0 || rt_ctr_load(id, &j, err) < 0 || rt_ctr_reconcile(id, j, err) < 0)
                return -1;
        if (!connect)
                (void)network_load(net, &n, &nerr);
        if (!rt_ctr_monitor_alive(id, &pid))
                pid = 0;
        if (connect ? netwire_connect(id, pid, j, net, ip, aliases, err)
                    : netwire_disconnect(id, pid, j, net, err))
                return -1;
        if (connect && pid > 0 && dnsreg_register(id, j, err) < 0)
                return -1;
        if (rt_ctr_save(id, j, err) < 0)
                return -1;
        if (!connect && n)
                events_logv("network", "disconnect", jobj_str0(n, "Id"), "container", id, "name",
                            jobj_str0(n, "Name"), "type", "bridge", NULL);
        return 0;
}

int ctr_network_connect(const char *ref, const char *net, const char *ip, const strv_t *aliases,
                        err_t *err)
{
        return connect_or_disconnect(ref, net, true, ip, aliases, err);
}

int ctr_network_disconnect(const char *ref, const char *net, err_t *err)
{
        return connect_or_disconnect(ref, net, false, NULL, NULL, err);
}
