/* Unit tests for compose/interp.c and compose/dotenv.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/strv.h"
#include "compose/dotenv.h"
#include "compose/interp.h"
#include "compose/node.h"
#include "tap.h"

static strv_t env;

static void t(const char *in, const char *want, const char *name)
{
        char *out = NULL;
        err_t e;

        err_clear(&e);
        if (interp_string(in, interp_lookup_strv, &env, NULL, &out, &e) < 0) {
                ok(0, "%s: unexpected error %s", name, e.msg);
                return;
        }
        is_str(out, want, "%s", name);
        free(out);
}

static void t_err(const char *in, const char *want, const char *name)
{
        char *out = NULL;
        err_t e;

        err_clear(&e);
        ok(interp_string(in, interp_lookup_strv, &env, NULL, &out, &e) < 0, "%s fails", name);
        is_str(e.msg, want, "%s message", name);
        free(out);
}

static void test_forms(void)
{
        strv_t unset = STRV_INIT;
        char *out;
        err_t e;

        strv_push(&env, "A=alpha");
        strv_push(&env, "E=");
        strv_push(&env, "low_er=x");
        t("$A", "alpha", "$V");
        t("${A}", "alpha", "${V}");
        t("x${A}y$A.z", "xalphayalpha.z", "embedded");
        t("${U:-d}", "d", ":- unset");
        t("${E:-d}", "d", ":- empty");
        t("${A:-d}", "alpha", ":- set");
        t("${U-d}", "d", "- unset");
        t("${E-d}", "", "- empty keeps empty");
        t("${A:?boom}", "alpha", ":? set");
        t("${E?boom}", "", "? empty is fine");
        t("${A:+r}", "r", ":+ set");
        t("${E:+r}", "", ":+ empty");
        t("${E+r}", "r", "+ empty");
        t("${U+r}", "", "+ unset");
        t("${U:-${V:-x}}", "x", "nested default");
        t("${U:-${A}-b}", "alpha-b", "nested with text");
        t("${U:-a b c}", "a b c", "default with spaces");
        t("$$A", "$A", "$$ escapes");
        t("$$", "$", "$$ alone");
        t("a$", "a$", "trailing $");
        t("$1 $- $ x", "$1 $- $ x", "$ not followed by a name is kept");
        t("${low_er}", "x", "lowercase names");
        t("${U:-}", "", "empty default");
        t("${U:-}}", "}", "brace after");
        t_err("${U:?need it}", "required variable U is missing a value: need it", ":? unset");
        t_err("${E:?need}", "required variable E is missing a value: need", ":? empty");
        t_err("${U?}", "required variable U is missing a value", "? unset no message");
        t_err("${U?$A}", "required variable U is missing a value: alpha", "? message interpolated");
        t_err("${A", "invalid interpolation format: \"${A\"", "unterminated");
        t_err("${}", "invalid interpolation format: \"${}\"", "empty braces");
        t_err("${1A}", "invalid interpolation format: \"${1A}\"", "bad name");
        t_err("${A:x}", "invalid interpolation format: \"${A:x}\"", "bad modifier");
        t_err("${A/a/b}", "invalid interpolation format: \"${A/a/b}\"", "no substitution ops");

        ok(interp_string("$U ${U} ${W} $U", interp_lookup_strv, &env, &unset, &out, &e) == 0,
           "unset vars");
        is_str(out, "   ", "unset becomes empty");
        is_int(unset.n, 2, "unset names collected once");
        is_str(unset.v[0], "U", "first unset name");
        free(out);
        out = interp_unset_warning("U");
        is_str(out, "The \"U\" variable is not set. Defaulting to a blank string.", "warning text");
        free(out);
        strv_free(&unset);
}

static void test_tree(void)
{
        const char *y = "services:\n  web:\n    image: \"${A}:${TAG:-latest}\"\n"
                        "    labels:\n      $A: $A\n    command: [\"$$HOME\", \"${E:-e}\"]\n";
        struct cnode *r = NULL, *web;
        strv_t unset = STRV_INIT;
        err_t e;

        ok(cnode_parse_yaml(y, strlen(y), "i.yaml", &r, &e) == 0, "parse");
        ok(interp_tree(r, interp_lookup_strv, &env, &unset, &e) == 0, "interp tree");
        web = cnode_map_get(cnode_map_get(r, "services"), "web");
        is_str(cnode_map_get(web, "image")->str, "alpha:latest", "value interpolated");
        is_str(cnode_map_get(web, "labels")->keys[0]->str, "$A", "key untouched");
        is_str(cnode_map_get(web, "labels")->vals[0]->str, "alpha", "label value");
        is_str(cnode_map_get(web, "command")->vals[0]->str, "$HOME", "$$ in seq");
        is_str(cnode_map_get(web, "command")->vals[1]->str, "e", "default in seq");
        cnode_free(r);

        y = "services:\n  web:\n    image: ${NOPE:?set NOPE}\n";
        ok(cnode_parse_yaml(y, strlen(y), "i.yaml", &r, &e) == 0, "parse 2");
        ok(interp_tree(r, interp_lookup_strv, &env, &unset, &e) < 0, "required fails");
        is_str(e.msg,
               "i.yaml:3:12: services.web.image: required variable NOPE is missing a value: set "
               "NOPE",
               "required message with position and path");
        cnode_free(r);
        y = "x:\n  - a\n  - ${B\n";
        ok(cnode_parse_yaml(y, strlen(y), "i.yaml", &r, &e) == 0, "parse 3");
        ok(interp_tree(r, interp_lookup_strv, &env, &unset, &e) < 0, "invalid fails");
        is_str(e.msg, "i.yaml:3:5: x.[]: invalid interpolation format: \"${B\"", "invalid message");
        cnode_free(r);
        strv_free(&unset);
}

static strv_t parse_env(const char *text, err_t *e, int *rc)
{
        strv_t out = STRV_INIT;

        err_clear(e);
        *rc = dotenv_parse(text, strlen(text), "t.env", interp_lookup_strv, &env, &out, e);
        return out;
}

static void test_dotenv(void)
{
        err_t e;
        int rc;
        strv_t o = parse_env("# comment\n\nA1=one\nexport B1=two\nC1 = spaced  \n"
                             "D1=val # comment\nE1=val#notcomment\nF1='lit $A \\n'\n"
                             "G1=\"dq $A\\n\\t\\\"x\\\" \\\\ \\$A\"\nH1=\nI1=\"multi\nline\"\n"
                             "J1=${A1}-$A\nK1: yamlish\nA\nNOTSET\nL1=\"${A1:-z}\" # c\n"
                             "M1='it\\'s'\n",
                             &e, &rc);

        is_int(rc, 0, "dotenv parses: %s", e.msg);
        /* each key's value (NULL: not set) */
        static const struct {
                const char *key, *want, *name;
        } vals[] = {
            {"A1", "one", "KEY=VAL"},
            {"B1", "two", "export"},
            {"C1", "spaced", "spaces around = and trailing"},
            {"D1", "val", "inline comment"},
            {"E1", "val#notcomment", "# without space is kept"},
            {"F1", "lit $A \\n", "single quotes literal"},
            {"G1", "dq alpha\n\t\"x\" \\ $A", "double quote escapes + interp"},
            {"H1", "", "empty value"},
            {"I1", "multi\nline", "multi-line double quoted"},
            {"J1", "one-alpha", "interp of earlier var and env"},
            {"K1", "yamlish", "KEY: VAL"},
            {"A", "alpha", "bare key inherits env"},
            {"NOTSET", NULL, "bare unset key skipped"},
            {"L1", "one", "quoted with trailing comment"},
            {"M1", "it's", "escaped single quote"},
        };
        for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++)
                is_str(dotenv_get(&o, vals[i].key), vals[i].want, "%s", vals[i].name);
        strv_free(&o);

        o = parse_env("Q=\"a\\qb\\0101\\\\$A1\"\nA1=z\n", &e, &rc);
        is_str(dotenv_get(&o, "Q"), "a\\qbA\\", "unknown escape kept, octal escape");
        strv_free(&o);

        o = parse_env("A=1\nA=2\n", &e, &rc);
        ok(rc == 0 && o.n == 1 && !strcmp(dotenv_get(&o, "A"), "2"), "redefinition: last wins");
        strv_free(&o);
        o = parse_env("A=1\nB=\"open\nC=3\n", &e, &rc);
        ok(rc < 0, "unterminated quote fails");
        is_str(e.msg, "t.env:2: unterminated quoted value", "unterminated message");
        strv_free(&o);
        o = parse_env("A=1\n\nB*C=2\n", &e, &rc);
        ok(rc < 0 && !strncmp(e.msg, "t.env:3: unexpected character \"*\"", 33), "bad key: %s",
           e.msg);
        strv_free(&o);
        o = parse_env("A=${B\n", &e, &rc);
        ok(rc < 0 && strstr(e.msg, "t.env:1: invalid interpolation"), "bad interp: %s", e.msg);
        strv_free(&o);
        o = parse_env("A=\"x\" y\n", &e, &rc);
        ok(rc < 0 && strstr(e.msg, "after quoted value"), "garbage after quotes: %s", e.msg);
        strv_free(&o);
        o = parse_env("", &e, &rc);
        ok(rc == 0 && o.n == 0, "empty file");
        strv_free(&o);
}

/* issue 9 item 11: budgets and NUL bytes */
static void test_budgets(void)
{
        char *big = malloc(600 * 1024 + 8), *out = NULL;
        err_t e;
        int rc;

        memcpy(big, "BIG=", 4);
        memset(big + 4, 'x', 600 * 1024);
        big[4 + 600 * 1024] = '\0';
        strv_push(&env, big);
        free(big);
        err_clear(&e);
        ok(interp_string("${BIG}", interp_lookup_strv, &env, NULL, &out, &e) == 0 &&
               strlen(out) == 600 * 1024,
           "a 600 KiB value interpolates");
        free(out);
        out = NULL;
        t_err("${BIG}${BIG}", "interpolated value exceeds 1 MiB", "two of them exceed 1 MiB");
        t_err("${U:-${BIG}${BIG}}", "interpolated value exceeds 1 MiB", "so does a default");
        err_clear(&e);
        ok(interp_string("$BIG$BIG", interp_lookup_strv, &env, NULL, &out, &e) < 0 &&
               e.code == E2BIG,
           "E2BIG");
        free(out);

        /* a .env: each value under 1 MiB, together over 16 MiB */
        strv_t o = parse_env("A=${BIG}\nB=${BIG}\nC=${BIG}\nD=${BIG}\nE=${BIG}\nF=${BIG}\n"
                             "G=${BIG}\nH=${BIG}\nI=${BIG}\nJ=${BIG}\nK=${BIG}\nL=${BIG}\n"
                             "M=${BIG}\nN=${BIG}\nO=${BIG}\nP=${BIG}\nQ=${BIG}\nR=${BIG}\n"
                             "S=${BIG}\nT=${BIG}\nU=${BIG}\nV=${BIG}\nW=${BIG}\nX=${BIG}\n"
                             "Y=${BIG}\nZ=${BIG}\nZ1=${BIG}\nZ2=${BIG}\nZ3=${BIG}\n",
                             &e, &rc);
        ok(rc < 0, ".env over 16 MiB fails");
        is_str(e.msg, "t.env:28: the values exceed 16 MiB in total", ".env total message");
        strv_free(&o);

        /* a NUL byte in a .env is an error, not the end of the value */
        strv_t o2 = STRV_INIT;
        err_clear(&e);
        rc = dotenv_parse("A=1\nB=ok\0evil\n", 14, "t.env", interp_lookup_strv, &env, &o2, &e);
        ok(rc < 0, ".env NUL fails");
        is_str(e.msg, "t.env:2:5: a NUL byte is not allowed", ".env NUL message");
        strv_free(&o2);
}

int main(void)
{
        test_forms();
        test_tree();
        test_dotenv();
        test_budgets();
        strv_free(&env);
        cnode_intern_reset();
        return tap_done();
}
