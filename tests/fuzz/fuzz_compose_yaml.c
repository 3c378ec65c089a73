/* libFuzzer target: YAML parsing (anchors, merge keys, tags), interpolation
 * of the resulting tree, uniqueness pass and .env parsing of the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"
#include "interp.h"
#include "merge.h"
#include "node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const envv[] = {"A=alpha", "EMPTY=", "B=${A}", NULL};
        strv_t env = {(char **)envv, 3, 4}, unset = STRV_INIT, out = STRV_INIT, resets = STRV_INIT;
        struct cnode *root = NULL, *copy = NULL;
        char *text = malloc(size + 1);
        err_t err;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (cnode_parse_yaml(text, size, "fuzz.yaml", &root, &err) == 0) {
                copy = cnode_copy(root);
                creset_collect(copy, &resets);
                if (interp_tree(root, interp_lookup_strv, &env, &unset, &err) == 0 &&
                    root->kind == CN_MAP && cmerge_unicity(root, &err) == 0)
                        (void)cmerge(&copy, root, &err); /* consumes root */
                else
                        cnode_free(root);
                creset_apply(copy, &resets);
                cnode_free(copy);
        }
        dotenv_parse(text, size, "fuzz.env", interp_lookup_strv, &env, &out, &err);
        strv_free(&unset);
        strv_free(&out);
        strv_free(&resets);
        free(text);
        return 0;
}
