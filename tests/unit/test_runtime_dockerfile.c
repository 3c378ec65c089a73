/* Dockerfile parser, word expansion and .dockerignore matching. */
#include <stdlib.h>
#include <string.h>

#include "runtime/dockerfile.h"
#include "base/xalloc.h"
#include "tap.h"

static const char *lookup(const char *name, void *ud)
{
        (void)ud;
        if (!strcmp(name, "A"))
                return "alpha";
        if (!strcmp(name, "EMPTY"))
                return "";
        if (!strcmp(name, "SP"))
                return "x y";
        return NULL;
}

static char *words(const char *s, bool split)
{
        strv_t w = STRV_INIT;
        err_t err = {0};
        if (rt_dockerfile_words(s, '\\', lookup, NULL, split, &w, &err) < 0) {
                strv_free(&w);
                return strdup(err.msg);
        }
        char *j = strv_join(&w, "|");
        strv_free(&w);
        return j;
}

static void check_words(const char *s, bool split, const char *want)
{
        char *g = words(s, split);
        is_str(g, want, "words(%s)", s);
        free(g);
}

static int parse(const char *text, struct rt_dockerfile *df, err_t *err)
{
        return rt_dockerfile_parse(text, strlen(text), "Dockerfile", df, err);
}

static void check_error(const char *text, const char *want)
{
        struct rt_dockerfile df;
        err_t err = {0};
        int r = parse(text, &df, &err);
        ok(r < 0, "rejects: %s", want);
        if (r == 0)
                rt_dockerfile_free(&df);
        static int ncase;
        bool found = strstr(err.msg, want) != NULL;
        ok(found, "error case %d has the expected message", ++ncase);
        if (!found) {
                fputs("# want: ", stdout);
                puts(want);
                tap_diag("got:  %s", err.msg);
        }
}

static void test_parse(void)
{
        const char *text = "# syntax=docker/dockerfile:1\n"
                           "# escape=\\\n"
                           "ARG BASE=busybox\n"
                           "FROM --platform=linux/amd64 $BASE AS build\n"
                           "# a comment\n"
                           "RUN echo a \\\n"
                           "  # inner comment\n"
                           "\n"
                           "    b\n"
                           "CMD [\"sh\", \"-c\", \"echo hi\"]\n"
                           "ENTRYPOINT [not json\n"
                           "copy --from=build --chown=1:2 /a /b\n"
                           "HEALTHCHECK --interval=5s CMD [\"true\"]\n"
                           "HEALTHCHECK none\n"
                           "HEALTHCHECK CMD test -f /x\n"
                           "SHELL [\"/bin/bash\", \"-c\"]\n";
        struct rt_dockerfile df;
        err_t err = {0};
        int r = parse(text, &df, &err);
        is_int(r, 0, "parses (%s)", err.msg);
        if (r < 0)
                return;
        is_int(df.n, 10, "ten instructions");
        is_int(df.v[0].kind, RT_DF_ARG, "ARG first");
        is_int(df.v[0].line, 3, "ARG line 3");
        is_int(df.v[1].kind, RT_DF_FROM, "FROM");
        is_str(rt_df_flag(&df.v[1], "platform"), "linux/amd64", "--platform kept as a flag");
        is_str(df.v[1].rest, "$BASE AS build", "FROM rest");
        is_int(df.v[2].kind, RT_DF_RUN, "RUN");
        is_int(df.v[2].line, 6, "RUN starts on line 6");
        is_str(df.v[2].rest, "echo a     b", "continuation joined, comment/blank dropped");
        ok(!df.v[2].json, "RUN shell form");
        ok(df.v[3].json && df.v[3].argv.n == 3, "CMD exec form");
        is_str(df.v[3].argv.v[2], "echo hi", "CMD argv[2]");
        ok(!df.v[4].json, "invalid JSON falls back to shell form");
        is_str(df.v[4].rest, "[not json", "ENTRYPOINT rest");
        is_int(df.v[5].kind, RT_DF_COPY, "lower-case keyword");
        is_str(rt_df_flag(&df.v[5], "from"), "build", "COPY --from");
        is_str(rt_df_flag(&df.v[5], "chown"), "1:2", "COPY --chown");
        ok(rt_df_flag(&df.v[5], "chmod") == NULL, "no --chmod");
        is_str(df.v[5].text, "COPY --from=build --chown=1:2 /a /b", "instruction text");
        ok(df.v[6].json && df.v[6].argv.n == 2, "HEALTHCHECK CMD exec");
        is_str(df.v[6].argv.v[0], "CMD", "HEALTHCHECK CMD type");
        is_str(rt_df_flag(&df.v[6], "interval"), "5s", "HEALTHCHECK --interval");
        is_str(df.v[7].argv.v[0], "NONE", "HEALTHCHECK NONE");
        is_str(df.v[8].argv.v[0], "CMD-SHELL", "HEALTHCHECK shell form");
        is_str(df.v[8].argv.v[1], "test -f /x", "HEALTHCHECK shell cmd");
        ok(df.v[9].json && df.v[9].argv.n == 2, "SHELL");
        is_int(df.escape, '\\', "escape backslash");
        rt_dockerfile_free(&df);

        r = parse("# escape=`\nFROM scratch\nRUN a `\n b \\\nCOPY x y\n", &df, &err);
        is_int(r, 0, "backtick escape parses");
        if (r == 0) {
                is_int(df.escape, '`', "escape is backtick");
                is_int(df.n, 3, "three instructions with ` escape");
                is_str(df.v[1].rest, "a  b \\", "backslash is literal with ` escape");
                rt_dockerfile_free(&df);
        }
        r = parse("FROM a\n# escape=`\nRUN x `\n", &df, &err);
        is_int(r, 0, "late directive is a comment");
        if (r == 0) {
                is_str(df.v[1].rest, "x `", "escape stays backslash");
                rt_dockerfile_free(&df);
        }
        r = parse("FROM a\r\nRUN b\r\n", &df, &err);
        is_int(r, 0, "CRLF");
        if (r == 0) {
                is_str(df.v[1].rest, "b", "CR stripped");
                rt_dockerfile_free(&df);
        }
}

static void test_errors(void)
{
        check_error("FROM a\nRUNN x\n", "Dockerfile:2: unknown instruction: RUNN");
        check_error("", "cannot be empty");
        check_error("# only a comment\n", "cannot be empty");
        check_error("RUN x\n", "Dockerfile:1: no build stage");
        check_error("ARG x\n", "no FROM");
        check_error("FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments");
        check_error("FROM a b c\n", "FROM requires");
        check_error("FROM a\nCOPY x\n", "Dockerfile:2: COPY requires at least two arguments");
        check_error("FROM a\nSHELL /bin/sh -c\n", "SHELL requires the arguments to be in JSON");
        check_error("FROM a\nUSER a b\n", "USER requires exactly one argument");
        check_error("FROM a\nCOPY --foo=1 a b\n", "unknown flag: foo");
        check_error("FROM a\nRUN --mount=type=cache,target=/x true\n",
                    "RUN --mount is not supported by berth");
        check_error("FROM a\nHEALTHCHECK FOO x\n", "Unknown type \"FOO\" in HEALTHCHECK");
        check_error("FROM a\nHEALTHCHECK NONE x\n", "takes no arguments");
        check_error("# escape=x\nFROM a\n", "invalid escape token");
        check_error("FROM a\nENV\n", "ENV requires at least one argument");
}

static void test_words(void)
{
        check_words("a b  c", true, "a|b|c");
        check_words("a b", false, "a b");
        check_words("$A ${A}x", true, "alpha|alphax");
        check_words("'$A' \"$A\"", true, "$A|alpha");
        check_words("\"a b\" c\\ d", true, "a b|c d");
        check_words("${UNSET:-def} ${EMPTY:-def} ${EMPTY-def}", true, "def|def");
        check_words("x=${EMPTY-def}", true, "x=");
        check_words("${A:+set} ${UNSET:+set}z ${EMPTY+e}", true, "set|z|e");
        check_words("${UNSET:-${A}}", true, "alpha");
        check_words("$SP", true, "x y");
        check_words("a$UNSET b", true, "a|b");
        check_words("$UNSET", true, "");
        check_words("cost $5 \\$A", true, "cost|$5|$A");
        check_words("\"\\$A \\\"q\\\" \\n\"", true, "$A \"q\" \\n");
        check_words("K=\"v 1\" L=2", true, "K=v 1|L=2");
        check_words("'unterminated", true,
                    "unexpected end of statement while looking for "
                    "matching single-quote");
        check_words("${A", true, "syntax error: missing '}'");
        check_words("${}", true, "bad substitution: missing or invalid variable name in ${...}");
        check_words("${A/x/y}", true, "unsupported modifier (/) in substitution");
        check_words("${UNSET:?need it}", true, "UNSET: need it");
        check_words("${A:?need it}", true, "alpha");
}

static void test_ignore(void)
{
        ok(rt_path_match("*.txt", "a.txt"), "*.txt");
        ok(!rt_path_match("*.txt", "d/a.txt"), "* does not cross /");
        ok(rt_path_match("**/*.txt", "d/e/a.txt"), "**/ any depth");
        ok(rt_path_match("**/*.txt", "a.txt"), "**/ zero depth");
        ok(rt_path_match("d/**", "d/e/f"), "trailing **");
        ok(rt_path_match("a?c", "abc") && !rt_path_match("a?c", "a/c"), "?");
        ok(rt_path_match("[a-c]x", "bx") && !rt_path_match("[!a-c]x", "bx"), "classes");
        ok(!rt_path_match("[ab", "a"), "unterminated class never matches");

        /* many stars: found slow by the fuzzer (a backtracking matcher takes
         * pattern * path * path steps, minutes here), and a recursive one
         * gave up past 4096 nested stars and said "no match" */
        {
                char *stars = xcalloc(8401, 1), *pat = xcalloc(2001, 1), *path = xcalloc(2002, 1);
                memset(stars, '*', 8400);
                ok(rt_path_match(stars, "a") && rt_path_match(stars, "a/b/c"),
                   "8400 stars match any path");
                for (int i = 0; i < 2000; i += 2)
                        pat[i] = '*', pat[i + 1] = 'a';
                memset(path, 'a', 2000);
                ok(rt_path_match(pat, path), "1000 of \"*a\" match 2000 a's");
                path[2000] = 'b';
                ok(!rt_path_match(pat, path), "and not 2000 a's then b");
                free(stars);
                free(pat);
                free(path);
        }

        const char *ign = "# comment\n\n*.log\n/build\n!build/keep.txt\nsecret/**\n"
                          "**/tmp\n./x/../y\n";
        strv_t p = STRV_INIT;
        rt_dockerignore_parse(ign, strlen(ign), &p);
        is_int(p.n, 6, "six patterns");
        is_str(p.v[1], "build", "leading / removed");
        is_str(p.v[2], "!build/keep.txt", "exception kept");
        is_str(p.v[5], "y", "cleaned");
        ok(rt_dockerignore_excluded(&p, "a.log"), "a.log excluded");
        ok(!rt_dockerignore_excluded(&p, "d/a.log"), "d/a.log not (no **)");
        ok(rt_dockerignore_excluded(&p, "build"), "build dir excluded");
        ok(rt_dockerignore_excluded(&p, "build/out.o"), "below an excluded dir");
        ok(!rt_dockerignore_excluded(&p, "build/keep.txt"), "exception");
        ok(rt_dockerignore_excluded(&p, "secret/a/b"), "secret/**");
        ok(rt_dockerignore_excluded(&p, "src/tmp/x"), "**/tmp below");
        ok(!rt_dockerignore_excluded(&p, "src/main.c"), "plain file kept");
        ok(rt_dockerignore_excluded(&p, "y"), "cleaned pattern");
        strv_free(&p);

        /* a path that starts with "!" once cleaned is not an exception (and
         * not an exception for an absolute "/x": found by the fuzzer) */
        const char *bang = "./!/x\n";
        rt_dockerignore_parse(bang, strlen(bang), &p);
        is_int(p.n, 1, "one pattern");
        ok(p.n == 1 && p.v[0][0] != '!', "not read as an exception");
        ok(rt_dockerignore_excluded(&p, "!/x"), "excludes the path !/x");
        ok(!rt_dockerignore_excluded(&p, "x"), "and not x");
        strv_free(&p);
}

int main(void)
{
        test_parse();
        test_errors();
        test_words();
        test_ignore();
        return tap_done();
}
