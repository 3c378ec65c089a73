/* berth image: the image subcommands (most are also top-level commands). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands.h"
#include "runtime/image.h"

static int image_inspect(int argc, char **argv)
{
        static const struct option opts[] = {
            {"format", required_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        int c, rc = 0;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (strcmp(optarg, "json") != 0) {
                                die_msg("image inspect: only --format json is supported");
                                return EXIT_BERTH;
                        }
                        break;
                case 'h':
                        printf("Usage:  berth image inspect [OPTIONS] IMAGE [IMAGE...]\n\n"
                               "Display detailed information on one or more images\n");
                        return 0;
                default:
                        return EXIT_BERTH;
                }
        }
        if (optind >= argc) {
                die_msg("\"image inspect\" requires at least 1 argument.\n"
                        "See 'berth image inspect --help'.");
                return EXIT_BERTH;
        }
        json_t *arr = json_array();
        for (int i = optind; i < argc; i++) {
                struct rt_image img;
                err_t err;
                if (rt_image_lookup(argv[i], &img, &err) < 0) {
                        die_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                        continue;
                }
                json_array_append_new(arr, rt_image_inspect_json(&img));
                rt_image_free(&img);
        }
        char *s = json_dumps(arr, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
        printf("%s\n", s);
        free(s);
        json_decref(arr);
        return rc ? 1 : 0;
}

static const struct command image_commands[] = {
    {"inspect", image_inspect, "Display detailed information on one or more images"},
    {"import", cmd_import, "Import the contents from a tarball to create a filesystem image"},
};

static void image_usage(FILE *f)
{
        fprintf(f, "Usage:  berth image COMMAND\n\nManage images\n\nCommands:\n");
        for (size_t i = 0; i < sizeof(image_commands) / sizeof(image_commands[0]); i++)
                fprintf(f, "  %-10s %s\n", image_commands[i].name, image_commands[i].summary);
}

int cmd_image(int argc, char **argv)
{
        if (argc < 2) {
                image_usage(stderr);
                return EXIT_BERTH;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                image_usage(stdout);
                return 0;
        }
        for (size_t i = 0; i < sizeof(image_commands) / sizeof(image_commands[0]); i++)
                if (!strcmp(argv[1], image_commands[i].name))
                        return image_commands[i].fn(argc - 1, argv + 1);
        die_msg("'%s' is not a berth image command.\nSee 'berth image --help'", argv[1]);
        return EXIT_BERTH;
}
