/* container_cli.c - the container commands' shared CLI helpers
 * (container_cli.h): a CONTAINER argument resolved with its error printed. */
#include "container_cli.h"

#include "commands.h"

int container_get_said(const char *ref, char **id, json_t **j)
{
        err_t err;
        if (ctr_get(ref, id, j, NULL, &err) < 0) {
                error_msg("%s", err.msg);
                return -1;
        }
        return 0;
}
