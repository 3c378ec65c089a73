/* names.c - see names.h. */
#include "names.h"

static bool alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool name_char(char c)
{
        return alnum(c) || c == '_' || c == '.' || c == '-';
}

bool name_ok(const char *s, bool alnum_first)
{
        if (!*s || (alnum_first && !alnum(*s)))
                return false;
        for (; *s; s++)
                if (!name_char(*s))
                        return false;
        return true;
}
