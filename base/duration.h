/* duration.h - Go-style durations ("1m30s", "500ms", "1.5h"; also d and w
 * as compose-go takes them, and a bare "0"), to nanoseconds. */
#ifndef BERTH_BASE_DURATION_H
#define BERTH_BASE_DURATION_H

#include <stdint.h>

#include "err.h"

/* An optional sign, then number+unit pairs (ns, us, µs, ms, s, m, h, d, w).
 * Fails with "invalid duration "<s>"" and what is wrong with it. */
int parse_duration(const char *s, int64_t *ns, err_t *err);

#endif
