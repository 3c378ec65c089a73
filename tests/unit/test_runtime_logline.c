/* Unit tests: the monitor's log line encoder (rt_log_line_encode) writes
 * byte for byte what the json-file line was when jansson wrote it (its
 * compact dump of {"log","stream","time"}, a line that is not UTF-8 with each
 * byte >= 0x80 as '?'), for chosen lines and for many random ones. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/monitor.h"
#include "tap.h"
#include "tests/fuzz/logline_ref.h"

static int same(int stream, const char *s, size_t n, long long secs, long nsec)
{
        char *want = logline_ref(stream, s, n, secs, nsec);
        char *got = malloc(RT_LOG_LINE_MAX(n) + 1);
        size_t len = rt_log_line_encode(got, stream, s, n, secs, nsec);
        int eq = len <= RT_LOG_LINE_MAX(n) && len == strlen(want) && !memcmp(got, want, len);
        if (!eq)
                printf("# want %s# got  %.*s", want, (int)len, got);
        free(want);
        free(got);
        return eq;
}

static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
        rnd_state ^= rnd_state << 13;
        rnd_state ^= rnd_state >> 7;
        rnd_state ^= rnd_state << 17;
        return rnd_state;
}

int main(void)
{
        static const struct {
                const char *s;
                size_t n;
                const char *what;
        } lines[] = {
            {"hello\n", 6, "plain text"},
            {"", 0, "an empty line"},
            {"a\"b\\c/d\n", 8, "quote, backslash, slash"},
            {"\b\f\n\r\t\x01\x1b\x1f\x7f", 9, "control characters and DEL"},
            {"nul\0inside", 10, "a NUL byte"},
            {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", 15, "valid UTF-8, 2 to 4 bytes"},
            {"bad \xff byte \xc3\xa9", 13, "invalid UTF-8: every high byte as ?"},
            {"\xc0\xaf", 2, "an overlong 2-byte form"},
            {"\xe0\x80\xaf", 3, "an overlong 3-byte form"},
            {"\xf0\x80\x80\xaf", 4, "an overlong 4-byte form"},
            {"\xed\xa0\x80", 3, "a surrogate"},
            {"\xf4\x90\x80\x80", 4, "above U+10FFFF"},
            {"\xe2\x82", 2, "a sequence cut short"},
            {"\x80", 1, "a lone continuation byte"},
        };
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
                ok(same(RT_STREAM_STDOUT, lines[i].s, lines[i].n, 1765130000, 123456789), "%s",
                   lines[i].what);
        ok(same(RT_STREAM_STDERR, "err\n", 4, 0, 0), "stderr, at the epoch");
        ok(same(RT_STREAM_STDOUT, "x", 1, 951782400, 999999999), "2000-02-29, leap day");
        ok(same(RT_STREAM_STDOUT, "x", 1, 4107542399LL, 1), "2100-02-28 23:59:59");
        ok(same(RT_STREAM_STDOUT, "x", 1, 253402300799LL, 5), "9999-12-31 23:59:59");

        /* random lines over bytes that matter, random times up to 2200 */
        static const unsigned char pick[] = {'a',  ' ',  '"',  '\\', '/',  '\n', '\t', 0,    1,
                                             0x1f, 0x7f, 0x80, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2,
                                             0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa9, 0x82};
        int bad = 0;
        for (int t = 0; t < 50000 && !bad; t++) {
                unsigned char buf[48];
                size_t n = rnd() % sizeof(buf);
                for (size_t i = 0; i < n; i++)
                        buf[i] = rnd() % 4 ? pick[rnd() % sizeof(pick)] : (unsigned char)rnd();
                long long secs = (long long)(rnd() % 7258118400ULL);
                long nsec = (long)(rnd() % 1000000000);
                if (!same(t & 1 ? RT_STREAM_STDERR : RT_STREAM_STDOUT, (const char *)buf, n, secs,
                          nsec))
                        bad = t + 1;
        }
        ok(!bad, "50000 random lines as jansson writes them (first difference at %d)", bad);
        return tap_done();
}
