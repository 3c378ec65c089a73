/* Unit tests: which --sysctl keys a container may set (docker's rule). */
#include <string.h>

#include "runtime/security.h"
#include "tap.h"

static void allowed(const char *key, bool host)
{
        err_t e = {0};
        ok(rt_sysctl_check(key, host, &e) == 0, "%s allowed%s", key, host ? " (host network)" : "");
}

static void refused(const char *key, bool host, const char *msg)
{
        err_t e = {0};
        int r = rt_sysctl_check(key, host, &e);
        ok(r < 0, "%s refused%s", key, host ? " (host network)" : "");
        is_str(e.msg, msg, "%s message", key);
}

int main(void)
{
        static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced"};
        for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++) {
                allowed(ipc[i], false);
                allowed(ipc[i], true);
        }
        allowed("fs.mqueue.msg_max", false);
        allowed("fs.mqueue.queues_max", true);
        allowed("net.ipv4.ip_forward", false);
        allowed("net.core.somaxconn", false);
        refused("net.ipv4.ip_forward", true,
                "sysctl 'net.ipv4.ip_forward' not allowed in host network namespace");
        refused("vm.swappiness", false, "sysctl 'vm.swappiness' is not allowed");
        refused("kernel.domainname", false, "sysctl 'kernel.domainname' is not allowed");
        refused("kernel.hostname", false, "sysctl 'kernel.hostname' is not allowed");
        refused("kernel.shmmax2", false, "sysctl 'kernel.shmmax2' is not allowed");
        refused("kernel.shm", false, "sysctl 'kernel.shm' is not allowed");
        refused("net.", false, "sysctl 'net.' is not allowed");
        refused("net/ipv4/ip_forward", false, "sysctl 'net/ipv4/ip_forward' is not allowed");
        refused("fs.mqueue", false, "sysctl 'fs.mqueue' is not allowed");
        /* nothing that steps out of the allowed subtree of /proc/sys */
        refused("net.ipv4/../../kernel/core_pattern", false,
                "sysctl 'net.ipv4/../../kernel/core_pattern' is not allowed");
        refused("net.ipv4...kernel.core_pattern", false,
                "sysctl 'net.ipv4...kernel.core_pattern' is not allowed");
        refused("fs.mqueue..", false, "sysctl 'fs.mqueue..' is not allowed");
        refused("net.ipv4.ip_forward.", false, "sysctl 'net.ipv4.ip_forward.' is not allowed");
        refused("fs.file-max", false, "sysctl 'fs.file-max' is not allowed");
        refused("", false, "sysctl '' is not allowed");
        return tap_done();
}
