/* Fuzz target: arbitrary bytes through YAML parsing, model decoding,
 * normalization, validation, both renderings and the service hash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "emit.h"
#include "hash.h"
#include "model.h"
#include "node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static char *env[] = {"HOME=/home/f", "A=1", NULL};
        static const char *profiles[] = {"dev"};
        struct cnode *root = NULL;
        struct compose_project *p = NULL;
        err_t err;
        struct compose_model_opts o = {
            .project_name = "fuzz",
            .working_dir = "/wd",
            .home = "/home/f",
            .environment = env,
            .profiles = profiles,
            .nprofiles = 1,
            .no_env_files = true,
        };

        if (cnode_parse_yaml((const char *)data, size, "fuzz.yaml", &root, &err) == 0 &&
            compose_project_decode(root, &o, &p, &err) == 0) {
                free(compose_emit_yaml(p->json));
                free(compose_emit_json(p->json));
                for (size_t i = 0; i < p->nservices; i++) {
                        char h[COMPOSE_HASH_LEN + 1];
                        compose_service_hash(p->services[i].json, h, &err);
                }
                compose_project_free(p);
        }
        cnode_free(root);
        cnode_intern_reset();
        return 0;
}
