#include "timefmt.h"

#include <stdbool.h>
#include <stdio.h>
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

char *time_now_rfc3339(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return rfc3339(ts.tv_sec, ts.tv_nsec, true);
}

int time_parse_rfc3339(const char *s, long long *secs, long *nsec)
{
        struct tm tm = {0};
        int n = 0;

        if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                         &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
                return -1;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        long long t = (long long)timegm(&tm);
        const char *p = s + n;
        long ns = 0;
        if (*p == '.') {
                int digits = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                        if (digits < 9)
                                ns = ns * 10 + (*p - '0');
                for (; digits < 9; digits++)
                        ns *= 10;
        }
        int oh, om;
        if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
                t -= (*p == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
        *secs = t;
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

void human_size(unsigned long long n, char *buf, size_t len)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = (double)n;
        size_t u = 0;
        while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000.0;
                u++;
        }
        snprintf(buf, len, "%.3g%s", v, units[u]);
}
