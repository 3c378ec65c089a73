/* berth port CONTAINER [PRIVATE_PORT[/PROTO]] */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "cli.h"
#include "commands.h"
#include "engine/netglue.h"
#include "runtime/container.h"

int cmd_port(int argc, char **argv)
{
        CLI_PARSE_OR_RETURN(first, argc, argv, "port", "CONTAINER [PRIVATE_PORT[/PROTO]]",
                            "List port mappings or a specific mapping for the container", NULL,
                            CLI_RANGE(1, 2));
        err_t err;
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        strv_t lines = STRV_INIT;
        if (rt_ctr_resolve(argv[first], &id, &err) < 0 || rt_ctr_load(id, &j, &err) < 0 ||
            netwire_port_lines(j, first + 1 < argc ? argv[first + 1] : NULL, &lines, &err) < 0) {
                error_msg("%s", err.msg);
                strv_free(&lines);
                return 1;
        }
        /* a stopped container publishes nothing */
        if (rt_ctr_monitor_alive(id, NULL))
                for (size_t i = 0; i < lines.n; i++)
                        printf("%s\n", lines.v[i]);
        strv_free(&lines);
        return 0;
}
