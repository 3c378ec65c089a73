/* cli_group.c - management groups (`berth container VERB`, `berth image
 * VERB`): one dispatcher over their command tables (commands.h's
 * cmd_group_run; most top-level commands are verbs of these tables, see
 * main.c), and the hidden `__commands` listing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"

#include "commands.h"

static void group_usage(const struct cmd_group *g, FILE *f)
{
        fprintf(f, "\nUsage:  berth %s COMMAND\n\n%s\n\nCommands:\n", g->name, g->summary);
        for (size_t i = 0; i < g->n; i++)
                if (g->cmds[i].summary) /* aliases have none */
                        fprintf(f, "  %-11s %s\n", g->cmds[i].name, g->cmds[i].summary);
        if (g->more)
                fprintf(f, "\n%s", g->more);
        fprintf(f, "\nRun 'berth %s COMMAND --help' for more information on a command.\n", g->name);
}

void cmd_list_print(const char *group, const struct command *cmds, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (cmds[i].summary) /* aliases have none */
                        printf("%s %s\t%s\n", group, cmds[i].name, cmds[i].summary);
}

/* `berth container ls --help`: the verb's own help names it as it was
 * called ("Usage:  berth container ls [OPTIONS]", as docker), not as the
 * top-level command whose function it shares ("berth ps"). */
static int group_verb_help(const struct cmd_group *g, const struct command *c, char **argv)
{
        int mfd = memfd_create("berth-help", MFD_CLOEXEC);
        int saved = mfd < 0 ? -1 : dup(STDOUT_FILENO);
        if (saved < 0) {
                if (mfd >= 0)
                        close(mfd);
                return c->fn(2, argv);
        }
        fflush(stdout);
        dup2(mfd, STDOUT_FILENO);
        int rc = c->fn(2, argv);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        char *text = NULL;
        size_t len = 0;
        err_t err = {0};
        if (lseek(mfd, 0, SEEK_SET) < 0 || read_fd_all(mfd, 1 << 20, &text, &len, &err) < 0) {
                close(mfd);
                return rc;
        }
        close(mfd);
        static const char pre[] = "Usage:  berth ";
        const char *u = strstr(text, pre);
        if (!u) {
                fwrite(text, 1, len, stdout);
        } else {
                /* the command's words: lower-case words up to the first
                 * other token ([OPTIONS], IMAGE, -...) */
                const char *w = u + strlen(pre), *end = w;
                while (islower((unsigned char)*end)) {
                        while (*end && *end != ' ' && *end != '\n')
                                end++;
                        if (*end != ' ' || !islower((unsigned char)end[1]))
                                break;
                        end++;
                }
                fwrite(text, 1, (size_t)(w - text), stdout);
                printf("%s %s", g->name, argv[0]); /* as called: list, not ls */
                fwrite(end, 1, len - (size_t)(end - text), stdout);
        }
        free(text);
        return rc;
}

const struct command *cmd_group_find(const struct cmd_group *g, const char *verb)
{
        /* Docker's long spellings of ls and rm, the same in every group */
        static const char *const spelled[][2] = {{"list", "ls"}, {"remove", "rm"}};
        for (size_t i = 0; i < ARRAY_SIZE(spelled); i++)
                if (!strcmp(verb, spelled[i][0]))
                        verb = spelled[i][1];
        for (size_t i = 0; i < g->n; i++)
                if (!strcmp(verb, g->cmds[i].name))
                        return &g->cmds[i];
        return NULL;
}

int cmd_group_run(const struct cmd_group *g, int argc, char **argv)
{
        if (argc < 2) { /* as docker: the help, on stderr */
                group_usage(g, stderr);
                return g->noverb_status;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
                group_usage(g, stdout);
                return 0;
        }
        if (!strcmp(argv[1], CMD_LIST)) {
                cmd_list_print(g->name, g->cmds, g->n);
                return 0;
        }
        const struct command *c = cmd_group_find(g, argv[1]);
        if (c)
                return argc == 3 && !strcmp(argv[2], "--help") ? group_verb_help(g, c, argv + 1)
                                                               : c->fn(argc - 1, argv + 1);
        error_msg("'%s %s' is not a berth command.\nSee 'berth --help'", g->name, argv[1]);
        return g->fail_status ? g->fail_status : EXIT_BERTH;
}
