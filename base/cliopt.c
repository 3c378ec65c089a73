/* cliopt.c - the command-line layer: one parser and one --help renderer
 * over a command's option table (see cliopt.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "duration.h"
#include "size.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

static bool takes_value(const struct cli_opt *o)
{
        return o->kind != CLI_FLAG && o->kind != CLI_UNSET && o->kind != CLI_FUNC_FLAG;
}

/* -h is --help unless an option of the command has the letter */
static bool h_is_help(const struct cli_cmd *cmd)
{
        for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
                if (o->shorthand == 'h')
                        return false;
        return true;
}

static const struct cli_opt *find_long(const struct cli_cmd *cmd, const char *name, size_t n)
{
        for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
                if (strlen(o->name) == n && !strncmp(o->name, name, n))
                        return o;
        return NULL;
}

static const struct cli_opt *find_short(const struct cli_cmd *cmd, char c)
{
        for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
                if (o->shorthand && o->shorthand == c)
                        return o;
        return NULL;
}

/* the flag as docker names it in an error: "-n, --tail" or "--since" */
static void flag_names(const struct cli_opt *o, char *buf, size_t len)
{
        if (o->shorthand)
                snprintf(buf, len, "-%c, --%s", o->shorthand, o->name);
        else
                snprintf(buf, len, "--%s", o->name);
}

/* strconv.ParseBool */
static int parse_bool(const char *s, bool *v)
{
        static const char *const t[] = {"1", "t", "T", "true", "TRUE", "True"};
        static const char *const f[] = {"0", "f", "F", "false", "FALSE", "False"};
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                if (!strcmp(s, t[i]))
                        return *v = true, 0;
                if (!strcmp(s, f[i]))
                        return *v = false, 0;
        }
        return -1;
}

/* strconv.ParseInt into an int */
static int parse_int(const char *s, int *v, const char **why)
{
        char *end;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        if (!*s || *end || s[0] == ' ' || s[0] == '\t' || s[0] == '\n') {
                *why = "invalid syntax";
                return -1;
        }
        if (errno == ERANGE || n < INT_MIN || n > INT_MAX) {
                *why = "value out of range";
                return -1;
        }
        *v = (int)n;
        return 0;
}

/* docker's pointer under a flag error */
static int see_help(const struct cli_cmd *cmd, err_t *err)
{
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof(err->msg) - l, "\nSee 'berth %s --help'.", cmd->name);
        return -1;
}

/* err_set, then the pointer to --help */
static int __attribute__((format(printf, 3, 4)))
bad_value(const struct cli_cmd *cmd, err_t *err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->code = EINVAL;
        return see_help(cmd, err);
}

/* Store arg (NULL: a flag given bare) into o's destination. */
static int store(const struct cli_cmd *cmd, const struct cli_opt *o, const char *arg, err_t *err)
{
        char names[160];
        flag_names(o, names, sizeof(names));
        if (o->kind == CLI_FUNC || o->kind == CLI_FUNC_FLAG)
                return o->fn ? (o->fn(o, arg, err) < 0 ? -1 : 0) : 0;
        if (!o->dest)
                return 0;
        switch (o->kind) {
        case CLI_FLAG:
        case CLI_UNSET: {
                bool v = true;
                if (arg && parse_bool(arg, &v) < 0)
                        return bad_value(
                            cmd, err,
                            "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: "
                            "parsing \"%s\": invalid syntax",
                            arg, names, arg);
                *(bool *)o->dest = o->kind == CLI_FLAG ? v : !v;
                return 0;
        }
        case CLI_STRING:
                *(const char **)o->dest = arg;
                return 0;
        case CLI_LIST:
                strv_push(o->dest, arg);
                return 0;
        case CLI_INT: {
                const char *why = NULL;
                if (parse_int(arg, o->dest, &why) < 0)
                        return bad_value(
                            cmd, err,
                            "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: "
                            "parsing \"%s\": %s",
                            arg, names, arg, why);
                return 0;
        }
        case CLI_DURATION:
        case CLI_BYTES: {
                err_t e;
                int r = o->kind == CLI_DURATION ? parse_duration(arg, o->dest, &e)
                                                : bytes_parse(arg, o->dest, &e);
                if (r < 0)
                        return bad_value(cmd, err, "invalid argument \"%s\" for \"%s\" flag: %s",
                                         arg, names, e.msg);
                return 0;
        }
        case CLI_FUNC:
        case CLI_FUNC_FLAG:
                break;
        }
        return 0;
}

/* One long option "--name[=value]" at argv[*i]; *i moves past its value. */
static int parse_long(const struct cli_cmd *cmd, int argc, char **argv, int *i, bool *help,
                      err_t *err)
{
        const char *s = argv[*i] + 2, *eq = strchr(s, '=');
        size_t n = eq ? (size_t)(eq - s) : strlen(s);
        const struct cli_opt *o = find_long(cmd, s, n);
        if (!o) {
                if (n == 4 && !strncmp(s, "help", 4)) {
                        *help = true;
                        return 0;
                }
                err_set(err, EINVAL, "unknown flag: --%.*s", (int)n, s);
                return see_help(cmd, err);
        }
        const char *arg = eq ? eq + 1 : NULL;
        if (takes_value(o) && !arg) {
                if (*i + 1 >= argc) {
                        err_set(err, EINVAL, "flag needs an argument: --%s", o->name);
                        return see_help(cmd, err);
                }
                arg = argv[++*i];
        }
        return store(cmd, o, arg, err);
}

/* A cluster of short flags "-abc", "-fVALUE", "-f=VALUE", "-f VALUE". */
static int parse_short(const struct cli_cmd *cmd, int argc, char **argv, int *i, bool *help,
                       err_t *err)
{
        const char *cluster = argv[*i];
        for (const char *p = cluster + 1; *p; p++) {
                const struct cli_opt *o = find_short(cmd, *p);
                if (!o) {
                        if (*p == 'h' && h_is_help(cmd)) {
                                *help = true;
                                continue;
                        }
                        err_set(err, EINVAL, "unknown shorthand flag: '%c' in %s", *p, cluster);
                        return see_help(cmd, err);
                }
                if (!takes_value(o)) {
                        const char *arg = NULL;
                        if (p[1] == '=') { /* -a=false */
                                arg = p + 2;
                                p += strlen(p) - 1;
                        }
                        if (store(cmd, o, arg, err) < 0)
                                return -1;
                        continue;
                }
                const char *arg = p + 1;
                if (*arg == '=')
                        arg++;
                else if (!*arg) {
                        if (*i + 1 >= argc) {
                                err_set(err, EINVAL, "flag needs an argument: '%c' in %s", *p,
                                        cluster);
                                return see_help(cmd, err);
                        }
                        arg = argv[++*i];
                }
                return store(cmd, o, arg, err);
        }
        return 0;
}

static const char *plural(int n)
{
        return n == 1 ? "argument" : "arguments";
}

static int check_args(const struct cli_cmd *cmd, int n, err_t *err)
{
        const struct cli_args *a = &cmd->args;
        char what[96];
        if (!a->check || (n >= a->min && (a->max < 0 || n <= a->max)))
                return 0;
        if (a->max == 0)
                snprintf(what, sizeof(what), "accepts no arguments");
        else if (a->min == a->max)
                snprintf(what, sizeof(what), "requires exactly %d %s", a->min, plural(a->min));
        else if (a->max < 0)
                snprintf(what, sizeof(what), "requires at least %d %s", a->min, plural(a->min));
        else if (a->min == 0)
                snprintf(what, sizeof(what), "requires at most %d %s", a->max, plural(a->max));
        else
                snprintf(what, sizeof(what), "requires at least %d and at most %d %s", a->min,
                         a->max, plural(a->max));
        return err_set(err, EINVAL,
                       "\"berth %s\" %s.\nSee 'berth %s --help'.\n\nUsage:  berth %s %s%s%s",
                       cmd->name, what, cmd->name, cmd->name, cmd->usage ? cmd->usage : "",
                       cmd->summary ? "\n\n" : "", cmd->summary ? cmd->summary : "");
}

int cliopt_parse(const struct cli_cmd *cmd, int argc, char **argv, err_t *err)
{
        /* the new order: the options, then the operands; argv changes only on success */
        size_t n = (size_t)(argc > 0 ? argc : 1);
        char **opts = xcalloc(n, sizeof(*opts)), **operands = xcalloc(n, sizeof(*operands));
        int nops = 0, nopts = 0, ret = 0;
        bool help = false;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "--")) {
                        opts[nopts++] = argv[i];
                        while (++i < argc)
                                operands[nops++] = argv[i];
                        break;
                }
                if (a[0] != '-' || !a[1]) { /* an operand, "-" too */
                        operands[nops++] = argv[i];
                        if (cmd->flags & CLI_POSIX) {
                                while (++i < argc)
                                        operands[nops++] = argv[i];
                                break;
                        }
                        continue;
                }
                int first = i;
                int r = a[1] == '-' ? parse_long(cmd, argc, argv, &i, &help, err)
                                    : parse_short(cmd, argc, argv, &i, &help, err);
                if (r < 0) {
                        ret = CLI_PARSE_ERROR;
                        break;
                }
                for (int k = first; k <= i; k++)
                        opts[nopts++] = argv[k];
        }
        if (ret == 0) {
                memcpy(argv + 1, opts, (size_t)nopts * sizeof(*argv));
                memcpy(argv + 1 + nopts, operands, (size_t)nops * sizeof(*argv));
                if (help)
                        ret = CLI_PARSE_HELP;
                else if (check_args(cmd, nops, err) < 0)
                        ret = CLI_PARSE_ERROR;
                else
                        ret = 1 + nopts;
        }
        free(opts);
        free(operands);
        return ret;
}

static const char *type_name(const struct cli_opt *o)
{
        if (o->type)
                return o->type;
        switch (o->kind) {
        case CLI_STRING:
        case CLI_FUNC:
                return "string";
        case CLI_LIST:
                return "list";
        case CLI_INT:
                return "int";
        case CLI_DURATION:
                return "duration";
        case CLI_BYTES:
                return "bytes";
        case CLI_FLAG:
        case CLI_UNSET:
        case CLI_FUNC_FLAG:
                break;
        }
        return "";
}

static int by_name(const void *a, const void *b)
{
        const struct cli_opt *x = *(const struct cli_opt *const *)a;
        const struct cli_opt *y = *(const struct cli_opt *const *)b;
        return strcmp(x->name, y->name);
}

char *cliopt_help(const struct cli_cmd *cmd)
{
        strbuf_t sb = STRBUF_INIT;
        sb_appendf(&sb, "Usage:  berth %s%s%s\n", cmd->name, cmd->usage ? " " : "",
                   cmd->usage ? cmd->usage : "");
        if (cmd->summary)
                sb_appendf(&sb, "\n%s\n", cmd->summary);
        size_t n = 0;
        for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
                n += o->help != NULL;
        if (n) {
                const struct cli_opt **v = xcalloc(n, sizeof(*v));
                char **cols = xcalloc(n, sizeof(*cols));
                size_t k = 0, width = 0;
                for (const struct cli_opt *o = cmd->opts; o->name; o++)
                        if (o->help)
                                v[k++] = o;
                qsort(v, n, sizeof(*v), by_name);
                for (size_t i = 0; i < n; i++) {
                        const char *t = type_name(v[i]);
                        char s[4] = "   ";
                        if (v[i]->shorthand)
                                snprintf(s, sizeof(s), "-%c,", v[i]->shorthand);
                        cols[i] = xasprintf("  %s --%s%s%s", s, v[i]->name, *t ? " " : "", t);
                        if (strlen(cols[i]) > width)
                                width = strlen(cols[i]);
                }
                sb_append(&sb, "\nOptions:\n");
                for (size_t i = 0; i < n; i++) {
                        sb_appendf(&sb, "%-*s   ", (int)width, cols[i]);
                        for (const char *h = v[i]->help; *h; h++) {
                                sb_appendc(&sb, *h);
                                if (*h == '\n')
                                        sb_appendf(&sb, "%*s", (int)width + 3, "");
                        }
                        sb_appendc(&sb, '\n');
                        free(cols[i]);
                }
                free(cols);
                free(v);
        }
        if (cmd->more)
                sb_appendf(&sb, "\n%s%s", cmd->more,
                           cmd->more[0] && cmd->more[strlen(cmd->more) - 1] == '\n' ? "" : "\n");
        return sb_steal(&sb);
}
