/* compose_input.h - the fuzz input decoded as a compose project (YAML
 * parsing, then model decoding) with the compose fuzzers' fixed options:
 * no env files read, a fixed environment. */
#ifndef BERTH_FUZZ_COMPOSE_INPUT_H
#define BERTH_FUZZ_COMPOSE_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "node.h"

static char *fuzz_env[] = {"HOME=/home/f", "A=1", NULL};

/* The project of data with the given profiles active, or NULL. */
static inline struct compose_project *fuzz_project(const uint8_t *data, size_t size,
                                                   const char *const *profiles, size_t nprofiles)
{
        struct cnode *root = NULL;
        struct compose_project *p = NULL;
        err_t err;
        struct compose_model_opts o = {
            .project_name = "fuzz",
            .working_dir = "/wd",
            .home = "/home/f",
            .environment = fuzz_env,
            .profiles = profiles,
            .nprofiles = nprofiles,
            .no_env_files = true,
        };
        if (cnode_parse_yaml((const char *)data, size, "fuzz.yaml", &root, &err) < 0 ||
            compose_project_decode(root, &o, &p, &err) < 0)
                p = NULL;
        cnode_free(root);
        return p;
}

#endif
