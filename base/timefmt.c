#include "timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

static char *rfc3339(long long secs, long nsec, bool frac)
{
        struct tm tm;
        time_t t = (time_t)secs;
        char buf[64];
        gmtime_r(&t, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        if (frac)
                return xasprintf("%s.%09ldZ", buf, nsec);
        return xasprintf("%sZ", buf);
}

char *time_rfc3339(long long secs, long nsec)
{
        return rfc3339(secs, nsec, nsec != 0);
}

char *time_rfc3339_nano(long long secs, long nsec)
{
        return rfc3339(secs, nsec, true);
}

int64_t time_now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

char *time_now_rfc3339(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return time_rfc3339_nano(ts.tv_sec, ts.tv_nsec);
}

/* n decimal digits at s into *out. */
static bool digits_n(const char *s, int n, int *out)
{
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *out = v;
        return true;
}

/* A fraction of a second after the '.' at *p: its digits as nanoseconds
 * (the tenth and later read and dropped); *p moves past them.  false when
 * there is no digit. */
static bool fraction(const char **p, long *ns)
{
        const char *s = *p + 1;
        long v = 0;
        int n = 0;
        for (; *s >= '0' && *s <= '9'; s++, n++)
                if (n < 9)
                        v = v * 10 + (*s - '0');
        if (!n)
                return false;
        for (int k = n; k < 9; k++)
                v *= 10;
        *ns = v;
        *p = s;
        return true;
}

int time_parse_rfc3339(const char *s, long long *secs, long *nsec)
{
        int Y, M, D, h, m, sec, oh = 0, om = 0, sign = 0;
        long ns = 0;
        if (!s || !digits_n(s, 4, &Y) || s[4] != '-' || !digits_n(s + 5, 2, &M) || s[7] != '-' ||
            !digits_n(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
            !digits_n(s + 11, 2, &h) || s[13] != ':' || !digits_n(s + 14, 2, &m) || s[16] != ':' ||
            !digits_n(s + 17, 2, &sec))
                return -1;
        const char *p = s + 19;
        if (*p == '.' && !fraction(&p, &ns))
                return -1;
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                sign = *p == '+' ? 1 : -1;
                if (!digits_n(p + 1, 2, &oh) || p[3] != ':' || !digits_n(p + 4, 2, &om))
                        return -1;
                p += 6;
        } else {
                return -1;
        }
        if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60 || oh > 23 ||
            om > 59)
                return -1;
        struct tm tm = {.tm_year = Y - 1900,
                        .tm_mon = M - 1,
                        .tm_mday = D,
                        .tm_hour = h,
                        .tm_min = m,
                        .tm_sec = sec};
        *secs = (long long)timegm(&tm) - sign * (oh * 3600LL + om * 60LL);
        if (nsec)
                *nsec = ns;
        return 0;
}

int64_t time_parse_rfc3339_ns(const char *s)
{
        long long t;
        long ns;
        if (time_parse_rfc3339(s, &t, &ns) < 0 || t <= 0)
                return 0;
        if (t >= INT64_MAX / 1000000000LL)
                return INT64_MAX; /* after 2262: as late as it gets */
        return (int64_t)t * 1000000000LL + ns;
}

/* Go's time.ParseDuration: [+-]? (decimal unit)+ with the units ns us µs
 * ms s m h; "0" alone is no duration (docker reads it as a timestamp). */
static int go_duration(const char *s, double *out)
{
        static const struct {
                const char *u;
                double mul;
        } units[] = {{"ns", 1},   {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
                     {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
        double sign = 1, total = 0;
        if (*s == '+' || *s == '-')
                sign = *s++ == '-' ? -1 : 1;
        if (!*s)
                return -1;
        while (*s) {
                double v = 0, scale = 1;
                bool digits = false;
                for (; *s >= '0' && *s <= '9'; s++, digits = true)
                        v = v * 10 + (*s - '0');
                if (*s == '.')
                        for (s++; *s >= '0' && *s <= '9'; s++, digits = true)
                                v += (*s - '0') * (scale /= 10);
                if (!digits)
                        return -1;
                size_t i, n = sizeof(units) / sizeof(units[0]), len = 0;
                for (i = 0; i < n; i++) {
                        len = strlen(units[i].u);
                        if (!strncmp(s, units[i].u, len)) /* "ms" is tried before "m" */
                                break;
                }
                if (i == n)
                        return -1;
                s += len;
                total += v * units[i].mul;
        }
        *out = sign * total;
        return 0;
}

/* "2006-01-02", "2006-01-02T15", "2006-01-02T15:04", "2006-01-02T15:04:05",
 * each with an optional fraction of a second, in local time. */
static int local_date(const char *s, int64_t *ns)
{
        struct tm tm = {0};
        int n = 0, got = sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n);
        if (got != 3 || n != 10)
                return -1;
        const char *p = s + n;
        if (*p == 'T') {
                int k = 0;
                if (sscanf(p, "T%2d%n", &tm.tm_hour, &k) != 1 || k != 3)
                        return -1;
                p += k;
                if (*p == ':') {
                        if (sscanf(p, ":%2d%n", &tm.tm_min, &k) != 1 || k != 3)
                                return -1;
                        p += k;
                        if (*p == ':') {
                                if (sscanf(p, ":%2d%n", &tm.tm_sec, &k) != 1 || k != 3)
                                        return -1;
                                p += k;
                        }
                }
        }
        long frac = 0;
        if (*p == '.')
                (void)fraction(&p, &frac); /* none: the '.' stays, refused below */
        if (*p || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
            tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
                return -1;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t)-1 && tm.tm_year != 69)
                return -1;
        *ns = t <= 0                                     ? 0
              : (long long)t >= INT64_MAX / 1000000000LL ? INT64_MAX
                                                         : (int64_t)t * 1000000000LL + frac;
        return 0;
}

int time_parse_docker(const char *s, int64_t now_ns, int64_t *ns)
{
        double d;
        if (!s || !*s)
                return -1;
        if (strcmp(s, "0") && go_duration(s, &d) == 0) {
                double t = (double)now_ns - d;
                *ns = t <= 0 ? 0 : t >= 9.2e18 ? INT64_MAX : (int64_t)t;
                return 0;
        }
        /* a Unix timestamp: seconds, optionally a fraction */
        const char *p = s;
        long long secs = 0;
        bool big = false;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (secs > (INT64_MAX / 1000000000LL) / 10)
                        big = true;
                else
                        secs = secs * 10 + (*p - '0');
        }
        if (p != s && (*p == '\0' || *p == '.')) {
                long frac = 0;
                if (*p == '.' && (!fraction(&p, &frac) || *p))
                        return -1;
                *ns = big ? INT64_MAX : (int64_t)secs * 1000000000LL + frac;
                return 0;
        }
        /* RFC 3339 with its zone (Z or an offset), else a local date */
        size_t len = strlen(s);
        long long t;
        long nsec;
        if (len > 19 && s[10] == 'T' &&
            (s[len - 1] == 'Z' ||
             (len > 6 && (s[len - 6] == '+' || s[len - 6] == '-') && s[len - 3] == ':')) &&
            time_parse_rfc3339(s, &t, &nsec) == 0) {
                *ns = t <= 0                          ? 0
                      : t >= INT64_MAX / 1000000000LL ? INT64_MAX
                                                      : (int64_t)t * 1000000000LL + nsec;
                return 0;
        }
        return local_date(s, ns);
}

long long time_since_s(const char *s)
{
        int64_t ns = time_parse_rfc3339_ns(s);
        if (ns <= 0)
                return 0;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        long long d = (long long)now.tv_sec - ns / 1000000000LL;
        return d < 0 ? 0 : d;
}

char *human_duration(long long secs)
{
        if (secs < 1)
                return xstrdup("Less than a second");
        if (secs == 1)
                return xstrdup("1 second");
        if (secs < 60)
                return xasprintf("%lld seconds", secs);
        long long mins = secs / 60;
        if (mins == 1)
                return xstrdup("About a minute");
        if (mins < 60)
                return xasprintf("%lld minutes", mins);
        long long hours = secs / 3600;
        if (hours == 1)
                return xstrdup("About an hour");
        if (hours < 48)
                return xasprintf("%lld hours", hours);
        if (hours < 24 * 7 * 2)
                return xasprintf("%lld days", hours / 24);
        if (hours < 24 * 30 * 2)
                return xasprintf("%lld weeks", hours / 24 / 7);
        if (hours < 24 * 365 * 2)
                return xasprintf("%lld months", hours / 24 / 30);
        return xasprintf("%lld years", hours / 24 / 365);
}

void units_size_prec(unsigned long long n, bool binary, int prec, char *buf, size_t len)
{
        static const char *const dec[] = {"B", "kB", "MB", "GB", "TB", "PB"};
        static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        const double base = binary ? 1024.0 : 1000.0;
        double v = (double)n;
        size_t u = 0;
        while (v >= base && u + 1 < sizeof(dec) / sizeof(dec[0])) {
                v /= base;
                u++;
        }
        snprintf(buf, len, "%.*g%s", prec, v, binary ? bin[u] : dec[u]);
}

void units_size(unsigned long long n, bool binary, char *buf, size_t len)
{
        units_size_prec(n, binary, 4, buf, len);
}

void human_size(unsigned long long n, char *buf, size_t len)
{
        units_size_prec(n, false, 3, buf, len);
}
