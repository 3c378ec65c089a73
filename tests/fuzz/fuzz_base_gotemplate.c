/* Fuzz base/gotemplate, base/cliformat and base/tabwriter: the input's first
 * line is a --format value, the rest a JSON document it runs over (twice as
 * a list item with docker's headers, once as a plain document with typed
 * string-map paths).  Any input
 * must end in output or an error, within the engine's caps. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cliformat.h"
#include "gotemplate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        memcpy(s, data, size);
        s[size] = '\0';
        char *nl = strchr(s, '\n');
        json_t *doc = NULL;
        if (nl) {
                *nl = '\0';
                doc = json_loads(nl + 1, JSON_DECODE_ANY, NULL);
        }
        if (!doc)
                doc = json_pack("{s:s,s:[s,s],s:{s:i}}", "Name", "web", "Args", "a", "b", "State",
                                "Pid", 1);
        err_t err;
        struct cliformat f;
        json_t *headers = json_pack("{s:s,s:s}", "Name", "NAME", "Args", "ARGS");
        json_t *methods = json_pack("{s:{s:s}}", "Label", "k", "v");
        if (cliformat_open(&f, s, "table {{.Name}}", headers, "*fuzz.Context", &err) == 0) {
                strbuf_t out = STRBUF_INIT;
                (void)cliformat_row(&f, doc, methods, &err);
                (void)cliformat_row(&f, doc, NULL, &err);
                cliformat_finish(&f, &out);
                if (out.len > 3 * 16 * 1024 * 1024 + 64)
                        abort();
                sb_free(&out);
                cliformat_free(&f);
        }
        gotmpl_t *t = NULL;
        if (gotmpl_parse(s, &t, &err) == 0) {
                strbuf_t out = STRBUF_INIT;
                static const char *const maps[] = {"Labels", "*", "*.*.Labels", "", "*.*", NULL};
                struct gotmpl_opts o = {.max_output = 4096, .string_maps = maps};
                (void)gotmpl_exec(t, doc, &o, &out, &err);
                if (out.len > 4096)
                        abort();
                sb_free(&out);
                gotmpl_free(t);
        } else if (strncmp(err.msg, "template: :", 11) != 0) {
                abort(); /* every parse error names its place as Go does */
        }
        json_decref(headers);
        json_decref(methods);
        json_decref(doc);
        free(s);
        return 0;
}
