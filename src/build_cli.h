/* build_cli.h - the builder's output on this terminal (engine/build.h's
 * struct build_out for `berth build` and compose builds). */
#ifndef BERTH_BUILD_CLI_H
#define BERTH_BUILD_CLI_H

#include "engine/build.h"

/* Docker's classic builder output on stdout, warnings as berth's warnings
 * on stderr, FROM images pulled with `pull`'s output on stdout, RUN output
 * streamed to stdout/stderr. */
extern const struct build_out build_out_cli;

#endif
