/* libFuzzer: the monitor's log line encoder (rt_log_line_encode) on any
 * container output, against jansson's compact dump of the same line (what
 * the monitor wrote before): the same bytes, within RT_LOG_LINE_MAX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h" /* before logline_ref.h, which uses its RT_STREAM_* */
#include "logline_ref.h"
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

        char *want = logline_ref(stream, s, n, secs, nsec);
        if (len != strlen(want) || memcmp(got, want, len) != 0)
                abort();
        free(want);
        free(got);
        return 0;
}
