/* Unit tests: which --sysctl keys a container may set (docker's rule). */
#include <stdio.h>
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
        /* refused in any namespace; nothing that steps out of the allowed
         * subtree of /proc/sys */
        static const char *const bad[] = {"vm.swappiness",
                                          "kernel.domainname",
                                          "kernel.hostname",
                                          "kernel.shmmax2",
                                          "kernel.shm",
                                          "net.",
                                          "net/ipv4/ip_forward",
                                          "fs.mqueue",
                                          "net.ipv4/../../kernel/core_pattern",
                                          "net.ipv4...kernel.core_pattern",
                                          "fs.mqueue..",
                                          "net.ipv4.ip_forward.",
                                          "fs.file-max",
                                          ""};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char msg[128];
                snprintf(msg, sizeof(msg), "sysctl '%s' is not allowed", bad[i]);
                refused(bad[i], false, msg);
        }
        return tap_done();
}
