/* Management groups (`berth container VERB`, `berth image VERB`): one
 * dispatcher over command tables whose entries point at the same functions
 * as the top-level commands, and the helpers the prune commands share. */
#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void group_usage(const struct cmd_group *g, FILE *f)
{
        fprintf(f, "\nUsage:  berth %s COMMAND\n\n%s\n\nCommands:\n", g->name, g->summary);
        for (size_t i = 0; i < g->n; i++)
                if (g->cmds[i].summary) /* aliases have none */
                        fprintf(f, "  %-11s %s\n", g->cmds[i].name, g->cmds[i].summary);
        fprintf(f, "\nRun 'berth %s COMMAND --help' for more information on a command.\n", g->name);
}

void cmd_list_print(const char *group, const struct command *cmds, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (cmds[i].summary) /* aliases have none */
                        printf("%s %s\t%s\n", group, cmds[i].name, cmds[i].summary);
}

int cmd_group_run(const struct cmd_group *g, int argc, char **argv)
{
        if (argc < 2) { /* as docker: the help, on stderr */
                group_usage(g, stderr);
                return 0;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
                group_usage(g, stdout);
                return 0;
        }
        if (!strcmp(argv[1], CMD_LIST)) {
                cmd_list_print(g->name, g->cmds, g->n);
                return 0;
        }
        for (size_t i = 0; i < g->n; i++)
                if (!strcmp(argv[1], g->cmds[i].name))
                        return g->cmds[i].fn(argc - 1, argv + 1);
        error_msg("'%s %s' is not a berth command.\nSee 'berth --help'", g->name, argv[1]);
        return EXIT_BERTH;
}

bool cli_confirm(const char *warning)
{
        char line[64] = "";
        printf("WARNING! %s\nAre you sure you want to continue? [y/N] ", warning);
        fflush(stdout);
        return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

void units_size(unsigned long long n, bool binary, char *buf, size_t len)
{
        units_size_prec(n, binary, 4, buf, len);
}

void units_size_prec(unsigned long long n, bool binary, int prec, char *buf, size_t len)
{
        static const char *const dec[] = {"B", "kB", "MB", "GB", "TB", "PB"};
        static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        const double base = binary ? 1024.0 : 1000.0;
        double v = (double)n;
        size_t u = 0;
        while (v >= base && u + 1 < sizeof(dec) / sizeof(dec[0])) {
                v /= base;
                u++;
        }
        snprintf(buf, len, "%.*g%s", prec, v, binary ? bin[u] : dec[u]);
}

void reclaimed_size(unsigned long long n, char *buf, size_t len)
{
        units_size(n, false, buf, len);
}

static __thread unsigned long long walk_total;

static int walk_add(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)path;
        (void)ftw;
        if (type == FTW_F || type == FTW_SL)
                walk_total += (unsigned long long)st->st_size;
        return 0;
}

unsigned long long path_size(const char *path)
{
        walk_total = 0;
        if (path && *path)
                nftw(path, walk_add, 16, FTW_PHYS | FTW_MOUNT);
        return walk_total;
}
