/* container_net.c - the networking hook of container start.
 *
 * Runtime knows nothing about networks: the container's init is created in
 * its own network namespace (unless --network host) and blocks before exec
 * while the CLI configures /proc/<pid>/ns/net here.  User-defined networks
 * (net/) attach their veth peers at this point. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "container_cli.h"

/* Bring lo up inside the namespace of pid (a short-lived child joins it so
 * the CLI's own namespace never changes). */
static int loopback_up(pid_t pid, err_t *err)
{
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
        _cleanup_close_ int ns = open(p, O_RDONLY | O_CLOEXEC);
        if (ns < 0)
                return err_sys(err, errno, "open %s", p);
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return err_sys(err, errno, "pipe");
        pid_t c = fork();
        if (c < 0) {
                close(pfd[0]);
                close(pfd[1]);
                return err_sys(err, errno, "fork");
        }
        if (c == 0) {
                int e = 0;
                if (setns(ns, CLONE_NEWNET) < 0)
                        e = errno;
                int s = e ? -1 : socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                struct ifreq ifr = {0};
                strcpy(ifr.ifr_name, "lo");
                if (!e && (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0))
                        e = errno;
                ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
                if (!e && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                        e = errno;
                (void)!write(pfd[1], &e, sizeof(e));
                _exit(0);
        }
        close(pfd[1]);
        int e = EIO;
        ssize_t r = read(pfd[0], &e, sizeof(e));
        close(pfd[0]);
        waitpid(c, NULL, 0);
        if (r != sizeof(e))
                e = EIO;
        if (e)
                return err_sys(err, e, "bring up loopback in container");
        return 0;
}

int container_network_setup(const char *id, pid_t pid, json_t *j, err_t *err)
{
        const char *mode =
            json_string_value(json_object_get(json_object_get(j, "HostConfig"), "NetworkMode"));
        if (mode && !strcmp(mode, "host"))
                return 0; /* shares the host's namespace */
        if (!mode || !strcmp(mode, "none") || !strcmp(mode, "default") || !strcmp(mode, "bridge"))
                return loopback_up(pid, err);
        return err_set(err, ENOTSUP, "container %.12s: network mode \"%s\" is not supported yet",
                       id, mode);
}
