/* logline_ref.h - the reference for rt_log_line_encode (test_runtime_logline,
 * fuzz_runtime_logline): a log line as the monitor wrote it with jansson
 * before, jansson's compact dump of {"log","stream","time"} and a newline
 * (a line that is not UTF-8 with each byte >= 0x80 as '?'). Malloc'd.
 * The includer includes runtime's monitor.h first. */
#ifndef BERTH_TEST_LOGLINE_REF_H
#define BERTH_TEST_LOGLINE_REF_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xalloc.h"

static char *logline_ref(int stream, const char *s, size_t n, long long secs, long nsec)
{
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
        free(now);
        char *d = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        size_t len = strlen(d);
        d = xrealloc(d, len + 2);
        d[len] = '\n';
        d[len + 1] = '\0';
        return d;
}

#endif
