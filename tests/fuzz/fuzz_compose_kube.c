/* Fuzz target: arbitrary bytes through YAML parsing and model decoding, then
 * `kube generate`'s mapping and its YAML rendering.  The property checked
 * beyond "no crash, no leak": every manifest's metadata.name is a DNS-1123
 * label, whatever the compose names were. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "kube.h"
#include "model.h"
#include "node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static char *env[] = {"HOME=/home/f", "A=1", NULL};
        struct cnode *root = NULL;
        struct compose_project *p = NULL;
        err_t err;
        struct compose_model_opts o = {
            .project_name = "fuzz",
            .working_dir = "/wd",
            .home = "/home/f",
            .environment = env,
            .no_env_files = true,
        };

        if (cnode_parse_yaml((const char *)data, size, "fuzz.yaml", &root, &err) == 0 &&
            compose_project_decode(root, &o, &p, &err) == 0) {
                struct kube_opts ko = {.environment = env, .no_read_files = true};
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
        cnode_free(root);
        cnode_intern_reset();
        return 0;
}
