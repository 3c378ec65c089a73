/* libFuzzer: .dockerignore files.  The input is the file; each of its lines
 * is also tried as a context path.  Checked against the contract: patterns
 * are never empty nor absolute, a literal pattern excludes its own path and
 * everything below it, and "!" after it takes that back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool literal(const char *p)
{
        return !strpbrk(p, "*?[\\") && *p != '!';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        strv_t pats = STRV_INIT;
        rt_dockerignore_parse((const char *)data, size, &pats);
        for (size_t i = 0; i < pats.n; i++) {
                const char *p = pats.v[i][0] == '!' ? pats.v[i] + 1 : pats.v[i];
                if (!*p || *p == '/')
                        abort();
        }
        /* the input's lines as paths, against all patterns */
        char *text = xstrndup((const char *)data, size);
        char *save = NULL;
        int n = 0;
        for (char *l = strtok_r(text, "\n", &save); l && n < 16;
             l = strtok_r(NULL, "\n", &save), n++)
                (void)rt_dockerignore_excluded(&pats, l);
        free(text);
        /* each literal pattern alone: its path and what is below are excluded,
         * and an exception for the same path takes that back */
        for (size_t i = 0; i < pats.n && i < 8; i++) {
                const char *p = pats.v[i];
                if (!literal(p) || strlen(p) > 200)
                        continue;
                strv_t one = STRV_INIT;
                strv_push(&one, p);
                char *below = xasprintf("%s/x", p);
                if (!rt_dockerignore_excluded(&one, p) || !rt_dockerignore_excluded(&one, below))
                        abort();
                strv_pushf(&one, "!%s", p);
                if (rt_dockerignore_excluded(&one, p))
                        abort();
                free(below);
                strv_free(&one);
        }
        strv_free(&pats);
        return 0;
}
