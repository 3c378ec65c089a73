/* size.c - byte sizes as docker's units.RAMInBytes reads them. */
#include "size.h"

#include <ctype.h>
#include <stdlib.h>

int bytes_parse(const char *s, int64_t *bytes, err_t *err)
{
        const char *p = s;
        char *end;
        double v;
        double mult = 1;

        if (!isdigit((unsigned char)*p))
                goto bad;
        v = strtod(p, &end);
        p = end;
        if (*p == ' ')
                p++;
        switch (tolower((unsigned char)*p)) {
        case 'k':
                mult = 1024.0;
                p++;
                break;
        case 'm':
                mult = 1024.0 * 1024;
                p++;
                break;
        case 'g':
                mult = 1024.0 * 1024 * 1024;
                p++;
                break;
        case 't':
                mult = 1024.0 * 1024 * 1024 * 1024;
                p++;
                break;
        case 'p':
                mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
                p++;
                break;
        default:
                break;
        }
        if (mult > 1 && tolower((unsigned char)*p) == 'i')
                p++;
        if (tolower((unsigned char)*p) == 'b')
                p++;
        if (*p)
                goto bad;
        v *= mult;
        if (v > 9.2e18)
                return err_set(err, 0, "invalid size \"%s\": out of range", s);
        *bytes = (int64_t)v;
        return 0;
bad:
        return err_set(err, 0,
                       "invalid size \"%s\": use a number with an optional unit b, k, m or g "
                       "(e.g. \"64m\")",
                       s);
}
