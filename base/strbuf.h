/* strbuf.h - growable NUL-terminated string buffer. */
#ifndef BERTH_STRBUF_H
#define BERTH_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
        char *s;    /* always NUL-terminated once anything is appended */
        size_t len; /* bytes used, excluding the NUL */
        size_t cap;
} strbuf_t;

#define STRBUF_INIT                                                                                \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

void sb_append(strbuf_t *sb, const char *s);
void sb_appendn(strbuf_t *sb, const char *s, size_t n);
void sb_appendc(strbuf_t *sb, char c);
/* n copies of c */
void sb_fill(strbuf_t *sb, char c, size_t n);
void sb_appendf(strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(strbuf_t *sb);
/* Return the string (never NULL) and leave sb empty; caller frees. */
char *sb_steal(strbuf_t *sb);
/* The current contents, "" when empty; owned by sb. */
const char *sb_str(const strbuf_t *sb);
void sb_free(strbuf_t *sb);

#endif
