/* berth tag / berth image tag: SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "commands.h"
#include "runtime/image.h"

int cmd_tag(int argc, char **argv)
{
        if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
                       "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n");
                return 0;
        }
        if (argc != 3) {
                error_msg("\"tag\" requires exactly 2 arguments.\nSee 'berth tag --help'.");
                return EXIT_BERTH;
        }
        err_t err;
        if (rt_image_tag(argv[1], argv[2], &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}
