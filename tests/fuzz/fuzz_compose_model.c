/* Fuzz target: arbitrary bytes through YAML parsing, model decoding,
 * normalization, validation, both renderings and the service hash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "compose_input.h"
#include "emit.h"
#include "hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *profiles[] = {"dev"};
        struct compose_project *p = fuzz_project(data, size, profiles, 1);
        err_t err;

        if (p) {
                free(compose_emit_yaml(p->json));
                free(compose_emit_json(p->json));
                for (size_t i = 0; i < p->nservices; i++) {
                        char h[COMPOSE_HASH_LEN + 1];
                        compose_service_hash(p->services[i].json, h, &err);
                }
                compose_project_free(p);
        }
        cnode_intern_reset();
        return 0;
}
