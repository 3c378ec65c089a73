/* Fuzz base/events: a journal line (what `berth events` reads back from a
 * file any berth process appends to) and --filter values.  The input is
 * "FILTER\nLINE": the filter is added when valid, the line parsed; a parsed
 * event is matched, printed as Docker's text line and turned into the
 * template's view, which must not crash whatever the line held. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *nl = memchr(data, '\n', size);
        size_t flen = nl ? (size_t)(nl - data) : 0;
        char *filter = malloc(flen + 1);
        memcpy(filter, data, flen);
        filter[flen] = '\0';
        const char *line = nl ? (const char *)nl + 1 : (const char *)data;
        size_t llen = nl ? size - flen - 1 : size;

        struct events_filter f = {0};
        err_t err;
        if (flen && events_filter_add(&f, filter, &err) < 0 && !err.msg[0])
                abort(); /* a refusal says why */
        json_t *ev = NULL;
        if (events_parse_line(line, llen, &ev) == 0) {
                (void)events_filter_match(&f, ev);
                strbuf_t sb = STRBUF_INIT;
                events_format_text(ev, &sb);
                if (!sb.len || sb_str(&sb)[sb.len - 1] != '\n')
                        abort();
                sb_free(&sb);
                json_decref(events_template_dot(ev));
                json_decref(ev);
        }
        events_filter_free(&f);
        free(filter);
        return 0;
}
