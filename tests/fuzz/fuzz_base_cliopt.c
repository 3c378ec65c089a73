/* Fuzz base/cliopt: the one command-line parser.  The input is split at
 * newlines into argv words and parsed by a table with every kind of option,
 * in both modes (options anywhere, CLI_POSIX).  The contract: the result is
 * help, an error with a message, or an operand index inside argv whose words
 * are all there (a permutation of the input), and the help renders. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fn(const struct cli_opt *o, const char *arg, err_t *err)
{
        if (arg && !strcmp(arg, "bad"))
                return err_set(err, 22, "bad value");
        (*(int *)o->dest)++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        bool flag = false, unset = true;
        const char *str = NULL;
        strv_t list = STRV_INIT;
        int n = 0, calls = 0;
        int64_t dur = 0, bytes = 0;
        const struct cli_opt opts[] = {
            CLI_OPT("flag", 'a', CLI_FLAG, &flag, "A flag"),
            CLI_OPT("no-trunc", 0, CLI_UNSET, &unset, "Unset"),
            CLI_OPT("str", 's', CLI_STRING, &str, "A string\nover two lines"),
            CLI_OPT("list", 'l', CLI_LIST, &list, "A list", .type = "filter"),
            CLI_OPT("int", 'n', CLI_INT, &n, "An int"),
            CLI_OPT("time", 't', CLI_DURATION, &dur, NULL),
            CLI_OPT("mem", 'm', CLI_BYTES, &bytes, "Bytes"),
            CLI_OPT("fn", 'f', CLI_FUNC, &calls, "A callback", .fn = fn),
            CLI_OPT("fnflag", 0, CLI_FUNC_FLAG, &calls, "A flag callback", .fn = fn),
            CLI_OPT("ignored", 'i', CLI_STRING, NULL, NULL),
            {0}};
        char *buf = malloc(size + 1);
        memcpy(buf, data, size);
        buf[size] = '\0';
        char *words[66];
        int argc = 0;
        words[argc++] = "cmd";
        for (char *p = buf; argc < 65;) {
                words[argc++] = p;
                char *nl = strchr(p, '\n');
                if (!nl)
                        break;
                *nl = '\0';
                p = nl + 1;
        }
        for (unsigned mode = 0; mode < 2; mode++) {
                const struct cli_cmd cmd = CLI_CMD("cmd", "[OPTIONS] ARG", "Summary", opts,
                                                   CLI_RANGE(0, 3), .flags = mode ? CLI_POSIX : 0);
                char *argv[67];
                memcpy(argv, words, sizeof(*argv) * (size_t)argc);
                argv[argc] = NULL;
                err_t err = {0};
                int r = cliopt_parse(&cmd, argc, argv, &err);
                if (r == CLI_PARSE_ERROR && !err.msg[0])
                        abort();
                if (r > argc || r < CLI_PARSE_ERROR)
                        abort();
                /* every word still there, once */
                for (int i = 0; i < argc; i++) {
                        int k = 0;
                        for (int j = 0; j < argc; j++)
                                k += argv[j] == words[i];
                        if (k != 1 || argv[argc])
                                abort();
                }
                strv_free(&list);
        }
        char *help =
            cliopt_help(&(struct cli_cmd)CLI_CMD("cmd", "[OPTIONS]", NULL, opts, CLI_ANY_ARGS));
        if (strncmp(help, "Usage:  berth cmd [OPTIONS]\n", 28))
                abort();
        free(help);
        free(buf);
        return 0;
}
