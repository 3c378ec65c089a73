/* registry_config.c - registry settings from /etc/berth/config.json
 * (BERTH_CONFIG=FILE), Docker daemon.json key names:
 *   {"registry-mirrors": ["https://mirror.example"],
 *    "insecure-registries": ["myhost:5000", "10.0.0.0/8"]} */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "registry_internal.h"
#include "xalloc.h"

#define DEFAULT_CONFIG "/etc/berth/config.json"

void reg_settings_free(struct reg_settings *s)
{
        strv_free(&s->mirrors);
        strv_free(&s->insecure);
}

static int str_list(const json_t *j, const char *key, const char *file, strv_t *out, err_t *err)
{
        const json_t *a = json_object_get(j, key);
        if (!a)
                return 0;
        if (!json_is_array(a))
                return err_set(err, EINVAL, "%s: \"%s\" must be a list of strings", file, key);
        size_t i;
        const json_t *v;
        json_array_foreach(a, i, v)
        {
                if (!json_is_string(v) || !*json_string_value(v))
                        return err_set(err, EINVAL, "%s: \"%s\" must be a list of strings", file,
                                       key);
                strv_push(out, json_string_value(v));
        }
        return 0;
}

int reg_settings_load(struct reg_settings *s, err_t *err)
{
        memset(s, 0, sizeof(*s));
        const char *file = getenv("BERTH_CONFIG");
        if (!file || !*file)
                file = DEFAULT_CONFIG;
        char *data = NULL;
        size_t len = 0;
        if (read_file(file, &data, &len, err) < 0) {
                if (err->code == ENOENT)
                        return 0;
                return -1;
        }
        json_error_t je;
        json_t *j = json_loadb(data, len, 0, &je);
        free(data);
        if (!json_is_object(j)) {
                json_decref(j);
                return err_set(err, EINVAL, "%s: line %d: %s", file, je.line, je.text);
        }
        int r = 0;
        if (str_list(j, "registry-mirrors", file, &s->mirrors, err) < 0 ||
            str_list(j, "insecure-registries", file, &s->insecure, err) < 0)
                r = -1;
        for (size_t i = 0; r == 0 && i < s->mirrors.n; i++) {
                const char *m = s->mirrors.v[i];
                if (strncmp(m, "http://", 7) != 0 && strncmp(m, "https://", 8) != 0)
                        r = err_set(err, EINVAL,
                                    "%s: registry mirror %s: must start with http:// "
                                    "or https://",
                                    file, m);
        }
        json_decref(j);
        if (r < 0)
                reg_settings_free(s);
        return r;
}

/* host part of "host[:port]" / "[v6]:port" into buf */
static void host_only(const char *hostport, char *buf, size_t n)
{
        const char *end;
        if (hostport[0] == '[') {
                end = strchr(hostport, ']');
                hostport++;
                if (!end)
                        end = hostport + strlen(hostport);
        } else {
                end = strrchr(hostport, ':');
                if (!end)
                        end = hostport + strlen(hostport);
        }
        size_t l = (size_t)(end - hostport);
        if (l >= n)
                l = n - 1;
        memcpy(buf, hostport, l);
        buf[l] = '\0';
}

static bool in_cidr(const char *host, const char *cidr)
{
        const char *slash = strchr(cidr, '/');
        if (!slash)
                return false;
        char net[64];
        size_t l = (size_t)(slash - cidr);
        if (l >= sizeof(net))
                return false;
        memcpy(net, cidr, l);
        net[l] = '\0';
        char *endp;
        long bits = strtol(slash + 1, &endp, 10);
        unsigned char a[16], b[16];
        int fam = strchr(net, ':') ? AF_INET6 : AF_INET;
        int alen = fam == AF_INET ? 4 : 16;
        if (*endp || bits < 0 || bits > alen * 8 || inet_pton(fam, net, a) != 1 ||
            inet_pton(fam, host, b) != 1)
                return false;
        for (long i = 0; i < bits; i++) {
                int byte = (int)(i / 8), bit = 7 - (int)(i % 8);
                if (((a[byte] >> bit) & 1) != ((b[byte] >> bit) & 1))
                        return false;
        }
        return true;
}

bool reg_settings_insecure(const struct reg_settings *s, const char *hostport)
{
        char host[256];
        host_only(hostport, host, sizeof(host));
        /* BERTH_REGISTRY_LOOPBACK_SECURE=1 (tests): loopback gets no
         * exception, so TLS verification can be exercised on 127.0.0.1 */
        const char *strict = getenv("BERTH_REGISTRY_LOOPBACK_SECURE");
        if ((!strict || strcmp(strict, "1") != 0) &&
            (!strcmp(host, "localhost") || !strcmp(host, "::1") || in_cidr(host, "127.0.0.0/8")))
                return true;
        for (size_t i = 0; s && i < s->insecure.n; i++) {
                const char *e = s->insecure.v[i];
                if (!strcasecmp(e, hostport) || in_cidr(host, e))
                        return true;
        }
        return false;
}
