/* Unit tests for compose/node.c and compose/yaml.c. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "compose/node.h"
#include "tap.h"

static struct cnode *parse(const char *text, err_t *e)
{
        struct cnode *n = NULL;

        err_clear(e);
        if (cnode_parse_yaml(text, strlen(text), "c.yaml", &n, e) < 0)
                return NULL;
        return n;
}

static void test_basic(void)
{
        err_t e;
        struct cnode *r = parse("services:\n  web:\n    image: nginx\n    ports: [\"80:80\", 443]\n"
                                "    x: 'q'\n    y:\n    z: ~\n    b: |\n      lit\n",
                                &e);
        struct cnode *web;

        ok(r && r->kind == CN_MAP, "root is a map");
        if (!r)
                return;
        web = cnode_map_get(cnode_map_get(r, "services"), "web");
        ok(web && web->kind == CN_MAP, "services.web map");
        is_str(cnode_map_get(web, "image")->str, "nginx", "scalar value");
        is_int(cnode_map_get(web, "image")->pos.line, 3, "value line");
        is_int(cnode_map_get(web, "image")->pos.col, 12, "value col");
        is_int(web->keys[0]->pos.line, 3, "key line");
        is_int(web->keys[0]->pos.col, 5, "key col");
        is_str(cnode_map_get(web, "image")->pos.file, "c.yaml", "file name");
        ok(cnode_map_get(web, "ports")->kind == CN_SEQ && cnode_map_get(web, "ports")->n == 2,
           "flow sequence");
        ok(cnode_map_get(web, "ports")->vals[0]->quoted, "double quoted is quoted");
        ok(!cnode_map_get(web, "ports")->vals[1]->quoted, "plain is not quoted");
        ok(cnode_map_get(web, "x")->quoted, "single quoted");
        ok(cnode_is_null(cnode_map_get(web, "y")), "empty value is null");
        ok(cnode_map_get(web, "z")->kind == CN_NULL, "~ is null");
        ok(cnode_map_get(web, "b")->quoted, "literal block is quoted");
        is_str(cnode_map_get(web, "b")->str, "lit\n", "literal block text");
        cnode_free(r);

        r = parse("", &e);
        ok(r && r->kind == CN_NULL, "empty document is null");
        cnode_free(r);
        r = parse("a: '~'\nb: !!str null\nc: \"null\"\n", &e);
        ok(r && cnode_map_get(r, "a")->kind == CN_SCALAR, "quoted ~ is a string");
        ok(r && cnode_map_get(r, "b")->kind == CN_SCALAR && cnode_map_get(r, "b")->quoted,
           "!!str null is a string");
        ok(r && !strcmp(cnode_map_get(r, "b")->tag, "!!str"), "core tag shortened");
        ok(r && cnode_map_get(r, "c")->kind == CN_SCALAR, "double quoted null is a string");
        cnode_free(r);
}

static void test_tags(void)
{
        err_t e;
        struct cnode *r = parse("a: !reset\nb: !reset []\nc: !override\n  x: 1\n", &e);

        ok(r != NULL, "tags parse");
        if (!r)
                return;
        ok(cnode_map_get(r, "a")->kind == CN_NULL && !strcmp(cnode_map_get(r, "a")->tag, "!reset"),
           "!reset null keeps tag");
        ok(cnode_map_get(r, "b")->kind == CN_SEQ && !strcmp(cnode_map_get(r, "b")->tag, "!reset"),
           "!reset [] keeps tag");
        ok(cnode_map_get(r, "c")->kind == CN_MAP &&
               !strcmp(cnode_map_get(r, "c")->tag, "!override"),
           "!override map keeps tag");
        cnode_free(r);
}

static void test_anchors(void)
{
        err_t e;
        struct cnode *r = parse("x-base: &b\n  image: busybox\n  env: {A: 1}\n"
                                "s1: *b\n"
                                "s2:\n  <<: *b\n  image: alpine\n"
                                "s3:\n  <<: [{p: 1, q: 1}, {p: 2, r: 2}]\n  q: 3\n",
                                &e);

        ok(r != NULL, "anchors parse: %s", e.msg);
        if (!r)
                return;
        is_str(cnode_map_get(cnode_map_get(r, "s1"), "image")->str, "busybox", "alias copies");
        is_str(cnode_map_get(cnode_map_get(r, "s2"), "image")->str, "alpine", "explicit key wins");
        is_str(cnode_map_get(cnode_map_get(cnode_map_get(r, "s2"), "env"), "A")->str, "1",
               "merged key");
        ok(cnode_map_index(cnode_map_get(r, "s2"), "<<") < 0, "<< removed");
        is_str(cnode_map_get(cnode_map_get(r, "s3"), "p")->str, "1", "first merged map wins");
        is_str(cnode_map_get(cnode_map_get(r, "s3"), "q")->str, "3", "explicit beats list");
        is_str(cnode_map_get(cnode_map_get(r, "s3"), "r")->str, "2", "second map adds keys");
        /* the copy is independent of the anchor */
        cnode_map_set(cnode_map_get(r, "s1"), "image", cnode_new_scalar("changed", NULL));
        is_str(cnode_map_get(cnode_map_get(r, "x-base"), "image")->str, "busybox",
               "alias is a deep copy");
        cnode_free(r);

        r = parse("a: &a [x]\nb: *a\nc: *a\n", &e);
        ok(r && cnode_map_get(r, "c")->n == 1, "alias used twice");
        cnode_free(r);

        r = parse("a: *nope\n", &e);
        ok(!r && strstr(e.msg, "c.yaml:1:4: unknown anchor"), "unknown anchor: %s", e.msg);
        r = parse("a: &a {<<: 1}\n", &e);
        ok(!r && strstr(e.msg, "c.yaml:1:12: map merge"), "merge of scalar: %s", e.msg);
        r = parse("a:\n  '<<': {x: 1}\n", &e);
        ok(r && cnode_map_get(cnode_map_get(r, "a"), "<<") != NULL, "quoted << is a plain key");
        cnode_free(r);
}

static void test_bomb(void)
{
        err_t e;
        const char *bomb =
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
            "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
            "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
            "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
            "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
            "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        struct cnode *r = parse(bomb, &e);

        ok(!r && strstr(e.msg, "too many alias expansions"), "billion laughs fails: %s", e.msg);
        ok(!r && strncmp(e.msg, "c.yaml:", 7) == 0, "bomb error names the file");

        /* deep nesting is refused rather than recursing forever */
        char *deep = malloc(20001);
        memset(deep, '[', 10000);
        memset(deep + 10000, ']', 10000);
        deep[20000] = 0;
        r = parse(deep, &e);
        ok(!r && strstr(e.msg, "nesting too deep"), "deep nesting: %s", e.msg);
        free(deep);
}

static void test_errors(void)
{
        err_t e;
        struct cnode *r = parse("a: 1\nb:\n  c: 2\n  c: 3\n", &e);

        ok(!r, "duplicate key fails");
        is_str(e.msg, "c.yaml:4:3: duplicate key \"c\"", "duplicate key message");
        r = parse("a: 1\n---\nb: 2\n", &e);
        ok(!r && strstr(e.msg, "multiple YAML documents"), "two documents: %s", e.msg);
        r = parse("a: [1, 2\n", &e);
        ok(!r && !strncmp(e.msg, "c.yaml:2:1: ", 12), "syntax error position: %s", e.msg);
        r = parse("a: b\n c: d\n", &e);
        ok(!r && strstr(e.msg, "c.yaml:2:"), "bad indentation: %s", e.msg);
        r = parse("? [a]\n: b\n", &e);
        ok(!r && strstr(e.msg, "mapping key must be a scalar"), "complex key: %s", e.msg);
        r = parse("a: \"\\q\"\n", &e);
        ok(!r && strstr(e.msg, "c.yaml:1:"), "bad escape: %s", e.msg);
}

static void test_node_api(void)
{
        struct cnode_pos p = {cnode_intern("f"), 1, 2};
        struct cnode *m = cnode_new(CN_MAP, &p), *c;
        long long i;
        double d;
        bool b;

        ok(cnode_intern("f") == p.file, "intern returns the same pointer");
        cnode_map_set(m, "a", cnode_new_scalar("1", &p));
        cnode_map_set(m, "b", cnode_new_scalar("0x1F", &p));
        cnode_map_set(m, "c", cnode_new_scalar("TRUE", &p));
        cnode_map_set(m, "a", cnode_new_scalar("-12", &p));
        is_int(m->n, 3, "set replaces");
        is_int(cnode_map_index(m, "c"), 2, "index");
        ok(cnode_as_int(cnode_map_get(m, "a"), &i) == 0 && i == -12, "negative int");
        ok(cnode_as_int(cnode_map_get(m, "b"), &i) == 0 && i == 31, "hex int");
        ok(cnode_as_bool(cnode_map_get(m, "c"), &b) == 0 && b, "bool any case");
        ok(cnode_as_bool(cnode_map_get(m, "a"), &b) < 0, "not a bool");
        c = cnode_copy(m);
        ok(cnode_map_del(m, "a") && m->n == 2 && !cnode_map_get(m, "a"), "del");
        ok(!cnode_map_del(m, "a"), "del missing");
        is_int(c->n, 3, "copy unaffected");
        cnode_free(c);
        c = cnode_new_scalar("0o17", NULL);
        ok(cnode_as_int(c, &i) == 0 && i == 15, "octal int");
        free(c->str);
        c->str = strdup(" 1");
        ok(cnode_as_int(c, &i) < 0, "leading blank rejected");
        free(c->str);
        c->str = strdup("1.5e3");
        ok(cnode_as_double(c, &d) == 0 && d == 1500, "double");
        ok(cnode_as_int(c, &i) < 0, "double is not an int");
        free(c->str);
        c->str = strdup("0x10");
        ok(cnode_as_double(c, &d) < 0, "hex float rejected");
        cnode_free(c);
        c = cnode_new(CN_SEQ, &p);
        for (int k = 0; k < 100; k++)
                cnode_seq_push(c, cnode_new_scalar("x", &p));
        is_int(c->n, 100, "seq push");
        cnode_free(c);
        cnode_free(m);
        ok(cnode_is_null(NULL), "NULL node is null");
}

int main(void)
{
        test_basic();
        test_tags();
        test_anchors();
        test_bomb();
        test_errors();
        test_node_api();
        cnode_intern_reset();
        return tap_done();
}
