#include <stdio.h>

#include "commands.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0-dev"
#endif

int cmd_version(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        printf("berth version %s\n", BERTH_VERSION);
        return 0;
}
