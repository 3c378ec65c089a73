/* duration.c - Go-style durations, as docker and compose write them. */
#include "duration.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
        const char *unit;
        double ns;
} duration_units[] = {
    {"ns", 1},  {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3}, {"ms", 1e6},
    {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},      {"d", 86400e9},     {"w", 7 * 86400e9},
};

int parse_duration(const char *s, int64_t *ns, err_t *err)
{
        const char *p = s;
        double total = 0;
        bool neg = false;

        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (!strcmp(p, "0")) {
                *ns = 0;
                return 0;
        }
        if (!*p)
                return err_set(err, 0, "invalid duration \"%s\"", s);
        while (*p) {
                const char *start = p;
                while (isdigit((unsigned char)*p) || *p == '.')
                        p++;
                if (p == start)
                        return err_set(err, 0, "invalid duration \"%s\"", s);
                char num[64];
                if ((size_t)(p - start) >= sizeof(num))
                        return err_set(err, 0, "invalid duration \"%s\"", s);
                memcpy(num, start, p - start);
                num[p - start] = '\0';
                char *end;
                double v = strtod(num, &end);
                if (*end || !strcmp(num, "."))
                        return err_set(err, 0, "invalid duration \"%s\"", s);
                const char *ustart = p;
                while (*p && !isdigit((unsigned char)*p) && *p != '.')
                        p++;
                if (p == ustart)
                        return err_set(err, 0,
                                       "invalid duration \"%s\": missing unit (use ns, us, ms, s, "
                                       "m or h, e.g. \"1m30s\")",
                                       s);
                size_t ulen = p - ustart;
                double mult = 0;
                for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
                        if (strlen(duration_units[i].unit) == ulen &&
                            !memcmp(duration_units[i].unit, ustart, ulen))
                                mult = duration_units[i].ns;
                if (mult == 0)
                        return err_set(err, 0, "invalid duration \"%s\": unknown unit \"%.*s\"", s,
                                       (int)ulen, ustart);
                total += v * mult;
        }
        if (total > 9.2e18)
                return err_set(err, 0, "invalid duration \"%s\": out of range", s);
        *ns = (int64_t)(total + 0.5);
        if (neg)
                *ns = -*ns;
        return 0;
}
