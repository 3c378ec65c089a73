/* Fuzz base/'s one-of-each parsers: published ports, restart policies, byte
 * sizes, RFC 3339 times, docker's --since/--until times.  Each result is
 * checked against its contract. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portspec.h"
#include "restart.h"
#include "size.h"
#include "timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        err_t err;

        memcpy(s, data, size);
        s[size] = '\0';

        struct portspec ps;
        if (portspec_parse(s, &ps, &err) == 0) {
                if (!ps.ctr_lo || ps.ctr_hi < ps.ctr_lo || ps.host_hi < ps.host_lo ||
                    (!ps.host_lo && ps.host_hi) || strlen(ps.host_ip) >= PORTSPEC_IP_MAX)
                        abort();
                /* the text form reads back as the same spec */
                char text[PORTSPEC_TEXT_MAX];
                struct portspec again;
                portspec_format(&ps, text);
                if (portspec_parse(text, &again, &err) < 0 || again.ctr_lo != ps.ctr_lo ||
                    again.ctr_hi != ps.ctr_hi || again.host_lo != ps.host_lo ||
                    again.host_hi != ps.host_hi || again.proto != ps.proto ||
                    again.host_ipv6 != ps.host_ipv6)
                        abort();
        }

        struct restart_policy rp;
        if (restart_policy_parse(s, &rp, &err) == 0) {
                if (rp.max_retries < 0 || (rp.max_retries && rp.kind != RESTART_ON_FAILURE))
                        abort();
        }

        int64_t b;
        if (bytes_parse(s, &b, &err) == 0 && b < 0)
                abort();

        long long secs;
        (void)time_parse_rfc3339(s, &secs, NULL);
        (void)time_parse_rfc3339_ns(s);
        int64_t tns;
        if (time_parse_docker(s, 1700000000LL * 1000000000LL, &tns) == 0 && tns < 0)
                abort();
        free(s);
        return 0;
}
