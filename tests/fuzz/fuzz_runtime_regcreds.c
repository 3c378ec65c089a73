/* libFuzzer: parse arbitrary bytes as Docker's config.json and look up the
 * credentials of a few registry spellings (auths, base64 auth, identity
 * tokens, credHelpers / credsStore). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_creds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const servers[] = {"docker.io", "localhost:5000", "reg.example.com",
                                              "127.0.0.1:5000"};
        for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
                char *u = NULL, *s = NULL, *h = NULL;
                err_t err;
                int r = reg_creds_parse((const char *)data, size, servers[i], &u, &s, &h, &err);
                if (r == 1 && (!u || !s))
                        abort();
                if (r == 2 && !h)
                        abort();
                free(u);
                reg_secret_free(s);
                free(h);
        }
        return 0;
}
