/* Unit tests for base/'s one-of-each parsers: published ports (the grammar
 * of `-p` and compose `ports`), restart policies, byte sizes, times. */
#include "base/detachkeys.h"
#include <stdlib.h>
#include <string.h>

#include "base/portspec.h"
#include "base/restart.h"
#include "base/size.h"
#include "base/timefmt.h"
#include "tap.h"

/* The text portspec_format gives for spec's parse is want. */
static void format_is(const char *spec, const char *want, const char *name)
{
        struct portspec ps = {0};
        err_t err;
        char text[PORTSPEC_TEXT_MAX];
        portspec_parse(spec, &ps, &err);
        portspec_format(&ps, text);
        is_str(text, want, "%s", name);
}

static void test_portspec(void)
{
        struct portspec ps;
        err_t err;

        ok(portspec_parse("8080:80", &ps, &err) == 0 && ps.host_lo == 8080 && ps.host_hi == 8080 &&
               ps.ctr_lo == 80 && ps.ctr_hi == 80 && ps.proto == PORT_PROTO_TCP && !ps.host_ip[0],
           "HOST:CONTAINER");
        ok(portspec_parse("127.0.0.1:5353:53/udp", &ps, &err) == 0 &&
               !strcmp(ps.host_ip, "127.0.0.1") && !ps.host_ipv6 && ps.proto == PORT_PROTO_UDP,
           "IP:HOST:CONTAINER/udp");
        ok(portspec_parse("80", &ps, &err) == 0 && ps.host_lo == 0 && ps.ctr_lo == 80,
           "container port only");
        ok(portspec_parse("127.0.0.1::81", &ps, &err) == 0 && ps.host_lo == 0 &&
               !strcmp(ps.host_ip, "127.0.0.1"),
           "IP::CONTAINER");
        ok(portspec_parse("[::1]:8080:80", &ps, &err) == 0 && ps.host_ipv6 &&
               !strcmp(ps.host_ip, "::1"),
           "bracketed IPv6 is grammar (what net can publish is net's business)");
        ok(portspec_parse("::1:8080:80", &ps, &err) == 0 && ps.host_ipv6 && ps.host_lo == 8080,
           "unbracketed IPv6 as docker splits it");
        ok(portspec_parse("53/sctp", &ps, &err) == 0 && ps.proto == PORT_PROTO_SCTP, "sctp");
        ok(portspec_parse("53/UDP", &ps, &err) == 0 && ps.proto == PORT_PROTO_UDP,
           "protocol in any case");
        ok(portspec_parse("9000-9002:7000-7002", &ps, &err) == 0 && ps.host_hi == 9002 &&
               ps.ctr_hi == 7002,
           "equal ranges");
        ok(portspec_parse("9100-9110:80", &ps, &err) == 0 && ps.host_lo == 9100 &&
               ps.host_hi == 9110 && ps.ctr_hi == 80,
           "host range, one container port");
        ok(portspec_parse("00080", &ps, &err) == 0 && ps.ctr_lo == 80, "leading zeros");

        is_int(portspec_parse("80800:80", &ps, &err), -PORTSPEC_BAD_PORT, "port too large");
        is_str(err.msg, "invalid port \"80800:80\": \"80800\" must be a port 1-65535",
               "names the bad field");
        is_int(portspec_parse("0:80", &ps, &err), -PORTSPEC_BAD_PORT, "port 0");
        is_int(portspec_parse("", &ps, &err), -PORTSPEC_BAD_PORT, "empty");
        is_int(portspec_parse("8080:", &ps, &err), -PORTSPEC_BAD_PORT, "no container port");
        is_int(portspec_parse("80/http", &ps, &err), -PORTSPEC_BAD_PROTO, "unknown protocol");
        is_str(err.msg,
               "invalid port \"80/http\": unknown protocol \"http\" (use tcp, udp or sctp)",
               "protocol message");
        is_int(portspec_parse("80/", &ps, &err), -PORTSPEC_BAD_PROTO, "empty protocol");
        is_int(portspec_parse("1.2.3:8080:80", &ps, &err), -PORTSPEC_BAD_IP, "bad IP");
        is_str(err.msg, "invalid port \"1.2.3:8080:80\": invalid IP address \"1.2.3\"",
               "IP message");
        is_int(portspec_parse("a:b:c:d", &ps, &err), -PORTSPEC_BAD_IP,
               "fields left of HOST are the IP");
        is_int(portspec_parse("90-80", &ps, &err), -PORTSPEC_REVERSED, "reversed range");
        is_int(portspec_parse("1-3:5-6", &ps, &err), -PORTSPEC_LENGTH, "ranges of two lengths");
        is_int(portspec_parse("80:1-3", &ps, &err), -PORTSPEC_LENGTH,
               "one host port, a container range");

        format_is("127.0.0.1:8000-8010:80/udp", "127.0.0.1:8000-8010:80/udp",
                  "format: IP:RANGE:PORT/PROTO");
        format_is("[::1]::80", "[::1]::80/tcp", "format: IPv6 in brackets");
        format_is("8080:80", "8080:80/tcp", "format: HOST:CONTAINER");
        format_is("80", "80/tcp", "format: CONTAINER");

        uint16_t lo, hi;
        ok(portspec_range_parse("8000-8010", 9, &lo, &hi) == 0 && lo == 8000 && hi == 8010,
           "range");
        ok(portspec_range_parse("65536", 5, &lo, &hi) < 0, "range past 65535");
}

static void test_restart(void)
{
        struct restart_policy rp;
        err_t err;

        ok(restart_policy_parse(NULL, &rp, &err) == 0 && rp.kind == RESTART_NO, "none is no");
        ok(restart_policy_parse("always", &rp, &err) == 0 && rp.kind == RESTART_ALWAYS, "always");
        ok(restart_policy_parse("unless-stopped", &rp, &err) == 0 &&
               rp.kind == RESTART_UNLESS_STOPPED,
           "unless-stopped");
        ok(restart_policy_parse("on-failure:3", &rp, &err) == 0 && rp.kind == RESTART_ON_FAILURE &&
               rp.max_retries == 3,
           "on-failure:3");
        ok(restart_policy_parse("on-failure:", &rp, &err) == 0 && rp.max_retries == 0,
           "on-failure: (no count)");
        ok(restart_policy_parse("always:0", &rp, &err) == 0 && rp.kind == RESTART_ALWAYS,
           "a zero count is no count");
        is_int(restart_policy_parse("always:3", &rp, &err), -RESTART_COUNT_NOT_ALLOWED,
               "always:3 refused (run and compose alike)");
        is_str(err.msg, "maximum retry count cannot be used with restart policy 'always'",
               "always:3 message");
        is_int(restart_policy_parse("sometimes", &rp, &err), -RESTART_BAD_NAME, "unknown policy");
        is_str(err.msg, "invalid restart policy 'sometimes'", "unknown policy message");
        is_int(restart_policy_parse("on-failure:x", &rp, &err), -RESTART_BAD_COUNT,
               "count not a number");
        is_int(restart_policy_parse("on-failure:-1", &rp, &err), -RESTART_BAD_COUNT,
               "negative count");
        is_int(restart_policy_parse("on-failure:99999999999", &rp, &err), -RESTART_BAD_COUNT,
               "count out of range");
        is_str(restart_kind_name(RESTART_ON_FAILURE), "on-failure", "stored name");
}

static void test_size(void)
{
        int64_t v;
        err_t err;
        ok(bytes_parse("64m", &v, &err) == 0 && v == 64 << 20, "64m");
        ok(bytes_parse("1.5GB", &v, &err) == 0 && v == 3LL << 29, "1.5GB");
        ok(bytes_parse("2 MiB", &v, &err) == 0 && v == 2 << 20, "2 MiB");
        ok(bytes_parse("512", &v, &err) == 0 && v == 512, "512");
        ok(bytes_parse("12q", &v, &err) < 0, "bad unit");
        ok(bytes_parse("-1m", &v, &err) < 0, "negative");
        ok(bytes_parse("m", &v, &err) < 0, "no number");
        ok(bytes_parse("99999999p", &v, &err) < 0, "out of range");
}

static void test_time_docker(void)
{
        const int64_t now = 1700000000LL * 1000000000LL, S = 1000000000LL;
        int64_t ns = -7;
        ok(time_parse_docker("10m", now, &ns) == 0 && ns == now - 600 * S, "10m before now");
        ok(time_parse_docker("1h30m", now, &ns) == 0 && ns == now - 5400 * S, "1h30m");
        ok(time_parse_docker("1.5s", now, &ns) == 0 && ns == now - 1500000000LL, "1.5s");
        ok(time_parse_docker("300ms", now, &ns) == 0 && ns == now - 300000000LL, "300ms");
        ok(time_parse_docker("-1m", now, &ns) == 0 && ns == now + 60 * S, "-1m is after now");
        ok(time_parse_docker("1600000000", now, &ns) == 0 && ns == 1600000000LL * S,
           "unix timestamp");
        ok(time_parse_docker("1600000000.25", now, &ns) == 0 && ns == 1600000000LL * S + S / 4,
           "unix timestamp with fraction");
        ok(time_parse_docker("0", now, &ns) == 0 && ns == 0, "0 is the epoch, not a duration");
        ok(time_parse_docker("2020-09-13T12:26:40Z", now, &ns) == 0 && ns == 1600000000LL * S,
           "RFC 3339");
        ok(time_parse_docker("2020-09-13T14:26:40.5+02:00", now, &ns) == 0 &&
               ns == 1600000000LL * S + S / 2,
           "RFC 3339 with offset and fraction");
        ok(time_parse_docker("2020-09-13", now, &ns) == 0 && ns > 0, "a local date");
        ok(time_parse_docker("2020-09-13T12:26", now, &ns) == 0 && ns > 0, "a local time");
        const char *bad[] = {
            "",    "m", "10x", "10m5", "2020-13-01", "2020-09-13T", "1.", "abc", "2020-09-13 12:00",
            "--1m"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ok(time_parse_docker(bad[i], now, &ns) < 0, "'%s' is rejected", bad[i]);
}

static void test_time(void)
{
        /* moved from test_runtime_container.c with the functions */
        is_int(time_parse_rfc3339_ns("1970-01-01T00:00:01.5Z"), 1500000000LL, "fractional seconds");
        is_int(time_parse_rfc3339_ns("garbage"), 0, "garbage is 0");
        char *now = time_now_rfc3339();
        ok(time_parse_rfc3339_ns(now) > 0, "now round-trips: %s", now);
        free(now);

        is_int(time_parse_rfc3339_ns("0001-01-01T00:00:00Z"), 0, "Go's zero time is never");
        is_int(time_parse_rfc3339_ns("1970-01-01T02:00:10+02:00"), 10000000000LL,
               "offset honoured");
        long long s;
        ok(time_parse_rfc3339("0001-01-01T00:00:00Z", &s, NULL) == 0 && s < 0,
           "seconds before the epoch kept");
        /* the strict grammar (also what a registry's token server sends as
         * issued_at: moved from test_runtime_regauth.c with reg_rfc3339) */
        static const struct {
                const char *in;
                long long want; /* -1: refused */
        } cases[] = {
            {"2023-11-14T22:13:20Z", 1700000000},
            {"2023-11-14T22:13:20.999999999Z", 1700000000},
            {"2023-11-14T23:13:20+01:00", 1700000000},
            {"2023-11-14T21:43:20-00:30", 1700000000},
            {"2023-11-14 22:13:20Z", 1700000000},
            {"2023-11-14t22:13:20z", 1700000000},
            {"2023-11-14T22:13:20", -1},
            {"2023-13-14T22:13:20Z", -1},
            {"2023-11-14T22:13:20.Z", -1},
            {"2023-11-14T22:13:20Zjunk", -1},
            {"2023-11-14T22:13:20+01", -1},
            {"2023-11-14T2:13:20Z", -1},
            {"", -1},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                long long got = -1;
                if (time_parse_rfc3339(cases[i].in, &s, NULL) == 0)
                        got = s;
                is_int(got, cases[i].want, "rfc3339 '%s'", cases[i].in);
        }
        long ns;
        ok(time_parse_rfc3339("2023-11-14T22:13:20.5Z", &s, &ns) == 0 && ns == 500000000,
           "a fraction in nanoseconds");
        char *t = time_rfc3339(86400, 0);
        is_str(t, "1970-01-02T00:00:00Z", "no fraction when there is none");
        free(t);
        t = time_rfc3339(1, 5);
        is_str(t, "1970-01-01T00:00:01.000000005Z", "nine fraction digits");
        free(t);
        is_int(time_since_s(NULL), 0, "since of nothing is 0");
        is_int(time_since_s("2999-01-01T00:00:00Z"), 0, "since of the future is 0");

        char *d = human_duration(0);
        is_str(d, "Less than a second", "human 0");
        free(d);
        d = human_duration(90);
        is_str(d, "About a minute", "human 90 s");
        free(d);
        d = human_duration(3 * 86400);
        is_str(d, "3 days", "human 3 days");
        free(d);
        char b[32];
        human_size(1234567, b, sizeof(b));
        is_str(b, "1.23MB", "human size");
        human_size(999, b, sizeof(b));
        is_str(b, "999B", "human size in bytes");
        units_size(1234567, false, b, sizeof(b));
        is_str(b, "1.235MB", "units size: 4 digits, decimal");
        units_size(8335960000ULL, true, b, sizeof(b));
        is_str(b, "7.763GiB", "units size: binary");
        units_size_prec(1500, false, 2, b, sizeof(b));
        is_str(b, "1.5kB", "units size with 2 digits");
}

static void test_detach_keys(void)
{
        struct detach_keys k;
        err_t err;
        ok(detach_keys_parse(DETACH_KEYS_DEFAULT, &k, &err) == 0 && k.n == 2 && k.seq[0] == 16 &&
               k.seq[1] == 17,
           "detach keys: ctrl-p,ctrl-q are 16, 17");
        ok(detach_keys_parse("a,CTRL-@,ctrl-[,ctrl-\\,ctrl-_", &k, &err) == 0 && k.n == 5 &&
               k.seq[0] == 'a' && k.seq[1] == 0 && k.seq[2] == 27 && k.seq[3] == 28 &&
               k.seq[4] == 31,
           "detach keys: a character, and ctrl- with @ [ \\ _ in any case");
        ok(detach_keys_parse("", &k, &err) == 0 && k.n == 0, "detach keys: empty is off");
        ok(detach_keys_parse("ctrl-1", &k, &err) < 0 &&
               !strcmp(err.msg, "Invalid detach keys (ctrl-1) provided: Unknown character: "
                                "'ctrl-1' (use single characters or ctrl-a..ctrl-z, ctrl-@, "
                                "ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_, separated by commas)"),
           "detach keys: ctrl-1 refused with Docker's words");
        ok(detach_keys_parse("a,,b", &k, &err) < 0, "detach keys: an empty key refused");
        unsigned char out[64];
        size_t n;
        (void)detach_keys_parse("ctrl-p,ctrl-q", &k, &err);
        ok(!detach_keys_feed(&k, (const unsigned char *)"ab\x10", 3, out, &n) && n == 2 &&
               !memcmp(out, "ab", 2),
           "detach keys: a first key is held back");
        ok(!detach_keys_feed(&k, (const unsigned char *)"c", 1, out, &n) && n == 2 &&
               !memcmp(out,
                       "\x10"
                       "c",
                       2),
           "detach keys: and passed on when the next is not the sequence");
        ok(!detach_keys_feed(&k, (const unsigned char *)"x\x10", 2, out, &n) && n == 1 &&
               detach_keys_feed(&k, (const unsigned char *)"\x11zz", 3, out, &n) && n == 0,
           "detach keys: the sequence across two reads detaches");
}

int main(void)
{
        test_portspec();
        test_restart();
        test_detach_keys();
        test_size();
        test_time();
        test_time_docker();
        return tap_done();
}
