/* hash.c - sha256 of a service's canonical JSON (libcrypto). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

int compose_service_hash(const json_t *service, char out[COMPOSE_HASH_LEN + 1], err_t *err)
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;

        if (!json_is_object(service))
                return err_set(err, 0, "service configuration is not an object");
        json_t *copy = json_deep_copy(service);
        /* What docker compose leaves out: how the image is obtained, how many
         * replicas run, and the dependency/profile wiring. */
        json_object_del(copy, "build");
        json_object_del(copy, "pull_policy");
        json_object_del(copy, "scale");
        json_object_del(copy, "depends_on");
        json_object_del(copy, "profiles");
        json_object_del(json_object_get(copy, "deploy"), "replicas");
        char *text = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(15));
        json_decref(copy);
        if (!text)
                return err_set(err, 0, "cannot serialise the service configuration");
        int ok = EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
        free(text);
        if (!ok || mdlen != COMPOSE_HASH_LEN / 2)
                return err_set(err, 0, "sha256 failed");
        for (unsigned int i = 0; i < mdlen; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
        return 0;
}
