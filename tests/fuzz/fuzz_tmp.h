/* A fuzz target's private directory under $TMPDIR (default /tmp), named
 * PREFIX.XXXXXX.  Under $TMPDIR because libFuzzer's SIGINT ends the process
 * with _Exit, which skips atexit: tools/fuzz-campaign.sh gives each run its
 * own TMPDIR and removes it.  Aborts when the name does not fit or mkdtemp
 * fails. */
#pragma once
#include <stdio.h>
#include <stdlib.h>

static inline void fuzz_mkdtemp(char *buf, size_t size, const char *prefix)
{
        const char *tmp = getenv("TMPDIR");

        if ((size_t)snprintf(buf, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix) >=
                size ||
            !mkdtemp(buf))
                abort();
}
