/* detachkeys.h - Docker's --detach-keys: the key sequence that leaves an
 * attached terminal without stopping the container. */
#ifndef BERTH_DETACHKEYS_H
#define BERTH_DETACHKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define DETACH_KEYS_MAX     16
#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"

struct detach_keys {
        unsigned char seq[DETACH_KEYS_MAX];
        size_t n;    /* 0: detaching is off */
        size_t seen; /* how much of seq the input has matched so far */
};

/* "ctrl-p,ctrl-q", "a,b", ...: comma-separated single characters or
 * ctrl-@, ctrl-a..ctrl-z, ctrl-[, ctrl-\, ctrl-], ctrl-^, ctrl-_ (any case),
 * as Docker reads them.  An empty string turns detaching off. */
int detach_keys_parse(const char *s, struct detach_keys *k, err_t *err);

/* Filter one chunk of terminal input: the bytes to pass on are written to
 * out (at most len + DETACH_KEYS_MAX bytes) and counted in *out_n; bytes
 * that may begin the sequence are held back until the next byte decides.
 * Returns true when the whole sequence was typed (the caller detaches). */
bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t len,
                      unsigned char *out, size_t *out_n);

#endif
