/* timefmt.h - the one formatter and parser of times, and docker's human
 * forms of durations and sizes.
 *
 * State files and image configs carry RFC 3339 UTC times
 * ("2024-01-02T03:04:05.000000006Z"); `ps`, `compose ps` and `images` print
 * "Up 3 minutes", "2 hours ago", "1.23MB" as docker's go-units does. */
#ifndef BERTH_BASE_TIMEFMT_H
#define BERTH_BASE_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2024-01-02T03:04:05Z", or with ".%09ld" before the Z when nsec != 0.
 * Caller frees. */
char *time_rfc3339(long long secs, long nsec);
/* The same, always with nine fraction digits.  Caller frees. */
char *time_rfc3339_nano(long long secs, long nsec);
/* Now in nanoseconds since the epoch (CLOCK_REALTIME). */
int64_t time_now_ns(void);
/* Now, always with nine fraction digits (what state files hold).  Caller frees. */
char *time_now_rfc3339(void);
/* RFC 3339 ("2006-01-02T15:04:05", 'T', 't' or ' ' between, an optional
 * fraction, then Z or a +hh:mm/-hh:mm offset, nothing after) to seconds since
 * the epoch (negative before it) and nanoseconds (nsec may be NULL).  The one
 * parser of such times, also for what a registry's token server sends.
 * Returns -1 when s is NULL or not that (out of range fields too). */
int time_parse_rfc3339(const char *s, long long *secs, long *nsec);
/* The same in nanoseconds, 0 when unreadable or not after the epoch (Go's
 * zero time "0001-01-01T00:00:00Z" in a state file means "never"). */
int64_t time_parse_rfc3339_ns(const char *s);
/* A time as docker's --since/--until/until= filters take it, relative to
 * now_ns (nanoseconds since the epoch): a Go duration before now ("10m",
 * "1h30m", "1.5h", "300ms"), a Unix timestamp with an optional fraction
 * ("1700000000", "1700000000.5"), RFC 3339 with a zone, or a local date
 * "2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05" (fraction allowed).
 * 0 on success with *ns set (clamped to 0 before the epoch); -1 when s is
 * none of these. */
int time_parse_docker(const char *s, int64_t now_ns, int64_t *ns);
/* Whole seconds from the time s to now; 0 when unknown or in the future. */
long long time_since_s(const char *s);

/* Docker's units.HumanDuration: "Less than a second", "About a minute",
 * "3 hours", "2 weeks"...  Caller frees. */
char *human_duration(long long secs);
/* Docker's units.HumanSizeWithPrecision(n, 3): "1.23MB" (decimal units). */
void human_size(unsigned long long n, char *buf, size_t len);
/* 4 significant digits in decimal units (units.HumanSize) or binary ones,
 * "7.763GiB" (units.BytesSize). */
void units_size(unsigned long long n, bool binary, char *buf, size_t len);
/* The same with prec significant digits (units.HumanSizeWithPrecision). */
void units_size_prec(unsigned long long n, bool binary, int prec, char *buf, size_t len);

#endif
