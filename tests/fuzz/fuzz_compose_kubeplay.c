/* Fuzz target: arbitrary bytes as a stream of Kubernetes documents through
 * kube_docs_parse and kube_play_compose.  Beyond "no crash, no leak" it
 * checks the property the caller relies on: every file it asks to write is
 * a relative path without '..', so nothing lands outside the data dir. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube_play.h"
#include "node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int safe(const char *p)
{
        if (!*p || *p == '/')
                return 0;
        for (const char *s = p; *s;) {
                size_t l = strcspn(s, "/");
                if (l == 0 || (l == 2 && s[0] == '.' && s[1] == '.'))
                        return 0;
                s += l + (s[l] == '/');
        }
        return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *docs = json_array();
        err_t err;
        if (kube_docs_parse((const char *)data, size, "fuzz.yaml", docs, &err) == 0) {
                struct kube_play_opts o = {.data_dir = "/data"};
                json_t *compose = NULL, *files = NULL;
                char *project = NULL;
                strv_t w = STRV_INIT;
                if (kube_play_compose(docs, &o, &compose, &files, &project, &w, &err) == 0) {
                        const char *k;
                        json_t *v;
                        json_object_foreach(files, k, v) if (!safe(k)) abort();
                }
                json_decref(compose);
                json_decref(files);
                free(project);
                strv_free(&w);
        }
        json_decref(docs);
        cnode_intern_reset();
        return 0;
}
