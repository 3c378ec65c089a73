/* restart.h - the one parser of a restart policy, with Docker's rules:
 * "no", "always", "unless-stopped", "on-failure" or "on-failure:N" (N a
 * decimal count, not negative); a count other than 0 on any other policy is
 * refused, and an empty one ("on-failure:") is no count.
 * `berth run --restart` and compose's `restart:` both read it here; the
 * monitor decides from the stored HostConfig.RestartPolicy it produced. */
#ifndef BERTH_BASE_RESTART_H
#define BERTH_BASE_RESTART_H

#include "err.h"

enum restart_kind { RESTART_NO, RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_UNLESS_STOPPED };

struct restart_policy {
        enum restart_kind kind;
        int max_retries; /* on-failure only; 0 = unlimited */
};

/* What is wrong with a policy; restart_policy_parse returns its negation. */
enum restart_fault {
        RESTART_BAD_NAME = 1,      /* not one of the four */
        RESTART_BAD_COUNT,         /* ":N" not a count */
        RESTART_COUNT_NOT_ALLOWED, /* ":N" after a policy other than on-failure */
};

/* s NULL or "" means "no".  Returns 0, or -fault with err filled
 * ("invalid restart policy 'x'", "maximum retry count cannot be used with
 * restart policy 'always'", "invalid restart policy format: maximum retry
 * count must be an integer"). */
int restart_policy_parse(const char *s, struct restart_policy *out, err_t *err);

/* "no", "always", "on-failure", "unless-stopped": HostConfig.RestartPolicy.Name. */
const char *restart_kind_name(enum restart_kind k);

#endif
