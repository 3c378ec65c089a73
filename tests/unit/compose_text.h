/* compose_text.h - a compose project decoded from YAML text, for unit tests.
 *
 *   p = project_from_yaml(yaml, &opts, &err);   NULL with err filled on failure
 *   p = tap_project(yaml, &opts);               the same, the error as a TAP diagnostic */
#ifndef BERTH_TEST_COMPOSE_TEXT_H
#define BERTH_TEST_COMPOSE_TEXT_H

#include <string.h>

#include "compose/model.h"
#include "compose/node.h"
#include "tap.h"

static inline struct compose_project *
project_from_yaml(const char *yaml, const struct compose_model_opts *o, err_t *err)
{
        struct cnode *root = NULL;
        struct compose_project *p = NULL;
        if (cnode_parse_yaml(yaml, strlen(yaml), "compose.yaml", &root, err) < 0 ||
            compose_project_decode(root, o, &p, err) < 0)
                p = NULL;
        cnode_free(root);
        return p;
}

static inline struct compose_project *tap_project(const char *yaml,
                                                  const struct compose_model_opts *o)
{
        err_t err;
        struct compose_project *p = project_from_yaml(yaml, o, &err);
        if (!p)
                tap_diag("load: %s", err.msg);
        return p;
}

#endif
