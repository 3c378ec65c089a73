/* Fuzz base/'s one-of-each parsers: published ports, restart policies, byte
 * sizes, RFC 3339 times, docker's --since/--until times, --detach-keys.  Each result is
 * checked against its contract. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detachkeys.h"
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
        /* detach keys: the input itself typed after them never loses a byte
         * and detaches exactly when the whole sequence was typed */
        struct detach_keys dk;
        if (detach_keys_parse(s, &dk, &err) == 0) {
                if (dk.n > DETACH_KEYS_MAX)
                        abort();
                unsigned char out[DETACH_KEYS_MAX + 64];
                size_t in = size < 64 ? size : 64, n, typed = 0;
                bool gone = detach_keys_feed(&dk, data, in, out, &n);
                if (n > in + DETACH_KEYS_MAX || (!gone && n + dk.seen != in))
                        abort();
                if (dk.n) { /* the sequence itself detaches */
                        dk.seen = 0;
                        for (size_t i = 0; i < dk.n; i++)
                                typed += detach_keys_feed(&dk, &dk.seq[i], 1, out, &n);
                        if (typed != 1)
                                abort();
                }
        }
        free(s);
        return 0;
}
