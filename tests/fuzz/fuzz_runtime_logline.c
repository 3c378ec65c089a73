/* libFuzzer: the monitor's log line encoder (rt_log_line_encode) on any
 * container output, against jansson's compact dump of the same line (what
 * the monitor wrote before): the same bytes, within RT_LOG_LINE_MAX. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "timefmt.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* the first bytes choose the stream and the time */
        if (size < 9)
                return 0;
        int stream = data[0] & 1 ? RT_STREAM_STDERR : RT_STREAM_STDOUT;
        uint64_t t = 0;
        memcpy(&t, data + 1, 8);
        long long secs = (long long)(t % 7258118400ULL);
        long nsec = (long)(t % 1000000000ULL);
        const char *s = (const char *)data + 9;
        size_t n = size - 9;

        char *got = xmalloc(RT_LOG_LINE_MAX(n));
        size_t len = rt_log_line_encode(got, stream, s, n, secs, nsec);
        if (len > RT_LOG_LINE_MAX(n))
                abort();

        json_t *str = json_stringn(s, n);
        if (!str) {
                char *c = xmalloc(n + 1);
                memcpy(c, s, n);
                for (size_t i = 0; i < n; i++)
                        if ((unsigned char)c[i] >= 0x80)
                                c[i] = '?';
                str = json_stringn(c, n);
                free(c);
        }
        char *now = time_rfc3339_nano(secs, nsec);
        json_t *o = json_pack("{s:o,s:s,s:s}", "log", str, "stream",
                              stream == RT_STREAM_STDERR ? "stderr" : "stdout", "time", now);
        char *want = json_dumps(o, JSON_COMPACT);
        size_t wl = strlen(want);
        if (len != wl + 1 || memcmp(got, want, wl) != 0 || got[wl] != '\n')
                abort();
        free(want);
        json_decref(o);
        free(now);
        free(got);
        return 0;
}
