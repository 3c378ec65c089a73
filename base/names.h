/* names.h - the characters Docker allows in the names of containers,
 * networks, volumes and compose objects. */
#ifndef BERTH_BASE_NAMES_H
#define BERTH_BASE_NAMES_H

#include <stdbool.h>

/* One of [a-zA-Z0-9_.-] (ASCII only). */
bool name_char(char c);
/* s is not empty and all name characters; alnum_first: its first is a letter
 * or a digit ([a-zA-Z0-9][a-zA-Z0-9_.-]*). */
bool name_ok(const char *s, bool alnum_first);

#endif
