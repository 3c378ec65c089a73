/* Unit tests for base/gotemplate (Go's text/template as docker's --format
 * uses it), base/tabwriter and base/cliformat, and the cases recorded from
 * Docker's documentation in tests/data/format/docker-docs.json. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/cliformat.h"
#include "base/gotemplate.h"
#include "base/tabwriter.h"
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

static const char *C =
    "{\"Name\":\"/web\",\"Args\":[\"-g\",\"daemon off;\"],\"State\":{\"Running\":true,\"Pid\":42,"
    "\"Status\":\"running\"},\"Config\":{\"Image\":\"nginx:latest\",\"Labels\":{\"a\":\"1\",\"b\":"
    "\"2\"}},\"Size\":1234567.0,\"Ratio\":0.5,\"Empty\":\"\",\"Nil\":null,\"Nums\":[3,1,2],"
    "\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}],\"443/tcp\":null}}";

static void test_actions(void)
{
        T("hello", C, "hello", "plain text");
        T("{{.Name}}", C, "/web", "field");
        T("{{.State.Pid}} {{.State.Running}}", C, "42 true", "nested fields, int and bool");
        T("{{ .Config.Image }}", C, "nginx:latest", "spaces inside the action");
        T("{{.Missing}}", C, "<no value>", "missing key of a map");
        T("{{.Missing.Deeper}}", C, "<no value>", "field of a missing value");
        T("{{.Nil}}", C, "<no value>", "null");
        T("{{.Args}}", C, "[-g daemon off;]", "array prints as Go's slice");
        T("{{.Config.Labels}}", C, "map[a:1 b:2]", "object prints as Go's map");
        T("{{.Ports}}", C, "map[443/tcp:<nil> 80/tcp:[map[HostIp:0.0.0.0 HostPort:8080]]]",
          "nil inside a composite, keys sorted");
        T("{{.Size}}", C, "1.234567e+06", "float64 prints as Go's %v");
        T("{{.Ratio}}", C, "0.5", "small float");
        T("{{.}}", "\"x\"", "x", "dot");
        T("{{.Name.Foo}}", C,
          "ERR: template: :1:2: executing \"\" at <.Name.Foo>: can't "
          "evaluate field Foo in type string",
          "field of a string");
        T("a {{- \" b \" -}} c", "{}", "a b c", "trim markers");
        T("a  {{- /* comment */ -}}  b", "{}", "ab", "comment with trim markers");
        T("{{/* only */}}x", "{}", "x", "comment");
        T("{{-3}}", "{}", "-3", "{{-3}} is a number, not a trim marker");
        T("{{\"a\\tb\\u00e9\\x41\"}}|{{`raw\\n`}}|{{'a'}}", "{}", "a\tbéA|raw\\n|97",
          "string, raw string and char literals");
        T("{{0x1F}} {{1e3}} {{1_000}} {{true}} {{0o17}}", "{}", "31 1000 1000 true 15",
          "number literals");
        T("{{$x := .Name}}{{$x}}{{$x = \"b\"}}{{$x}}", C, "/webb", "declare and assign");
        T("{{$.Name}}", C, "/web", "$ is the root");
        T("{{.Name | printf \"%s!\"}}", C, "/web!", "pipeline passes the last argument");
        T("{{(index .Ports \"80/tcp\" 0).HostPort}}", C, "8080", "field of a parenthesized pipe");
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

static void test_control(void)
{
        T("{{if .State.Running}}up{{else}}down{{end}}", C, "up", "if");
        T("{{if .Empty}}a{{else if .Nil}}b{{else}}c{{end}}", C, "c", "else if chain");
        T("{{if and .Name .Empty}}a{{else}}b{{end}}", C, "b", "and");
        T("{{or .Empty .Nil \"z\"}}", C, "z", "or returns the first true value");
        T("{{and 1 0 2}}", C, "0", "and returns the first false value");
        T("{{not .Empty}}", C, "true", "not");
        T("{{range .Args}}[{{.}}]{{end}}", C, "[-g][daemon off;]", "range over an array");
        T("{{range $i, $a := .Args}}{{$i}}={{$a}} {{end}}", C, "0=-g 1=daemon off; ",
          "range with index and element");
        T("{{range $k, $v := .Config.Labels}}{{$k}}{{$v}}{{end}}", C, "a1b2",
          "range over a map in key order");
        T("{{range .Nil}}x{{else}}empty{{end}}", C, "empty", "range else");
        T("{{range 3}}{{.}}{{end}}", C, "012", "range over an integer");
        T("{{range .Nums}}{{if eq . 1}}{{continue}}{{end}}{{if eq . 2}}{{break}}{{end}}{{.}}"
          "{{end}}",
          C, "3", "break and continue");
        T("{{with .State}}{{.Status}}{{end}}", C, "running", "with");
        T("{{with .Empty}}x{{else}}none{{end}}", C, "none", "with else");
        T("{{with $s := .State.Status}}{{$s}}{{end}}", C, "running", "with declaring");
        T("{{range .Name}}{{end}}", C, "ERR: template: :1:0: range can't iterate over /web",
          "range over a string fails");
}

static void test_functions(void)
{
        T("{{len .Args}} {{len .Name}} {{len .Config.Labels}}", C, "2 4 2", "len");
        T("{{len 3}}", C,
          "ERR: template: :1:2: executing \"\" at <len>: error calling len: len of type int",
          "len of a number");
        T("{{printf \"%11111111d|%s\" 5 \"x\"}}", C, "%!(NOVERB)%!(EXTRA int=5, string=x)",
          "printf: a width past Go's limit makes the rest a missing verb");
        T("{{printf \"%.22222222f|\" 1.5}}", C, "%!(NOVERB)%!(EXTRA float64=1.5)",
          "printf: so does a precision past it");
        {
                char *got = run("{{printf \"%1111111s|\" \"x\"}}", C);
                ok(got && strlen(got) == 1111112 && got[1111110] == 'x' && got[0] == ' ',
                   "printf: a width of 1111111 (its last digit read past the limit) still pads");
                free(got);
        }
        T("{{index .Args 1}}", C, "daemon off;", "index of an array");
        T("{{index .Config.Labels \"zz\"}}|", C, "|", "index of a missing label is empty");
        T("{{.Config.Labels.zz}}", C, "<no value>",
          "a field of a missing key is <no value> even in a map[string]string");
        T("{{eq (index .Config.Labels \"zz\") \"\"}}", C, "true",
          "index of a missing label is the string zero value");
        T("{{index .State \"zz\"}}", C, "<no value>", "index of a map of interfaces: nil");
        T("{{index .Ports \"zz\"}}", C, "<no value>", "index of a map not listed: nil");
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
                json_t *doc = json_loads(
                    "{\"Config\":{\"Labels\":null,\"A\":1},\"N\":{\"x\":null}}", 0, NULL);
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
        T("{{index .Args 5}}", C,
          "ERR: template: :1:2: executing \"\" at <index>: error calling index: index out of "
          "range: 5",
          "index out of range");
        T("{{slice .Name 1 3}}", C, "we", "slice");
        T("{{eq .State.Status \"running\" \"x\"}} {{ne 1 2}} {{lt 1 2}} {{ge \"b\" \"a\"}}", C,
          "true true true true", "comparisons");
        T("{{eq .Args 1}}", C,
          "ERR: template: :1:2: executing \"\" at <eq>: error calling eq: non-comparable type",
          "eq on a slice fails");
        T("{{printf \"%-6s|%5d|%q|%v|%x|%05.1f|%t|%%\" \"ab\" 42 \"q\\\"\" .Args 255 3.14159 "
          "true}}",
          C, "ab    |   42|\"q\\\"\"|[-g daemon off;]|ff|003.1|true|%", "printf verbs");
        T("{{printf \"%d %s\" \"x\"}}", C, "%!d(string=x) %!s(MISSING)",
          "printf bad verb and missing");
        T("{{printf \"%s\" 1 2}}", C, "%!s(int=1)%!(EXTRA int=2)", "printf extra");
        T("{{print \"a\" 1 2 \"b\"}}", C, "a1 2b", "print spaces between non-strings");
        T("{{println .Name 1}}", C, "/web 1\n", "println");
        T("{{json .Config}}", C,
          "{\"Image\":\"nginx:latest\",\"Labels\":{\"a\":\"1\",\"b\":\"2\"}}",
          "json keeps the document's order");
        T("{{json .Name}} {{json \"<&>\"}} {{json .Ratio}} {{json .Nil}}", C,
          "\"/web\" \"<&>\" 0.5 null", "json of scalars, no HTML escaping");
        T("{{join .Args \" , \"}}", C, "-g , daemon off;", "join");
        T("{{split .Config.Image \":\"}}", C, "[nginx latest]", "split");
        T("{{lower \"ABC\"}} {{upper .Name}} {{title \"hello wide-world\"}}", C,
          "abc /WEB Hello Wide-World", "lower, upper, title");
        T("[{{pad \"x\" 2 1}}] [{{truncate \"abcdef\" 3}}] [{{truncate \"ab\" 3}}]", C,
          "[  x ] [abc] [ab]", "pad and truncate");
        T("{{html \"<a href='x'>\"}} {{urlquery \"a b&c\"}} {{js \"it's\"}}", C,
          "&lt;a href=&#39;x&#39;&gt; a+b%26c it\\'s", "html, urlquery, js");
        T("{{lower 1}}", C,
          "ERR: template: :1:2: executing \"\" at <lower>: wrong type for value; expected "
          "string; got int",
          "docker's functions want strings");
        T("{{join .Nums \",\"}}", C,
          "ERR: template: :1:2: executing \"\" at <join>: wrong type for value; expected "
          "[]string; got []interface {}",
          "join wants strings");
}

static void test_errors(void)
{
        T("{{.Name", C, "ERR: template: :1: unclosed action", "unclosed action");
        T("{{nosuch .}}", C, "ERR: template: :1: function \"nosuch\" not defined",
          "unknown function");
        T("{{$x}}", C, "ERR: template: :1: undefined variable \"$x\"", "undefined variable");
        T("{{if .A}}x", C, "ERR: template: :1: unexpected EOF", "if without end");
        T("{{end}}", C, "ERR: template: :1: unexpected {{end}}", "stray end");
        T("a\n{{.Name}}\n{{.Name.X}}", C,
          "ERR: template: :3:2: executing \"\" at <.Name.X>: can't evaluate field X in type "
          "string",
          "line and column of an execution error");
        T("{{template \"x\"}}", C, "ERR: template: :1: {{template}} is not supported",
          "template is rejected");
        T("{{\"abc}}", C, "ERR: template: :1: unterminated quoted string", "unterminated string");
        T("{{(1}}", C, "ERR: template: :1: unclosed left paren", "unclosed paren");
        T("{{break}}", C, "ERR: template: :1: {{break}} outside {{range}}", "break outside range");
        T("{{1 2}}", C,
          "ERR: template: :1:2: executing \"\" at <1>: can't give argument to non-function 1",
          "argument to a non-function");
        T("{{.Name \"x\"}}", C,
          "ERR: template: :1:2: executing \"\" at <.Name>: Name is not a method but has "
          "arguments",
          "argument to a field");
        /* bounded: deep nesting, long loops and large output fail cleanly */
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

/* tests/data/format/docker-docs.json: Docker's documented examples. */
static void test_docker_docs(void)
{
        json_error_t je;
        json_t *cases = json_load_file("tests/data/format/docker-docs.json", 0, &je);
        if (!ok(json_is_array(cases), "docker-docs.json loads (%s)", je.text))
                return;
        size_t i;
        json_t *c;
        json_array_foreach(cases, i, c)
        {
                const char *name = json_string_value(json_object_get(c, "name"));
                const char *fmt = json_string_value(json_object_get(c, "format"));
                const char *type = json_string_value(json_object_get(c, "type"));
                const char *want = json_string_value(json_object_get(c, "expect"));
                json_t *items = json_object_get(c, "items");
                json_t *labels = json_object_get(c, "labels");
                struct cliformat f;
                err_t err = {0};
                strbuf_t out = STRBUF_INIT;
                sb_append(&out, "");
                int rc = cliformat_open(&f, fmt, NULL, json_object_get(c, "headers"), type, &err);
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
                is_str(out.s, want, "docs: %s", name);
                sb_free(&out);
        }
        json_decref(cases);
}

int main(void)
{
        test_actions();
        test_go_doc_examples();
        test_control();
        test_functions();
        test_errors();
        test_tabwriter();
        test_docker_docs();
        return tap_done();
}
