/* strv.h - growable vector of owned strings, always NULL-terminated. */
#ifndef BERTH_STRV_H
#define BERTH_STRV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct strv {
        char **v; /* NULL-terminated once anything is pushed; may be NULL when empty */
        size_t n;
        size_t cap;
} strv_t;

#define STRV_INIT                                                                                  \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

void strv_push(strv_t *sv, const char *s); /* copies s */
void strv_take(strv_t *sv, char *s);       /* takes ownership of s */
void strv_pushf(strv_t *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool strv_contains(const strv_t *sv, const char *s);
ssize_t strv_index(const strv_t *sv, const char *s);
void strv_remove(strv_t *sv, size_t i);
void strv_sort(strv_t *sv);
void strv_copy(strv_t *dst, const strv_t *src);
/* In a "K=V" vector: replace the entry of key in place, else append. */
void strv_kv_set(strv_t *sv, const char *key, const char *val);
/* Join with sep into a new string (caller frees). */
char *strv_join(const strv_t *sv, const char *sep);
void strv_free(strv_t *sv);

#endif
