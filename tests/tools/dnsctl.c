/* dnsctl - drive the CLI side of berth's DNS (net/dns.h) from tests, the way
 * the berth CLI does: every command opens the records, changes them and
 * commits (which starts or signals berth-dns).
 *
 *   dnsctl net-add ID NAME GATEWAY [internal]
 *   dnsctl net-rm ID
 *   dnsctl ep-add NET CONTAINER IPV4 IPV6|- NAME...
 *   dnsctl ep-rm NET CONTAINER
 *   dnsctl forward on|off TIMEOUT_MS [SERVER...]
 *   dnsctl ensure
 *   dnsctl pid                      print berth-dns's pid (0: none)
 * Built by the integration tests against libnet.a + libbase.a. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

static int fail(const err_t *err)
{
        fprintf(stderr, "dnsctl: %s\n", err->msg);
        return 1;
}

int main(int argc, char **argv)
{
        err_t err;
        net_dns_records_t *r = NULL;

        if (argc < 2)
                return 2;
        const char *cmd = argv[1];
        if (!strcmp(cmd, "pid")) {
                int pid = net_dns_server_pid(&err);
                if (pid < 0)
                        return fail(&err);
                printf("%d\n", pid);
                return 0;
        }
        if (!strcmp(cmd, "ensure"))
                return net_dns_ensure_running(&err) < 0 ? fail(&err) : 0;
        if (net_dns_records_open(&r, &err) < 0)
                return fail(&err);
        int rc = 0;
        if (!strcmp(cmd, "net-add") && argc >= 5) {
                bool internal = argc > 5 && !strcmp(argv[5], "internal");
                rc = net_dns_network_add(r, argv[2], argv[3], argv[4], internal, &err);
        } else if (!strcmp(cmd, "net-rm") && argc == 3) {
                net_dns_network_remove(r, argv[2]);
        } else if (!strcmp(cmd, "ep-add") && argc >= 6) {
                rc = net_dns_endpoint_add(r, argv[2], argv[3], argv[4],
                                          strcmp(argv[5], "-") ? argv[5] : NULL,
                                          (const char *const *)argv + 6, &err);
        } else if (!strcmp(cmd, "ep-rm") && argc == 4) {
                net_dns_endpoint_remove(r, argv[2], argv[3]);
        } else if (!strcmp(cmd, "forward") && argc >= 4) {
                rc = net_dns_forward_set(r, !strcmp(argv[2], "on"), (const char *const *)argv + 4,
                                         (unsigned)atoi(argv[3]), &err);
        } else {
                net_dns_records_close(r);
                return 2;
        }
        if (rc < 0) {
                net_dns_records_close(r);
                return fail(&err);
        }
        return net_dns_records_commit(r, &err) < 0 ? fail(&err) : 0;
}
