/* berth tag / berth image tag: SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "cli.h"
#include "commands.h"
#include "runtime/image.h"

int cmd_tag(int argc, char **argv)
{
        CLI_PARSE_OR_RETURN(first, argc, argv, "tag", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                            "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", NULL,
                            CLI_EXACTLY(2));
        err_t err;
        if (rt_image_tag(argv[first], argv[first + 1], &err) < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}
