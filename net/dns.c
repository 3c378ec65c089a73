#include "dns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "dns_zone.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "paths.h"
#include "xalloc.h"

#define READY_TIMEOUT_MS 5000

struct net_dns_records {
        int lock_fd;
        json_t *j;
};

static char *dns_path(const char *name)
{
        return xasprintf("%s/dns/%s", berth_run_dir(), name);
}

static int lock_records(err_t *err)
{
        _cleanup_free_ char *dir = dns_path("");
        _cleanup_free_ char *path = dns_path("records.lock");
        if (mkdir_p(dir, 0700, err) < 0)
                return -1;
        return lock_file(path, err);
}

static net_dns_rebuild_fn rebuild_hook;

void net_dns_set_rebuild(net_dns_rebuild_fn fn)
{
        rebuild_hook = fn;
}

static int ensure_locked(bool want, err_t *err);

/* The records file at path does not parse (why): keep it as .bad, rebuild,
 * write and serve the rebuilt records (the lock is held). */
static int rebuild(const char *path, const char *why, json_t **j, err_t *err)
{
        if (!rebuild_hook)
                return err_set(err, EINVAL, "%s", why);
        _cleanup_free_ char *bad = xasprintf("%s.bad", path);
        if (rename(path, bad) < 0)
                return err_sys(err, errno, "%s; and moving it to %s", why, bad);
        net_dns_records_t tmp = {.lock_fd = -1, .j = json_pack("{s:{}}", "networks")};
        if (rebuild_hook(&tmp, why, err) < 0 || json_write_atomic(path, tmp.j, err) < 0 ||
            ensure_locked(json_object_size(json_object_get(tmp.j, "networks")) > 0, err) < 0) {
                json_decref(tmp.j);
                return err_wrap(err, "rebuilding %s", path);
        }
        *j = tmp.j;
        return 0;
}

int net_dns_records_open(net_dns_records_t **out, err_t *err)
{
        int fd = lock_records(err);
        if (fd < 0)
                return -1;
        _cleanup_free_ char *path = dns_path("records.json");
        json_t *j = NULL;
        err_t rerr = {0};
        if (access(path, F_OK) < 0 && errno == ENOENT) {
                j = json_object();
        } else if (json_read(path, &j, &rerr) < 0) {
                if (rerr.code != EINVAL || rebuild(path, rerr.msg, &j, err) < 0) {
                        if (rerr.code != EINVAL)
                                *err = rerr;
                        close(fd);
                        return -1;
                }
        } else if (!json_is_object(j)) {
                json_decref(j);
                j = NULL;
                char why[512];
                snprintf(why, sizeof(why), "%s: expected a JSON object", path);
                if (rebuild(path, why, &j, err) < 0) {
                        close(fd);
                        return -1;
                }
        }
        if (!json_is_object(json_object_get(j, "networks")))
                json_object_set_new(j, "networks", json_object());
        net_dns_records_t *r = xcalloc(1, sizeof(*r));
        r->lock_fd = fd;
        r->j = j;
        *out = r;
        return 0;
}

const json_t *net_dns_records_json(const net_dns_records_t *r)
{
        return r->j;
}

void net_dns_records_close(net_dns_records_t *r)
{
        if (!r)
                return;
        json_decref(r->j);
        close(r->lock_fd);
        free(r);
}

static json_t *networks(net_dns_records_t *r)
{
        return json_object_get(r->j, "networks");
}

int net_dns_network_add(net_dns_records_t *r, const char *id, const char *name, const char *gateway,
                        bool internal, err_t *err)
{
        json_t *n = json_object_get(networks(r), id);
        if (!n) {
                n = json_object();
                json_object_set_new(n, "endpoints", json_array());
                json_object_set_new(networks(r), id, n);
        }
        json_object_set_new(n, "name", json_string(name ? name : id));
        json_object_set_new(n, "gateway", gateway ? json_string(gateway) : json_null());
        json_object_set_new(n, "internal", json_boolean(internal));
        /* Validate now so a bad value fails here, not later in the server. */
        _cleanup_json_ json_t *probe = json_pack("{s:{s:O}}", "networks", id, n);
        dns_zone_t *z = NULL;
        if (!probe || dns_zone_build(probe, &z, err) < 0) {
                json_object_del(networks(r), id);
                return err_wrap(err, "network %s", id);
        }
        dns_zone_free(z);
        return 0;
}

bool net_dns_network_remove(net_dns_records_t *r, const char *id)
{
        return json_object_del(networks(r), id) == 0;
}

static bool remove_from(json_t *net, const char *container)
{
        json_t *eps = json_object_get(net, "endpoints");
        bool removed = false;
        for (size_t i = json_array_size(eps); i-- > 0;) {
                const char *c =
                    json_string_value(json_object_get(json_array_get(eps, i), "container"));
                if (c && strcmp(c, container) == 0) {
                        json_array_remove(eps, i);
                        removed = true;
                }
        }
        return removed;
}

int net_dns_endpoint_add(net_dns_records_t *r, const char *net_id, const char *container,
                         const char *ipv4, const char *ipv6, const char *const *names, err_t *err)
{
        json_t *net = json_object_get(networks(r), net_id);
        if (!net)
                return err_set(err, ENOENT, "network %s: not in the DNS records", net_id);
        json_t *nm = json_array();
        for (size_t i = 0; names && names[i]; i++)
                json_array_append_new(nm, json_string(names[i]));
        json_t *ep = json_pack("{s:s, s:o, s:o, s:o}", "container", container, "ipv4",
                               ipv4 ? json_string(ipv4) : json_null(), "ipv6",
                               ipv6 ? json_string(ipv6) : json_null(), "names", nm);
        if (!ep)
                return err_set(err, EINVAL, "container %s: cannot build DNS endpoint", container);
        _cleanup_json_ json_t *probe =
            json_pack("{s:{s:{s:s, s:[O]}}}", "networks", net_id, "name", "probe", "endpoints", ep);
        dns_zone_t *z = NULL;
        if (!probe || dns_zone_build(probe, &z, err) < 0) {
                json_decref(ep);
                return err_wrap(err, "container %s on network %s", container, net_id);
        }
        dns_zone_free(z);
        remove_from(net, container);
        json_t *eps = json_object_get(net, "endpoints");
        if (!json_is_array(eps)) {
                eps = json_array();
                json_object_set_new(net, "endpoints", eps);
        }
        json_array_append_new(eps, ep);
        return 0;
}

bool net_dns_endpoint_remove(net_dns_records_t *r, const char *net_id, const char *container)
{
        json_t *net = json_object_get(networks(r), net_id);
        return net && remove_from(net, container);
}

bool net_dns_container_remove(net_dns_records_t *r, const char *container)
{
        const char *k;
        json_t *net;
        bool removed = false;
        json_object_foreach(networks(r), k, net)
        {
                removed |= remove_from(net, container);
        }
        return removed;
}

int net_dns_forward_set(net_dns_records_t *r, bool enabled, const char *const *servers,
                        unsigned timeout_ms, err_t *err)
{
        json_t *sv = json_array();
        for (size_t i = 0; servers && servers[i]; i++) {
                struct sockaddr_storage ss;
                socklen_t sl;
                if (dns_parse_server(servers[i], &ss, &sl, err) < 0) {
                        json_decref(sv);
                        return err_wrap(err, "DNS forwarding");
                }
                json_array_append_new(sv, json_string(servers[i]));
        }
        if (timeout_ms < 1 || timeout_ms > 60000) {
                json_decref(sv);
                return err_set(err, EINVAL, "DNS forwarding timeout %u ms: must be 1-60000",
                               timeout_ms);
        }
        json_object_set_new(r->j, "forward",
                            json_pack("{s:b, s:o, s:I}", "enabled", enabled, "servers", sv,
                                      "timeout_ms", (json_int_t)timeout_ms));
        return 0;
}

/* ---- the server process --------------------------------------------------- */

int net_dns_server_pid(err_t *err)
{
        _cleanup_free_ char *path = dns_path("pid");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return err_sys(err, errno, "open %s", path);
        }
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_GETLK, &fl) < 0)
                return err_sys(err, errno, "F_GETLK %s", path);
        return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

/* Double fork so berth-dns is nobody's child and has its own session; wait
 * until it reports that it loaded the records and bound its sockets. */
static int spawn(err_t *err)
{
        _cleanup_free_ char *bin = berth_sibling_path("BERTH_DNS_BIN", "berth-dns", "berth-dns");
        _cleanup_free_ char *log = dns_path("log");
        if (access(bin, X_OK) < 0)
                return err_sys(err, errno, "berth-dns binary %s", bin);
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return err_sys(err, errno, "pipe");
        pid_t pid = fork();
        if (pid < 0)
                return close_pair_fail(p, err, "fork");
        if (pid == 0) {
                if (setsid() < 0)
                        _exit(127);
                pid_t g = fork();
                if (g != 0)
                        _exit(g < 0 ? 127 : 0);
                /* Lift every source above the targets first, so no dup2
                 * clobbers another source (the CLI may run with 0-2 closed). */
                int nul = fcntl(open("/dev/null", O_RDWR | O_CLOEXEC), F_DUPFD_CLOEXEC, 10);
                int lfd = fcntl(open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600),
                                F_DUPFD_CLOEXEC, 10);
                int rfd = fcntl(p[1], F_DUPFD_CLOEXEC, 10);
                if (nul < 0 || lfd < 0 || rfd < 0 || dup2(rfd, 3) < 0 || dup2(nul, 0) < 0 ||
                    dup2(nul, 1) < 0 || dup2(lfd, 2) < 0)
                        _exit(127);
                closefrom(4);
                execl(bin, "berth-dns", "--ready-fd", "3", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        int pr;
        while ((pr = poll(&pfd, 1, READY_TIMEOUT_MS)) < 0 && errno == EINTR)
                ;
        char c = 0;
        ssize_t n = pr > 0 ? read(p[0], &c, 1) : 0;
        close(p[0]);
        if (pr == 0)
                return err_set(err, ETIMEDOUT, "berth-dns did not start within %d ms (see %s)",
                               READY_TIMEOUT_MS, log);
        if (n == 1 && c == '1')
                return 0;
        if (n == 1 && c == 'B')
                return 1; /* another one won the race: signal that one */
        return err_set(err, EIO, "berth-dns failed to start (see %s)", log);
}

static int ensure_locked(bool have_networks, err_t *err)
{
        int pid = net_dns_server_pid(err);
        if (pid < 0)
                return -1;
        if (pid == 0) {
                if (!have_networks)
                        return 0;
                int r = spawn(err);
                if (r <= 0)
                        return r;
                if ((pid = net_dns_server_pid(err)) <= 0)
                        return pid < 0 ? -1 : err_set(err, ESRCH, "berth-dns vanished");
        }
        if (kill(pid, SIGHUP) < 0 && errno != ESRCH)
                return err_sys(err, errno, "signal berth-dns (pid %d)", pid);
        return 0;
}

int net_dns_records_commit(net_dns_records_t *r, err_t *err)
{
        _cleanup_free_ char *path = dns_path("records.json");
        int ret = json_write_atomic(path, r->j, err);
        if (ret == 0)
                ret = ensure_locked(json_object_size(networks(r)) > 0, err);
        net_dns_records_close(r);
        return ret;
}

int net_dns_ensure_running(err_t *err)
{
        net_dns_records_t *r;
        if (net_dns_records_open(&r, err) < 0)
                return -1;
        int ret = ensure_locked(json_object_size(networks(r)) > 0, err);
        net_dns_records_close(r);
        return ret;
}
