/* size.h - the one byte-size parser: "64m", "1g", "512", "1.5GB", "2 MiB"
 * (a decimal number, an optional space, an optional unit k m g t p, an
 * optional "i", an optional "b"; units are powers of 1024, case-insensitive),
 * as docker's RAMInBytes.  `run --memory`, `--memory-swap` and compose's
 * byte-size keys all read it here. */
#ifndef BERTH_BASE_SIZE_H
#define BERTH_BASE_SIZE_H

#include <stdint.h>

#include "err.h"

int bytes_parse(const char *s, int64_t *bytes, err_t *err);

#endif
