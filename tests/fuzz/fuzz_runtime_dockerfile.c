/* libFuzzer: parse arbitrary bytes as a Dockerfile, expand every shell-form
 * argument as words, and match .dockerignore patterns made from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(const char *name, void *ud)
{
        (void)ud;
        return name[0] == 'A' ? "value with spaces" : name[0] == 'E' ? "" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct rt_dockerfile df;
        err_t err;
        if (rt_dockerfile_parse((const char *)data, size, "Dockerfile", &df, &err) == 0) {
                for (size_t i = 0; i < df.n; i++) {
                        strv_t w = STRV_INIT;
                        if (df.v[i].rest)
                                rt_dockerfile_words(df.v[i].rest, df.escape, lookup, NULL,
                                                    i % 2 == 0, &w, &err);
                        (void)rt_df_flag(&df.v[i], "from");
                        strv_free(&w);
                }
                rt_dockerfile_free(&df);
        }
        strv_t pats = STRV_INIT;
        rt_dockerignore_parse((const char *)data, size, &pats);
        char *path = xstrndup((const char *)data, size < 64 ? size : 64);
        (void)rt_dockerignore_excluded(&pats, path);
        for (size_t i = 0; i < pats.n && i < 8; i++)
                (void)rt_path_match(pats.v[i], "a/b/c.txt");
        free(path);
        strv_free(&pats);
        return 0;
}
