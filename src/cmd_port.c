/* berth port CONTAINER [PRIVATE_PORT[/PROTO]] */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "commands.h"
#include "engine/netglue.h"
#include "runtime/container.h"

int cmd_port(int argc, char **argv)
{
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage:  berth port CONTAINER [PRIVATE_PORT[/PROTO]]\n\n"
                       "List port mappings or a specific mapping for the container\n");
                return 0;
        }
        if (argc < 2 || argc > 3) {
                error_msg("\"port\" requires at least 1 and at most 2 arguments.\n"
                          "See 'berth port --help'.");
                return EXIT_BERTH;
        }
        err_t err;
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        strv_t lines = STRV_INIT;
        if (rt_ctr_resolve(argv[1], &id, &err) < 0 || rt_ctr_load(id, &j, &err) < 0 ||
            netwire_port_lines(j, argc == 3 ? argv[2] : NULL, &lines, &err) < 0) {
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
