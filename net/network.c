#include "network.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "crash.h"
#include "names.h"
#include "events.h"
#include "dns.h"
#include "fsutil.h"
#include "ipam.h"
#include "jsonfile.h"
#include "netlink.h"
#include "nft.h"
#include "paths.h"
#include "timefmt.h"
#include "strbuf.h"
#include "xalloc.h"

/* ---- state files ------------------------------------------------------- */

static char *networks_dir(void)
{
        return xasprintf("%s/networks", berth_lib_dir());
}

/* Exclusive lock over every network; the fd is the lock.  Only the calls
 * that make a network (network_create, network_ensure_default) make the
 * state directory, and the root above it on a fresh host: every other call
 * works on networks that exist, and with no networks directory there are
 * none (ENOENT).  A late or stray call on a state root that was removed (a
 * monitor's watcher, a `network rm` after the root's deletion) must not make
 * it again: the lock file is created only inside an existing directory. */
static int net_lock_at(bool make_dir, err_t *err)
{
        _cleanup_free_ char *dir = networks_dir();
        _cleanup_free_ char *path = xasprintf("%s/.lock", dir);

        if (make_dir && mkdir_p(dir, 0700, err) < 0)
                return -1;
        if (!make_dir && access(dir, F_OK) < 0 && errno == ENOENT)
                return err_set(err, ENOENT, "no networks in %s", berth_lib_dir());
        int fd = lock_file(path, err);
        if (fd < 0 && !make_dir && err->code == ENOENT) /* removed since the check */
                return err_set(err, ENOENT, "no networks in %s", berth_lib_dir());
        return fd;
}

/* A network being made: its host objects (bridge, nft chains, the table of
 * the first network) exist before its configuration does, so a creator
 * killed between the two would leave a bridge no state names.  The creator
 * records what it is about to make in NETWORK_CREATING (one file: creation
 * runs under the lock, one at a time) and removes it once the configuration
 * is saved.  The next holder of the lock that finds it undoes what it names
 * (its creator held the lock throughout, so it is dead). */
#define NETWORK_CREATING ".creating.json" /* a dot: load_all passes it by */

static void creating_undo(void);

static int net_lock_at_checked(bool make_dir, err_t *err)
{
        int fd = net_lock_at(make_dir, err);
        if (fd >= 0)
                creating_undo();
        return fd;
}

/* The lock of the calls that may make the first network. */
static int net_lock(err_t *err)
{
        return net_lock_at_checked(true, err);
}

/* The lock of the calls on existing networks: -1 with ENOENT when there are
 * none, and then nothing is made. */
static int net_lock_existing(err_t *err)
{
        return net_lock_at_checked(false, err);
}

static json_t *berth_obj(json_t *n)
{
        json_t *b = json_object_get(n, "Berth");
        if (!json_is_object(b)) {
                b = json_object();
                json_object_set_new(n, "Berth", b);
        }
        return b;
}

/* The configuration (persistent, berth_lib_dir()): everything but the
 * endpoints. */
static int save_config(json_t *n, err_t *err)
{
        _cleanup_free_ char *path =
            xasprintf("%s/networks/%s.json", berth_lib_dir(), jobj_str0(n, "Id"));
        _cleanup_json_ json_t *c = json_deep_copy(n);

        json_object_del(c, "Containers");
        json_object_del(berth_obj(c), "LastIP");
        return json_write_atomic(path, c, err);
}

/* The endpoints (runtime, berth_run_dir()): after a reboot no container runs
 * and every address is free again, which is exactly what losing /run says. */
static int save_endpoints(json_t *n, err_t *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/networks", berth_run_dir());
        _cleanup_free_ char *path = xasprintf("%s/%s.json", dir, jobj_str0(n, "Id"));
        _cleanup_json_ json_t *e =
            json_pack("{s:O, s:s}", "Containers", json_object_get(n, "Containers"), "LastIP",
                      jobj_str0(berth_obj(n), "LastIP"));

        if (mkdir_p(dir, 0700, err) < 0)
                return -1;
        return json_write_atomic(path, e, err);
}

static int load_endpoints(json_t *n, err_t *err)
{
        _cleanup_free_ char *path =
            xasprintf("%s/networks/%s.json", berth_run_dir(), jobj_str0(n, "Id"));
        _cleanup_json_ json_t *e = NULL;

        err_t e2;
        if (json_read(path, &e, &e2) < 0) {
                if (e2.code != ENOENT) {
                        *err = e2;
                        return -1;
                }
                /* none yet, or the network went meanwhile */
                json_object_set_new(n, "Containers", json_object());
                return 0;
        }
        json_t *c = json_object_get(e, "Containers");
        json_object_set(n, "Containers", json_is_object(c) ? c : json_object());
        if (json_string_value(json_object_get(e, "LastIP")))
                json_object_set(berth_obj(n), "LastIP", json_object_get(e, "LastIP"));
        return 0;
}

static json_t *ipam_config(json_t *n)
{
        return json_array_get(json_object_get(json_object_get(n, "IPAM"), "Config"), 0);
}

/* Subnet, gateway and range of a loaded network. */
static int net_addrs(json_t *n, struct ipv4_net *subnet, uint32_t *gw, struct ipv4_net *range,
                     err_t *err)
{
        json_t *c = ipam_config(n);

        if (ipv4_net_parse(jobj_str0(c, "Subnet"), subnet, err) < 0 ||
            ipv4_parse(jobj_str0(c, "Gateway"), gw, err) < 0)
                return err_wrap(err, "network %s: corrupt state", jobj_str0(n, "Name"));
        range->addr = 0;
        range->prefix = 0;
        if (*jobj_str0(c, "IPRange") && ipv4_net_parse(jobj_str0(c, "IPRange"), range, err) < 0)
                return err_wrap(err, "network %s: corrupt state", jobj_str0(n, "Name"));
        return 0;
}

static int forwarding_release(err_t *err);

/* The id of a network config file name "<64 hex>.json", else NULL. */
static char *corrupt_id(const char *fname)
{
        size_t len = strlen(fname);
        if (len != 64 + 5 || strcmp(fname + 64, ".json") || strspn(fname, "0123456789abcdef") != 64)
                return NULL;
        static char id[65];
        memcpy(id, fname, 64);
        id[64] = '\0';
        return id;
}

int network_corrupt(json_t **out, err_t *err)
{
        _cleanup_free_ char *dir = networks_dir();
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        *out = json_array();
        if (!d)
                return errno == ENOENT ? 0 : err_sys(err, errno, "cannot open %s", dir);
        while ((de = readdir(d))) {
                const char *id = corrupt_id(de->d_name);
                json_t *n = NULL;
                err_t e;
                if (!id)
                        continue;
                if (json_read_at(dirfd(d), de->d_name, &n, &e) == 0) {
                        json_decref(n);
                        continue;
                }
                if (e.code != EINVAL)
                        continue;
                _cleanup_free_ char *msg = xasprintf("%s/%s", dir, e.msg);
                json_array_append_new(*out, json_pack("{s:s, s:s}", "Id", id, "Error", msg));
        }
        return 0;
}

/* A network's bridge, nft rules (the table too with the last network),
 * state files and DNS names; name for the messages.  gone_ok: a bridge
 * already gone is not an error. */
static int remove_rest(const struct nft_net *nn, const char *name, size_t remaining, bool gone_ok,
                       err_t *err)
{
        if (nft_network_remove(nn, err) < 0 ||
            (net_link_delete(nn->bridge, err) < 0 &&
             !(gone_ok && (err->code == ENODEV || err->code == ENOENT))))
                return err_wrap(err, "network %s", name);
        if (remaining == 0 && (nft_table_delete(err) < 0 || forwarding_release(err) < 0))
                return -1;
        _cleanup_free_ char *path = xasprintf("%s/networks/%s.json", berth_lib_dir(), nn->id);
        _cleanup_free_ char *rpath = xasprintf("%s/networks/%s.json", berth_run_dir(), nn->id);
        if (unlink(rpath) < 0 && errno != ENOENT)
                return err_sys(err, errno, "cannot remove %s", rpath);
        if (unlink(path) < 0 && errno != ENOENT)
                return err_sys(err, errno, "cannot remove %s", path);
        /* its names leave berth-dns, which exits with the last network */
        net_dns_records_t *r;
        if (net_dns_records_open(&r, err) < 0)
                return err_wrap(err, "network %s", name);
        if (!net_dns_network_remove(r, nn->id)) {
                net_dns_records_close(r);
                return 0;
        }
        if (net_dns_records_commit(r, err) < 0)
                return err_wrap(err, "network %s", name);
        return 0;
}

/* Remove what is left of a network whose configuration is damaged: its
 * bridge (under the name berth gives it unless one was chosen), its nft
 * rules, its state files and its DNS names. */
static int remove_corrupt(const char *id, size_t remaining, err_t *err)
{
        char bridge[16], name[13];
        snprintf(bridge, sizeof(bridge), "br-%.12s", id);
        snprintf(name, sizeof(name), "%.12s", id);
        struct nft_net nn = {.id = id, .bridge = bridge};
        return remove_rest(&nn, name, remaining, true, err);
}

/* Every network's configuration, with its endpoints (Containers, LastIP)
 * when endpoints: reading those costs a parse of each network's endpoint
 * state, which grows with its containers, so the paths that work on one
 * network load only that one's (load_all without, then load_endpoints). */
static int load_all(json_t **out, bool endpoints, err_t *err)
{
        _cleanup_free_ char *dir = networks_dir();
        _cleanup_closedir_ DIR *d = opendir(dir);
        json_t *arr = json_array();
        struct dirent *de;

        if (!d) {
                if (errno == ENOENT) {
                        *out = arr;
                        return 0;
                }
                json_decref(arr);
                return err_sys(err, errno, "cannot open %s", dir);
        }
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                json_t *n;
                if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json"))
                        continue;
                err_t e;
                crash_point("network.listed"); /* a file seen, before it is read */
                if (json_read_at(dirfd(d), de->d_name, &n, &e) < 0) {
                        /* a damaged file is left out, so every other network
                         * keeps working; network ls names it and network rm
                         * removes it (network_corrupt, network_remove) */
                        if (e.code == EINVAL && corrupt_id(de->d_name))
                                continue;
                        /* removed since the readdir (by a network rm that
                         * holds the lock this list does not take) */
                        if (e.code == ENOENT)
                                continue;
                        json_decref(arr);
                        err_set(err, e.code, "%s/%s", dir, e.msg);
                        return -1;
                }
                if (endpoints && load_endpoints(n, err) < 0) {
                        json_decref(n);
                        json_decref(arr);
                        return -1;
                }
                json_array_append_new(arr, n);
        }
        *out = arr;
        return 0;
}

static int cmp_name(const void *a, const void *b)
{
        return strcmp(jobj_str0(*(json_t *const *)a, "Name"),
                      jobj_str0(*(json_t *const *)b, "Name"));
}

int network_list(json_t **out, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        size_t n, i;
        json_t *v;

        if (load_all(&all, true, err) < 0)
                return -1;
        n = json_array_size(all);
        json_t **tmp = xmalloc((n ? n : 1) * sizeof(*tmp));
        json_array_foreach(all, i, v) tmp[i] = v;
        qsort(tmp, n, sizeof(*tmp), cmp_name);
        json_t *sorted = json_array();
        for (i = 0; i < n; i++)
                json_array_append(sorted, tmp[i]);
        free(tmp);
        *out = sorted;
        return 0;
}

/* The network of that exact name in a loaded list, or NULL. */
static json_t *find_name(json_t *all, const char *name)
{
        size_t i;
        json_t *v;
        json_array_foreach(all, i, v) if (!strcmp(jobj_str0(v, "Name"), name)) return v;
        return NULL;
}

/* Find by name, then full id, then unique id prefix, in a loaded list. */
static json_t *find(json_t *all, const char *ref, err_t *err)
{
        json_t *v, *hit = find_name(all, ref);
        size_t i, len = strlen(ref);
        int hits = 0;

        if (hit)
                return hit;
        json_array_foreach(all, i, v) if (!strcmp(jobj_str0(v, "Id"), ref)) return v;
        if (len > 0)
                json_array_foreach(all, i, v) if (!strncmp(jobj_str0(v, "Id"), ref, len))
                {
                        hit = v;
                        hits++;
                }
        if (hits == 1)
                return hit;
        if (hits > 1)
                err_set(err, EINVAL, "network %s is ambiguous: %d networks match", ref, hits);
        else
                err_set(err, ENOENT, "network %s not found", ref);
        return NULL;
}

static int load_one(const char *ref, bool endpoints, json_t **out, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        json_t *n;

        if (load_all(&all, false, err) < 0)
                return -1;
        n = find(all, ref, err);
        if (!n || (endpoints && load_endpoints(n, err) < 0))
                return -1;
        *out = json_incref(n);
        return 0;
}

int network_load(const char *ref, json_t **out, err_t *err)
{
        return load_one(ref, true, out, err);
}

int network_load_config(const char *ref, json_t **out, err_t *err)
{
        return load_one(ref, false, out, err);
}

/* ---- create ------------------------------------------------------------ */

static void random_id(char out[65])
{
        unsigned char b[32];
        size_t got = 0;

        while (got < sizeof(b)) {
                ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        abort(); /* getrandom on a >= 3.17 kernel cannot fail otherwise */
                got += (size_t)r;
        }
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static bool valid_ifname(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
                return false;
        for (; *s; s++)
                if (*s == '/' || *s == ':' || *s <= ' ')
                        return false;
        return true;
}

/* Subnets in use: host routes plus every berth network of this root. */
static int used_subnets(json_t *all, struct ipv4_net **out, size_t *n, err_t *err)
{
        struct ipv4_net *v = NULL;
        size_t nv = 0, i;
        json_t *net;

        if (net_host_routes(&v, &nv, err) < 0)
                return -1;
        json_array_foreach(all, i, net)
        {
                struct ipv4_net s;
                if (ipv4_net_parse(jobj_str0(ipam_config(net), "Subnet"), &s, NULL) < 0)
                        continue;
                v = xrealloc(v, (nv + 1) * sizeof(*v));
                v[nv++] = s;
        }
        *out = v;
        *n = nv;
        return 0;
}

/* The record that this instance turned net.ipv4.ip_forward on (runtime
 * state: the sysctl, like berth_run_dir(), does not survive a reboot). */
#define FWD_RECORD "berth enabled net.ipv4.ip_forward\n"

static char *forwarding_record(void)
{
        return xasprintf("%s/networks/ip_forward", berth_run_dir());
}

/* Turn forwarding on.  *ours: berth did (now or earlier, as recorded), so
 * its forward chain drops what is not a bridge's (Docker's policy drop):
 * a host that did not route before must not start routing its other
 * interfaces because a network was made. */
static int forwarding_enable(bool *ours, err_t *err)
{
        _cleanup_free_ char *rec = forwarding_record();
        char cur[16];

        if (net_sysctl_get("net/ipv4/ip_forward", cur, sizeof(cur), err) < 0)
                return -1;
        if (strcmp(cur, "0")) {
                *ours = access(rec, F_OK) == 0;
                return 0;
        }
        _cleanup_free_ char *dir = xasprintf("%s/networks", berth_run_dir());
        if (mkdir_p(dir, 0700, err) < 0 ||
            atomic_write_file(rec, FWD_RECORD, strlen(FWD_RECORD), 0600, err) < 0 ||
            net_sysctl_set("net/ipv4/ip_forward", "1", err) < 0)
                return -1;
        *ours = true;
        return 0;
}

/* The last network of the instance went: forwarding goes back off if berth
 * turned it on and no other berth instance still has networks. */
static int forwarding_release(err_t *err)
{
        _cleanup_free_ char *rec = forwarding_record();
        bool others;

        if (access(rec, F_OK) < 0)
                return 0;
        if (nft_other_instances(&others, err) < 0)
                return -1;
        if (others)
                return 0;
        if (net_sysctl_set("net/ipv4/ip_forward", "0", err) < 0)
                return -1;
        if (unlink(rec) < 0 && errno != ENOENT)
                return err_sys(err, errno, "cannot remove %s", rec);
        return 0;
}

static int host_setup(const char *bridge, struct nft_net *nn, uint32_t gw, int prefix, err_t *err)
{
        _cleanup_free_ char *key = xasprintf("net/ipv4/conf/%s/route_localnet", bridge);

        if (net_bridge_create(bridge, gw, prefix, 0, err) < 0)
                return -1;
        /* Publishing on 127.0.0.1: DNAT'ed packets keep their loopback
         * source on the way to the bridge (then masqueraded).  The input
         * chain drops what else this lets through (nft.h). */
        if (net_sysctl_set(key, "1", err) < 0 || forwarding_enable(&nn->drop_foreign, err) < 0)
                return -1;
        return nft_network_add(nn, err);
}

static char *creating_path(void)
{
        return xasprintf("%s/networks/" NETWORK_CREATING, berth_lib_dir());
}

/* Record the network about to be made (not fsynced: its host objects do not
 * outlive a reboot either). */
static int creating_mark(const struct nft_net *nn, err_t *err)
{
        _cleanup_json_ json_t *c = json_pack("{s:s, s:s, s:b}", "Id", nn->id, "Bridge", nn->bridge,
                                             "Internal", nn->internal);
        _cleanup_free_ char *dir = networks_dir();
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return err_sys(err, errno, "cannot open %s", dir);
        return json_write_replace_at(dfd, NETWORK_CREATING, c, false, err);
}

static void creating_clear(void)
{
        _cleanup_free_ char *p = creating_path();
        unlink(p);
}

/* Under the lock: undo what a killed creator left (see NETWORK_CREATING).
 * Its configuration was never saved (the record goes right after it is),
 * or it was: then the network stands and only the record goes.  Whatever
 * fails stays recorded for the next holder of the lock. */
static void creating_undo(void)
{
        _cleanup_free_ char *p = creating_path();
        _cleanup_json_ json_t *c = NULL;
        err_t e;
        if (access(p, F_OK) < 0)
                return;
        if (json_read(p, &c, &e) < 0) {
                if (e.code == EINVAL) /* torn before its rename: nothing made yet */
                        unlink(p);
                return;
        }
        const char *id = jobj_str0(c, "Id");
        _cleanup_free_ char *cfg = xasprintf("%s/networks/%s.json", berth_lib_dir(), id);
        if (*id && strchr(id, '/') == NULL && access(cfg, F_OK) < 0) {
                struct nft_net nn = {.id = id,
                                     .bridge = jobj_str0(c, "Bridge"),
                                     .internal = json_is_true(json_object_get(c, "Internal"))};
                if (!valid_ifname(nn.bridge) || nft_network_remove(&nn, &e) < 0 ||
                    net_link_delete(nn.bridge, &e) < 0)
                        return;
                _cleanup_json_ json_t *all = NULL;
                if (load_all(&all, false, &e) < 0)
                        return;
                if (json_array_size(all) == 0 &&
                    (nft_table_delete(&e) < 0 || forwarding_release(&e) < 0))
                        return;
        }
        unlink(p);
}

static int create_locked(const struct network_create_opts *o, bool is_default, char **id_out,
                         err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        _cleanup_free_ struct ipv4_net *used = NULL;
        _cleanup_free_ struct ipam_pool *pools = NULL;
        size_t nused = 0, npools = 0;
        struct ipv4_net subnet, range = {0, 0};
        uint32_t gw;
        char id[65], bridge[32], sbuf[IPV4_NET_STRLEN], gbuf[IPV4_STRLEN];
        const char *driver = o->driver ? o->driver : "bridge";

        if (!name_ok(o->name, true))
                return err_set(err, EINVAL,
                               "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                               "allowed",
                               o->name);
        if (strcmp(driver, "bridge"))
                return err_set(err, EINVAL, "network driver \"%s\" is not supported (only bridge)",
                               driver);
        if (!is_default && (!strcmp(o->name, "host") || !strcmp(o->name, "none")))
                return err_set(err, EINVAL, "network name %s is reserved", o->name);
        if (load_all(&all, false, err) < 0)
                return -1;
        if (find_name(all, o->name))
                return err_set(err, EEXIST, "network with name %s already exists", o->name);
        size_t i;
        json_t *v;

        random_id(id);
        snprintf(bridge, sizeof(bridge), "br-%.12s", id);
        const char *bopt =
            o->options ? json_string_value(json_object_get(o->options, NETWORK_BRIDGE_NAME_OPT))
                       : NULL;
        if (bopt) {
                if (!valid_ifname(bopt))
                        return err_set(err, EINVAL,
                                       "invalid %s \"%s\": must be 1-15 characters without / : "
                                       "or spaces",
                                       NETWORK_BRIDGE_NAME_OPT, bopt);
                json_array_foreach(
                    all, i,
                    v) if (!strcmp(jobj_str0(berth_obj(v), "Bridge"),
                                   bopt)) return err_set(err, EEXIST,
                                                         "bridge %s is already used by network %s",
                                                         bopt, jobj_str0(v, "Name"));
                int ex = net_link_exists(bopt, err);
                if (ex < 0)
                        return -1;
                if (ex)
                        return err_set(err, EEXIST,
                                       "bridge %s already exists on this host; choose another %s",
                                       bopt, NETWORK_BRIDGE_NAME_OPT);
                snprintf(bridge, sizeof(bridge), "%s", bopt);
        }

        if (o->subnet) {
                if (ipv4_net_parse(o->subnet, &subnet, err) < 0)
                        return -1;
                if (subnet.prefix > 30)
                        return err_set(err, EINVAL, "subnet %s is too small (at most /30)",
                                       o->subnet);
                json_array_foreach(all, i, v)
                {
                        struct ipv4_net s;
                        if (ipv4_net_parse(jobj_str0(ipam_config(v), "Subnet"), &s, NULL) == 0 &&
                            ipv4_net_overlap(&s, &subnet))
                                return err_set(err, EEXIST,
                                               "subnet %s overlaps with network %s (%s)", o->subnet,
                                               jobj_str0(v, "Name"),
                                               jobj_str0(ipam_config(v), "Subnet"));
                }
                /* A host route inside the requested subnet means that
                 * range is already a network here (another bridge, a
                 * VPN); a wider route (a VPN's 10/8) is not a conflict. */
                _cleanup_free_ struct ipv4_net *routes = NULL;
                size_t nroutes = 0;
                if (net_host_routes(&routes, &nroutes, err) < 0)
                        return -1;
                for (size_t k = 0; k < nroutes; k++)
                        if (routes[k].prefix >= subnet.prefix &&
                            ipv4_net_overlap(&routes[k], &subnet)) {
                                char rbuf[IPV4_NET_STRLEN];
                                ipv4_net_format(&routes[k], rbuf);
                                return err_set(err, EEXIST,
                                               "subnet %s overlaps with the host route %s",
                                               o->subnet, rbuf);
                        }
        } else {
                if (used_subnets(all, &used, &nused, err) < 0)
                        return -1;
                bool picked = false;
                if (is_default && !getenv("BERTH_ADDRESS_POOLS")) {
                        struct ipv4_net pref = {0xac110000u, 16}; /* 172.17.0.0/16 */
                        picked = true;
                        for (size_t k = 0; k < nused && picked; k++)
                                picked = !ipv4_net_overlap(&pref, &used[k]);
                        if (picked)
                                subnet = pref;
                }
                if (!picked) {
                        if (ipam_pools_default(&pools, &npools, err) < 0 ||
                            ipam_pick_subnet(pools, npools, used, nused, &subnet, err) < 0)
                                return -1;
                }
        }
        if (o->gateway) {
                if (ipv4_parse(o->gateway, &gw, err) < 0)
                        return err_wrap(err, "invalid --gateway");
                if (ipam_check_ip(&subnet, 0, NULL, 0, gw, err) < 0)
                        return err_wrap(err, "invalid --gateway");
        } else {
                gw = subnet.addr + 1;
        }
        if (o->ip_range) {
                if (ipv4_net_parse(o->ip_range, &range, err) < 0)
                        return err_wrap(err, "invalid --ip-range");
                if (range.prefix < subnet.prefix || !ipv4_net_contains(&subnet, range.addr))
                        return err_set(err, EINVAL, "--ip-range %s is not inside the subnet",
                                       o->ip_range);
        }

        ipv4_net_format(&subnet, sbuf);
        ipv4_format(gw, gbuf);
        _cleanup_free_ char *created = time_now_rfc3339();
        json_t *cfg = json_pack("{s:s, s:s}", "Subnet", sbuf, "Gateway", gbuf);
        if (o->ip_range) {
                char rbuf[IPV4_NET_STRLEN];
                ipv4_net_format(&range, rbuf);
                json_object_set_new(cfg, "IPRange", json_string(rbuf));
        }
        _cleanup_json_ json_t *n = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:{s:s, s:[o]}, s:o, s:o, s:{}, s:{s:s}}",
            "Name", o->name, "Id", id, "Created", created, "Scope", "local", "Driver", "bridge",
            "EnableIPv6", 0, "Internal", o->internal, "Attachable", 0, "IPAM", "Driver", "default",
            "Config", cfg, "Options", o->options ? json_deep_copy(o->options) : json_object(),
            "Labels", o->labels ? json_deep_copy(o->labels) : json_object(), "Containers", "Berth",
            "Bridge", bridge);
        if (!n)
                abort();
        if (bopt == NULL)
                json_object_set_new(json_object_get(n, "Options"), NETWORK_BRIDGE_NAME_OPT,
                                    json_string(bridge));

        struct nft_net nn = {.id = id, .bridge = bridge, .internal = o->internal};
        if (creating_mark(&nn, err) < 0)
                return -1;
        if (host_setup(bridge, &nn, gw, subnet.prefix, err) < 0) {
                err_t ignored;
                nft_network_remove(&nn, &ignored);
                net_link_delete(bridge, &ignored);
                if (json_array_size(all) == 0 && nft_table_delete(&ignored) == 0)
                        forwarding_release(&ignored);
                creating_clear();
                return err_wrap(err, "network %s", o->name);
        }
        crash_point("network.bridge");
        if (save_config(n, err) < 0) {
                err_t ignored;
                nft_network_remove(&nn, &ignored);
                net_link_delete(bridge, &ignored);
                creating_clear();
                return -1;
        }
        creating_clear();
        events_logv("network", "create", id, "name", o->name, "type", "bridge", NULL);
        if (id_out)
                *id_out = xstrdup(id);
        return 0;
}

int network_create(const struct network_create_opts *o, char **id_out, err_t *err)
{
        _cleanup_close_ int lock = net_lock(err);
        if (lock < 0)
                return -1;
        return create_locked(o, false, id_out, err);
}

int network_ensure_default(err_t *err)
{
        _cleanup_close_ int lock = net_lock(err);
        _cleanup_json_ json_t *all = NULL;

        if (lock < 0 || load_all(&all, false, err) < 0)
                return -1;
        if (find_name(all, NETWORK_DEFAULT_NAME))
                return 0;
        struct network_create_opts o = {.name = NETWORK_DEFAULT_NAME};
        return create_locked(&o, true, NULL, err);
}

/* ---- remove ------------------------------------------------------------ */

bool network_endpoint_stopped(const json_t *ep)
{
        return json_is_true(json_object_get(ep, "Stopped"));
}

/* The endpoints of running containers. */
static size_t active_endpoints(json_t *ctrs)
{
        const char *k;
        json_t *e;
        size_t n = 0;
        json_object_foreach(ctrs, k, e) n += !network_endpoint_stopped(e);
        return n;
}

static int remove_locked(json_t *n, size_t remaining, err_t *err)
{
        const char *bridge = jobj_str0(berth_obj(n), "Bridge");
        struct nft_net nn = {.id = jobj_str0(n, "Id"),
                             .bridge = bridge,
                             .internal = json_is_true(json_object_get(n, "Internal"))};
        json_t *ctrs = json_object_get(n, "Containers");

        /* Only running containers' endpoints keep it, as in docker: a
         * stopped container's static address reservation goes with the
         * network (its next start fails: network not found). */
        if (active_endpoints(ctrs) > 0) {
                strbuf_t names = STRBUF_INIT;
                const char *k;
                json_t *e;
                json_object_foreach(ctrs, k, e) if (!network_endpoint_stopped(e))
                    sb_appendf(&names, "%s%s", names.len ? ", " : "", jobj_str0(e, "Name"));
                err_set(err, EBUSY, "network %s has active endpoints (%s)", jobj_str0(n, "Name"),
                        sb_str(&names));
                sb_free(&names);
                return -1;
        }
        if (remove_rest(&nn, jobj_str0(n, "Name"), remaining, false, err) < 0)
                return -1;
        events_logv("network", "destroy", jobj_str0(n, "Id"), "name", jobj_str0(n, "Name"), "type",
                    "bridge", NULL);
        return 0;
}

/* Takes the networks lock and loads them all (with their endpoints when
 * endpoints): the lock fd; NO_NETWORKS, no lock taken and *all empty, on a
 * root without networks (nothing is made there); -1 on failure. */
#define NO_NETWORKS (-2)
static int lock_all_existing(json_t **all, bool endpoints, err_t *err)
{
        int lock = net_lock_existing(err);
        if (lock < 0 && err->code == ENOENT) {
                err_clear(err);
                *all = json_array();
                return NO_NETWORKS;
        }
        return lock < 0 ? -1 : fd_keep_if(lock, load_all(all, endpoints, err));
}

/* Takes the networks lock (a root without networks has none: "network REF
 * not found"), loads them all and finds ref: the lock fd, with *all and *n
 * (NULL with err set when ref is not there), or -1 with neither. */
static int lock_find(const char *ref, json_t **all, json_t **n, err_t *err)
{
        *n = NULL;
        int lock = lock_all_existing(all, false, err);
        if (lock == NO_NETWORKS)
                return err_set(err, ENOENT, "network %s not found", ref);
        if (lock >= 0)
                *n = find(*all, ref, err);
        return lock;
}

int network_remove(const char *ref, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        json_t *n;
        _cleanup_close_ int lock = lock_find(ref, &all, &n, err);

        if (lock < 0)
                return -1;
        if (!n && err->code == ENOENT) {
                /* one whose configuration is damaged: by full id or prefix */
                _cleanup_json_ json_t *bad = NULL;
                json_t *v, *hit = NULL;
                size_t i, hits = 0, len = strlen(ref);
                if (network_corrupt(&bad, err) < 0)
                        return -1;
                json_array_foreach(bad, i, v) if (len && !strncmp(jobj_str0(v, "Id"), ref, len))
                {
                        hit = v;
                        hits++;
                }
                if (hits == 1)
                        return remove_corrupt(jobj_str0(hit, "Id"), json_array_size(all), err);
                return err_set(err, ENOENT, "network %s not found", ref);
        }
        if (!n || load_endpoints(n, err) < 0)
                return -1;
        return remove_locked(n, json_array_size(all) - 1, err);
}

int network_prune(json_t *removed, int64_t until_ns, bool (*match)(const json_t *labels, void *ud),
                  void *ud, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        _cleanup_close_ int lock = lock_all_existing(&all, true, err);
        size_t i, remaining;
        json_t *v;

        if (lock == -1)
                return -1;
        remaining = json_array_size(all);
        json_array_foreach(all, i, v)
        {
                if (!strcmp(jobj_str0(v, "Name"), NETWORK_DEFAULT_NAME) ||
                    active_endpoints(json_object_get(v, "Containers")) > 0 ||
                    (until_ns && time_parse_rfc3339_ns(jobj_str0(v, "Created")) > until_ns) ||
                    (match && !match(json_object_get(v, "Labels"), ud)))
                        continue;
                remaining--;
                if (remove_locked(v, remaining, err) < 0)
                        return -1;
                json_array_append_new(removed, json_string(jobj_str0(v, "Name")));
        }
        return 0;
}

/* ---- endpoints --------------------------------------------------------- */

static json_t *ports_to_json(const struct port_map *m, size_t n)
{
        json_t *a = json_array();
        char ip[IPV4_STRLEN];

        for (size_t i = 0; i < n; i++) {
                ipv4_format(m[i].host_ip, ip);
                json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:s}", "HostIp", ip, "HostPort",
                                                   m[i].host_port, "ContainerPort",
                                                   m[i].container_port, "Protocol",
                                                   port_proto_name(m[i].proto)));
        }
        return a;
}

static int ports_from_json(json_t *a, struct port_map **out, size_t *n, err_t *err)
{
        size_t i, cnt = json_array_size(a);
        json_t *p;
        struct port_map *m = xcalloc(cnt ? cnt : 1, sizeof(*m));

        json_array_foreach(a, i, p)
        {
                if (ipv4_parse(jobj_str0(p, "HostIp"), &m[i].host_ip, err) < 0) {
                        free(m);
                        return err_wrap(err, "corrupt endpoint state");
                }
                m[i].host_port = m[i].host_port_last =
                    (uint16_t)json_integer_value(json_object_get(p, "HostPort"));
                m[i].container_port =
                    (uint16_t)json_integer_value(json_object_get(p, "ContainerPort"));
                m[i].proto = strcmp(jobj_str0(p, "Protocol"), "udp") ? IPPROTO_TCP : IPPROTO_UDP;
        }
        *out = m;
        *n = cnt;
        return 0;
}

/* Under the lock: pick the address (a fresh endpoint) and record the
 * endpoint with r's ports in the endpoint state.  *old gets the ports of the
 * previous start (a restart), which the caller unpublishes. */
static bool endpoint_releasing(const json_t *ep)
{
        return json_is_true(json_object_get(ep, "Releasing"));
}

/* The endpoints left by NETWORK_ADDR_RELEASE whose host veth is gone are
 * freed; with force, the others too, their links deleted first (waits for
 * the kernel).  Returns how many remain, < 0 on error. */
static int releasing_sweep(json_t *ctrs, bool force, err_t *err)
{
        const char *k;
        json_t *e;
        void *tmp;
        int left = 0;
        json_object_foreach_safe(ctrs, tmp, k, e)
        {
                if (!endpoint_releasing(e))
                        continue;
                const char *ifn = jobj_str0(e, "HostIfname");
                int ex =
                    force ? (net_link_delete(ifn, err) < 0 ? -1 : 0) : net_link_exists(ifn, err);
                if (ex < 0)
                        return -1;
                if (ex)
                        left++;
                else
                        json_object_del(ctrs, k);
        }
        return left;
}

bool network_endpoint_releasing(const json_t *ep)
{
        return endpoint_releasing(ep);
}

int network_releasing_sweep(err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        _cleanup_close_ int lock = lock_all_existing(&all, true, err);
        size_t i;
        json_t *n;

        if (lock == -1)
                return -1;
        json_array_foreach(all, i, n)
        {
                json_t *ctrs = json_object_get(n, "Containers");
                size_t before = json_object_size(ctrs);
                if (releasing_sweep(ctrs, false, err) < 0 ||
                    (json_object_size(ctrs) != before && save_endpoints(n, err) < 0))
                        return err_wrap(err, "network %s", jobj_str0(n, "Name"));
        }
        return 0;
}

/* The addresses the endpoints of ctrs hold, in *used (caller frees). */
static size_t used_addrs(json_t *ctrs, uint32_t **used)
{
        size_t nused = 0;
        const char *k;
        json_t *e;
        *used = xcalloc(json_object_size(ctrs) + 1, sizeof(uint32_t));
        json_object_foreach(ctrs, k, e)
        {
                const char *a = jobj_str0(e, "IPv4Address");
                char tmp[IPV4_STRLEN];
                snprintf(tmp, sizeof(tmp), "%.*s", (int)strcspn(a, "/"), a);
                if (ipv4_parse(tmp, &(*used)[nused], NULL) == 0)
                        nused++;
        }
        return nused;
}

int network_releasing_wait(int timeout_ms, bool *had, err_t *err)
{
        *had = false;
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* polled every 5 ms at first, backing off to 100 ms: a namespace
         * held for seconds costs a few dozen state reads, not thousands */
        for (long step_ms = 5;; step_ms = step_ms < 100 ? step_ms * 2 : 100) {
                _cleanup_json_ json_t *all = NULL;
                size_t i;
                json_t *n;
                bool left = false;
                if (load_all(&all, true, err) < 0)
                        return -1;
                json_array_foreach(all, i, n)
                {
                        const char *k;
                        json_t *e;
                        json_object_foreach(json_object_get(n, "Containers"), k, e)
                        {
                                if (!endpoint_releasing(e))
                                        continue;
                                *had = true;
                                int ex = net_link_exists(jobj_str0(e, "HostIfname"), err);
                                if (ex < 0)
                                        return -1;
                                left |= ex > 0;
                        }
                }
                clock_gettime(CLOCK_MONOTONIC, &now);
                long waited =
                    (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
                if (!left || waited >= timeout_ms)
                        return left;
                struct timespec ts = {0, step_ms * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

static int connect_reserve(json_t *n, const struct network_endpoint_req *r,
                           struct network_endpoint *out, bool *fresh_out, struct port_map **old,
                           size_t *nold, err_t *err)
{
        struct ipv4_net subnet, range;
        uint32_t gw, ip = 0, hint = 0;
        json_t *ctrs = json_object_get(n, "Containers");
        json_t *ep = json_object_get(ctrs, r->container_id);
        char ipbuf[IPV4_STRLEN], macbuf[18], cidr[IPV4_NET_STRLEN + 4];

        if (net_addrs(n, &subnet, &gw, &range, err) < 0)
                return -1;
        if (ep && endpoint_releasing(ep)) {
                /* Its own endpoint from before it stopped, its address held
                 * while the old veth is there: the veth goes now (the new
                 * pair takes its name: net_attach would delete it anyway),
                 * and it gets a fresh address, as any stopped container. */
                if (net_link_delete(jobj_str0(ep, "HostIfname"), err) < 0)
                        return err_wrap(err, "network %s", jobj_str0(n, "Name"));
                json_object_del(ctrs, r->container_id);
                ep = NULL;
        }
        bool fresh = ep == NULL;
        if (!fresh) {
                const char *a = jobj_str0(ep, "IPv4Address");
                char tmp[IPV4_STRLEN];
                snprintf(tmp, sizeof(tmp), "%.*s", (int)strcspn(a, "/"), a);
                if (ipv4_parse(tmp, &ip, err) < 0)
                        return err_wrap(err, "corrupt endpoint state");
        } else {
                /* Addresses of removed containers whose veth is gone are
                 * free again; those whose veth is not are taken, unless no
                 * other one will do: then their links are deleted now. */
                int left = releasing_sweep(ctrs, false, err);
                if (left < 0)
                        return err_wrap(err, "network %s", jobj_str0(n, "Name"));
                for (int pass = 0;; pass++) {
                        _cleanup_free_ uint32_t *used = NULL;
                        size_t nused = used_addrs(ctrs, &used);
                        int r2;
                        if (r->ip) {
                                r2 = ipv4_parse(r->ip, &ip, err);
                                if (r2 == 0)
                                        r2 = ipam_check_ip(&subnet, gw, used, nused, ip, err);
                        } else {
                                const char *last = jobj_str0(berth_obj(n), "LastIP");
                                if (*last)
                                        ipv4_parse(last, &hint, NULL);
                                r2 =
                                    ipam_alloc_ip(&subnet, &range, gw, used, nused, hint, &ip, err);
                        }
                        if (r2 == 0)
                                break;
                        if (pass > 0 || left == 0 || (left = releasing_sweep(ctrs, true, err)) < 0)
                                return err_wrap(err, "network %s", jobj_str0(n, "Name"));
                        err_clear(err);
                }
        }

        memset(out, 0, sizeof(*out));
        snprintf(out->network_id, sizeof(out->network_id), "%s", jobj_str0(n, "Id"));
        snprintf(out->network_name, sizeof(out->network_name), "%s", jobj_str0(n, "Name"));
        out->ip = ip;
        out->prefix = subnet.prefix;
        out->gateway = gw;
        ipam_mac_from_ip(ip, out->mac);
        net_host_ifname(r->container_id, jobj_str0(n, "Id"), out->host_ifname);
        ipv4_format(ip, ipbuf);
        ipam_mac_format(out->mac, macbuf);
        snprintf(cidr, sizeof(cidr), "%s/%d", ipbuf, subnet.prefix);

        json_t *aliases = json_array();
        for (const char *const *a = r->aliases; a && *a; a++)
                json_array_append_new(aliases, json_string(*a));
        json_t *nep =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "Name",
                      r->container_name ? r->container_name : "", "EndpointID", out->host_ifname,
                      "MacAddress", macbuf, "IPv4Address", cidr, "IPv6Address", "", "Aliases",
                      aliases, "Ifname", r->ifname ? r->ifname : "eth0", "HostIfname",
                      out->host_ifname, "Ports", ports_to_json(r->ports, r->nports));
        if (!fresh && !r->aliases)
                json_object_set(nep, "Aliases", json_object_get(ep, "Aliases"));
        if (fresh ? r->ip != NULL : network_endpoint_static(ep))
                json_object_set_new(nep, "Static", json_true());
        *old = NULL;
        *nold = 0;
        if (!fresh && r->netns_fd >= 0 &&
            ports_from_json(json_object_get(ep, "Ports"), old, nold, err) < 0) {
                json_decref(nep);
                return err_wrap(err, "network %s", jobj_str0(n, "Name"));
        }
        json_object_set_new(ctrs, r->container_id, nep);
        if (fresh)
                json_object_set_new(berth_obj(n), "LastIP", json_string(ipbuf));
        if (save_endpoints(n, err) < 0) {
                free(*old);
                *old = NULL;
                return -1;
        }
        *fresh_out = fresh;
        return 0;
}

/* An attach failed after connect_reserve: a fresh endpoint goes, a
 * restarted one stays allocated with ports (taken) as published. */
static void connect_undo(const char *ref, const char *container_id, bool fresh, json_t *ports)
{
        _cleanup_json_ json_t *p = ports;
        err_t e;
        _cleanup_close_ int lock = net_lock_existing(&e);
        _cleanup_json_ json_t *all = NULL;
        json_t *n, *ep;
        if (lock < 0 || load_all(&all, false, &e) < 0 || !(n = find(all, ref, &e)) ||
            load_endpoints(n, &e) < 0)
                return;
        ep = json_object_get(json_object_get(n, "Containers"), container_id);
        if (!ep)
                return;
        if (fresh)
                json_object_del(json_object_get(n, "Containers"), container_id);
        else
                json_object_set(ep, "Ports", p);
        (void)save_endpoints(n, &e);
}

/* The lock covers the address choice and the endpoint state only: the
 * links, addresses and routes (netlink, about a millisecond) and the
 * published ports (an nftables transaction) are made after it is released,
 * so the containers of a compose up do not queue behind each other's
 * attach.  The recorded endpoint keeps its address from being handed out
 * twice and the network from being removed meanwhile. */
int network_connect(const char *ref, const struct network_endpoint_req *r,
                    struct network_endpoint *out, err_t *err)
{
        _cleanup_free_ struct port_map *old = NULL;
        size_t nold = 0;
        bool fresh = false;
        _cleanup_free_ char *bridge = NULL;
        {
                _cleanup_json_ json_t *all = NULL;
                json_t *n;
                _cleanup_close_ int lock = lock_find(ref, &all, &n, err);
                if (lock < 0 || !n || load_endpoints(n, err) < 0 ||
                    connect_reserve(n, r, out, &fresh, &old, &nold, err) < 0)
                        return -1;
                bridge = xstrdup(jobj_str0(berth_obj(n), "Bridge"));
        }
        if (r->netns_fd < 0)
                return 0;
        /* A restart: the ports of the previous start may differ. */
        if (nold && nft_ports_remove(r->container_id, old, nold, err) < 0) {
                connect_undo(out->network_id, r->container_id, fresh, ports_to_json(old, nold));
                return err_wrap(err, "network %s", out->network_name);
        }
        struct net_attach_req a = {
            .netns_fd = r->netns_fd,
            .bridge = bridge,
            .host_ifname = out->host_ifname,
            .ifname = r->ifname ? r->ifname : "eth0",
            .ip = out->ip,
            .prefix = out->prefix,
            .gateway = out->gateway,
            .default_route = r->default_route,
        };
        memcpy(a.mac, out->mac, 6);
        if (net_attach(&a, err) < 0) {
                connect_undo(out->network_id, r->container_id, fresh, json_array());
                return err_wrap(err, "network %s", out->network_name);
        }
        if (nft_ports_add(r->container_id, out->ip, r->ports, r->nports, err) < 0) {
                err_t ignored;
                net_link_delete(out->host_ifname, &ignored);
                connect_undo(out->network_id, r->container_id, fresh, json_array());
                return -1;
        }
        events_logv("network", "connect", out->network_id, "container", r->container_id, "name",
                    out->network_name, "type", "bridge", NULL);
        return 0;
}

bool network_endpoint_static(const json_t *ep)
{
        return json_is_true(json_object_get(ep, "Static"));
}

int network_endpoint_down(const char *ref, const char *container_id, bool netns_gone,
                          enum network_addr_fate addr, err_t *err)
{
        _cleanup_close_ int lock = net_lock_existing(err);
        _cleanup_json_ json_t *all = NULL;
        _cleanup_free_ struct port_map *ports = NULL;
        size_t nports = 0;
        json_t *n, *ep;

        if (lock < 0 || load_all(&all, false, err) < 0)
                return -1;
        n = find(all, ref, err);
        if (!n || load_endpoints(n, err) < 0)
                return -1;
        ep = json_object_get(json_object_get(n, "Containers"), container_id);
        if (!ep)
                return err_set(err, ENOENT, "container %.12s is not connected to network %s",
                               container_id, jobj_str0(n, "Name"));
        bool free_it = addr == NETWORK_ADDR_FREE || addr == NETWORK_ADDR_RELEASE ||
                       (addr == NETWORK_ADDR_STOPPED && !network_endpoint_static(ep));
        if (ports_from_json(json_object_get(ep, "Ports"), &ports, &nports, err) < 0 ||
            nft_ports_remove(container_id, ports, nports, err) < 0)
                return err_wrap(err, "network %s", jobj_str0(n, "Name"));
        const char *hif = jobj_str0(ep, "HostIfname");
        if (!netns_gone) {
                /* A namespace that lives on (joined by another container, a
                 * disconnect) keeps the pair: delete it (deleting a link that
                 * is gone is cheap and counts as done). */
                if (net_link_delete(hif, err) < 0)
                        return err_wrap(err, "network %s", jobj_str0(n, "Name"));
        } else if (free_it) {
                /* One rule however the container ended: its address is freed
                 * only once its host veth is gone.  A dying namespace takes
                 * the pair with it in the kernel's own time, and nobody waits
                 * for that (a delete by hand waits 11-40 ms for an RCU
                 * barrier, under the network lock): until then the endpoint
                 * stays, "Releasing" (and "Stopped": not listed, not keeping
                 * the network), its address taken.  The next allocation on
                 * the network, or netwire_gc, frees it once the link is
                 * gone; an allocation that needs it deletes the link
                 * (connect_reserve).  The host end goes down first, so the
                 * bridge forwards nothing to or from a namespace held beyond
                 * its container; a removed one's (RELEASE: run --rm) is not
                 * even waited for that. */
                int ex = addr == NETWORK_ADDR_RELEASE || endpoint_releasing(ep)
                             ? net_link_exists(hif, err)
                             : net_link_down(hif, err);
                if (ex < 0)
                        return err_wrap(err, "network %s", jobj_str0(n, "Name"));
                if (ex) {
                        if (endpoint_releasing(ep) && nports == 0)
                                return 1;
                        json_object_set_new(ep, "Ports", json_array());
                        json_object_set_new(ep, "Stopped", json_true());
                        json_object_set_new(ep, "Releasing", json_true());
                        return save_endpoints(n, err) < 0 ? -1 : 1;
                }
        }
        if (!free_it) {
                /* Stays allocated; its ports are no longer published.  A
                 * static one kept for its stopped container no longer keeps
                 * the network (network rm, inspect: only running ones); one
                 * kept otherwise (its names could not be dropped, a start
                 * undone) does, until netwire_gc deals with it. */
                bool stopped = addr == NETWORK_ADDR_STOPPED;
                if (nports == 0 && (!stopped || network_endpoint_stopped(ep)))
                        return 0;
                json_object_set_new(ep, "Ports", json_array());
                if (stopped)
                        json_object_set_new(ep, "Stopped", json_true());
                return save_endpoints(n, err);
        }
        json_object_del(json_object_get(n, "Containers"), container_id);
        return save_endpoints(n, err);
}

int network_of_container(const char *container_id, json_t **names, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        size_t i;
        json_t *v;

        if (network_list(&all, err) < 0)
                return -1;
        *names = json_array();
        json_array_foreach(all, i,
                           v) if (json_object_get(json_object_get(v, "Containers"), container_id))
            json_array_append_new(*names, json_string(jobj_str0(v, "Name")));
        return 0;
}

/* After a reboot (or anything else that deleted them) the stored networks
 * have no bridge, no nftables chains and no forwarding set-up: put back what
 * is missing, leaving networks whose bridge exists alone. */
int network_restore_all(json_t *restored, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        _cleanup_close_ int lock = lock_all_existing(&all, false, err);
        size_t i;
        json_t *n;

        if (lock == -1)
                return -1;
        json_array_foreach(all, i, n)
        {
                const char *bridge = jobj_str0(berth_obj(n), "Bridge");
                struct ipv4_net subnet, range;
                uint32_t gw;
                if (!*bridge)
                        return err_set(err, EINVAL, "network %s: corrupt state (no bridge)",
                                       jobj_str0(n, "Name"));
                int ex = net_link_exists(bridge, err);
                if (ex < 0)
                        return err_wrap(err, "network %s", jobj_str0(n, "Name"));
                if (ex)
                        continue;
                if (net_addrs(n, &subnet, &gw, &range, err) < 0)
                        return -1;
                struct nft_net nn = {.id = jobj_str0(n, "Id"),
                                     .bridge = bridge,
                                     .internal = json_is_true(json_object_get(n, "Internal"))};
                if (host_setup(bridge, &nn, gw, subnet.prefix, err) < 0)
                        return err_wrap(err, "network %s", jobj_str0(n, "Name"));
                if (restored)
                        json_array_append_new(restored, json_string(jobj_str0(n, "Name")));
        }
        return 0;
}
