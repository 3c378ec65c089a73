/* Fuzz target: arbitrary bytes through YAML parsing and model decoding, then
 * `kube generate`'s mapping and its YAML rendering.  The property checked
 * beyond "no crash, no leak": every manifest's metadata.name is a DNS-1123
 * label, whatever the compose names were. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compose_input.h"
#include "emit.h"
#include "kube.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct compose_project *p = fuzz_project(data, size, NULL, 0);
        err_t err;

        if (p) {
                struct kube_opts ko = {.environment = fuzz_env, .no_read_files = true};
                json_t *docs = NULL;
                strv_t w = STRV_INIT;
                if (compose_kube_generate(p, &ko, &docs, &w, &err) == 0) {
                        size_t i;
                        json_t *d;
                        json_array_foreach(docs, i, d)
                        {
                                const char *n = json_string_value(
                                    json_object_get(json_object_get(d, "metadata"), "name"));
                                char *l = kube_dns_label(n);
                                if (!n || strcmp(l, n))
                                        abort();
                                free(l);
                        }
                        free(compose_emit_yaml(docs));
                        json_decref(docs);
                }
                strv_free(&w);
                compose_project_free(p);
        }
        cnode_intern_reset();
        return 0;
}
