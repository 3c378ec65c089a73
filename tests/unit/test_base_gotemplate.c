/* Unit tests for base/gotemplate (Go's text/template as docker's --format
 * uses it), base/tabwriter and base/cliformat, and the cases recorded from
 * Docker's documentation in tests/data/format/docker-docs.json; the template
 * cases are in tests/data/format/gotemplate.json. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/cliformat.h"
#include "base/gotemplate.h"
#include "base/tabwriter.h"
#include "json_cases.h"
#include "tap.h"

/* Run tmpl over the JSON text data, with the typed map[string]string paths
 * smaps; the output, or "ERR: message". */
static char *run_maps(const char *tmpl, const char *data, const char *const *smaps)
{
        struct gotmpl_opts o = {.string_maps = smaps};
        err_t err = {0};
        json_error_t je;
        json_t *d = json_loads(data, JSON_DECODE_ANY, &je);
        gotmpl_t *t = NULL;
        strbuf_t out = STRBUF_INIT;
        sb_append(&out, "");
        if (gotmpl_parse(tmpl, &t, &err) < 0 || gotmpl_exec(t, d, &o, &out, &err) < 0) {
                sb_free(&out);
                sb_appendf(&out, "ERR: %s", err.msg);
        }
        gotmpl_free(t);
        json_decref(d);
        return sb_steal(&out);
}

/* C's Config.Labels is a map[string]string, as in docker's container inspect */
static const char *const c_maps[] = {"Config.Labels", NULL};

static char *run(const char *tmpl, const char *data)
{
        return run_maps(tmpl, data, c_maps);
}

#define T(tmpl, data, want, name)                                                                  \
        do {                                                                                       \
                char *got_ = run(tmpl, data);                                                      \
                is_str(got_, want, "%s", name);                                                    \
                free(got_);                                                                        \
        } while (0)

/* tests/data/format/gotemplate.json: each case's template run over its data
 * (the file's doc when it has none) gives want. */
static void template_case(const json_t *file, const json_t *c)
{
        const json_t *data = json_object_get(c, "data");
        char *text =
            json_dumps(data ? data : json_object_get(file, "doc"), JSON_COMPACT | JSON_ENCODE_ANY);
        T(jcase_str(c, "template"), text, jcase_str(c, "want"), jcase_str(c, "name"));
        free(text);
}

/* The examples of text/template's documentation ("Examples" under
 * Pipelines): each prints the quoted word "output". */
static void test_go_doc_examples(void)
{
        static const char *const ex[] = {
            "{{\"\\\"output\\\"\"}}",
            "{{`\"output\"`}}",
            "{{printf \"%q\" \"output\"}}",
            "{{\"output\" | printf \"%q\"}}",
            "{{printf \"%q\" (print \"out\" \"put\")}}",
            "{{\"put\" | printf \"%s%s\" \"out\" | printf \"%q\"}}",
            "{{\"output\" | printf \"%s\" | printf \"%q\"}}",
            "{{with \"output\"}}{{printf \"%q\" .}}{{end}}",
            "{{with $x := \"output\" | printf \"%q\"}}{{$x}}{{end}}",
            "{{with $x := \"output\"}}{{printf \"%q\" $x}}{{end}}",
            "{{with $x := \"output\"}}{{$x | printf \"%q\"}}{{end}}",
        };
        for (size_t i = 0; i < sizeof(ex) / sizeof(*ex); i++)
                T(ex[i], "{}", "\"output\"", ex[i]);
        T("{{23 -}} < {{- 45}}", "{}", "23<45", "the trim markers' example");
}

/* string_maps: which maps are map[string]string */
static void test_string_maps(void)
{
        static const char *const m[] = {"Net.*.Opts", "Actor.Attributes", NULL};
        const char *d = "{\"Net\":{\"a\":{\"Opts\":{}},\"b\":{\"Opts\":{\"k\":\"v\"}}},"
                        "\"Actor\":{\"Attributes\":{\"name\":\"web\"}},"
                        "\"Other\":{\"name\":\"x\"}}";
        char *got = run_maps("{{range .Net}}[{{index .Opts \"zz\"}}]{{end}} "
                             "[{{index .Actor.Attributes \"exitCode\"}}] "
                             "{{.Actor.Attributes.exitCode}} {{index .Other \"zz\"}}",
                             d, m);
        is_str(got, "[][] [] <no value> <no value>",
               "string_maps: a '*' path, events' Actor.Attributes, an unlisted map");
        free(got);
        /* a null there is a Go nil map[string]string: index gives "",
         * json prints null, %v map[]; the document is left as it was */
        static const char *const cl[] = {"Config.Labels", "N.*", NULL};
        json_t *doc =
            json_loads("{\"Config\":{\"Labels\":null,\"A\":1},\"N\":{\"x\":null}}", 0, NULL);
        gotmpl_t *t = NULL;
        strbuf_t out = STRBUF_INIT;
        err_t err = {0};
        struct gotmpl_opts o = {.string_maps = cl};
        int rc = gotmpl_parse("{{index .Config.Labels \"x\"}}|{{json .Config.Labels}}|"
                              "{{.Config.Labels}}|{{json .Config}}|{{.Config.Labels.x}}|"
                              "{{index .N.x \"y\"}}|{{json .}}",
                              &t, &err);
        if (rc == 0)
                rc = gotmpl_exec(t, doc, &o, &out, &err);
        is_str(rc == 0 ? out.s : err.msg,
               "|null|map[]|{\"Labels\":null,\"A\":1}|<no value>||"
               "{\"Config\":{\"Labels\":null,\"A\":1},\"N\":{\"x\":null}}",
               "string_maps: a null is a nil map[string]string");
        char *after = json_dumps(doc, JSON_COMPACT);
        is_str(after, "{\"Config\":{\"Labels\":null,\"A\":1},\"N\":{\"x\":null}}",
               "string_maps: the document is unchanged after the run");
        free(after);
        sb_free(&out);
        gotmpl_free(t);
        json_decref(doc);
        got = run_maps("{{index .Actor.Attributes \"exitCode\"}}", d, NULL);
        is_str(got, "<no value>", "no string_maps: every map is a map of interfaces");
        free(got);
}

/* printf: a width of 1111111 (its last digit read past Go's limit) still
 * pads (the template reads no field: its data does not matter) */
static void test_wide_printf(void)
{
        char *got = run("{{printf \"%1111111s|\" \"x\"}}", "{}");
        ok(got && strlen(got) == 1111112 && got[1111110] == 'x' && got[0] == ' ',
           "printf: a width of 1111111 (its last digit read past the limit) still pads");
        free(got);
}

/* bounded: deep nesting, long loops and large output fail cleanly */
static void test_bounds(void)
{
        strbuf_t deep = STRBUF_INIT;
        for (int i = 0; i < 300; i++)
                sb_append(&deep, "{{if 1}}");
        char *got = run(deep.s, "{}");
        ok(!strncmp(got, "ERR: template: :1: template nested too deeply", 44), "nesting is capped");
        free(got);
        sb_free(&deep);
        got = run("{{range 100000000}}{{end}}", "{}");
        ok(strstr(got, "exceeds") != NULL, "evaluation steps are capped");
        free(got);
        got = run("{{range 100000}}{{pad \"x\" 1000 1000}}{{end}}", "{}");
        ok(strstr(got, "output exceeds") != NULL, "output size is capped");
        free(got);
}

static void test_tabwriter(void)
{
        strbuf_t out = STRBUF_INIT;
        const char *in = "CONTAINER ID\tNAMES\nabc\tweb\n";
        tabwriter_format(in, strlen(in), 10, 3, &out);
        is_str(out.s, "CONTAINER ID   NAMES\nabc            web\n", "columns padded by 3");
        sb_free(&out);
        in = "a\tb\tc\nlonger cell\n\tx\ty\n";
        tabwriter_format(in, strlen(in), 10, 3, &out);
        is_str(out.s, "a         b         c\nlonger cell\n          x         y\n",
               "a line without tabs ends a column block; minimum width 10");
        sb_free(&out);
        in = "ab\t\nabcdefghijklm\tz\n";
        tabwriter_format(in, strlen(in), 10, 3, &out);
        is_str(out.s, "ab              \nabcdefghijklm   z\n", "a trailing tab pads the cell");
        sb_free(&out);
        in = "é\tx\n";
        tabwriter_format(in, strlen(in), 1, 1, &out);
        is_str(out.s, "é x\n", "width counts code points");
        sb_free(&out);
}

/* tests/data/format/docker-docs.json: Docker's documented examples, each a
 * format of a type over items (with their labels), giving expect. */
static void docker_docs_case(const json_t *file, const json_t *c)
{
        json_t *items = json_object_get(c, "items");
        json_t *labels = json_object_get(c, "labels");
        struct cliformat f;
        err_t err = {0};
        strbuf_t out = STRBUF_INIT;
        (void)file;
        sb_append(&out, "");
        int rc = cliformat_open(&f, jcase_str(c, "format"), NULL, json_object_get(c, "headers"),
                                jcase_str(c, "type"), &err);
        /* "string_maps": the case's own map[string]string paths */
        json_t *sm = json_object_get(c, "string_maps");
        const char *smaps[8] = {0};
        for (size_t j = 0; j < json_array_size(sm) && j < 7; j++)
                smaps[j] = json_string_value(json_array_get(sm, j));
        if (rc == 0 && sm)
                f.opts.string_maps = smaps;
        size_t k;
        json_t *it;
        json_array_foreach(items, k, it)
        {
                json_t *m = NULL;
                if (rc == 0 && json_array_get(labels, k))
                        m = json_pack("{s:O}", "Label", json_array_get(labels, k));
                if (rc == 0)
                        rc = cliformat_row(&f, it, m, &err);
                json_decref(m);
        }
        if (rc == 0)
                cliformat_finish(&f, &out);
        else
                sb_appendf(&out, "ERR: %s", err.msg);
        cliformat_free(&f);
        is_str(out.s, jcase_str(c, "expect"), "docs: %s", jcase_str(c, "name"));
        sb_free(&out);
}

int main(void)
{
        json_cases_each("tests/data/format/gotemplate.json", "cases", template_case);
        test_go_doc_examples();
        test_string_maps();
        test_wide_printf();
        test_bounds();
        test_tabwriter();
        json_cases_each("tests/data/format/docker-docs.json", NULL, docker_docs_case);
        return tap_done();
}
