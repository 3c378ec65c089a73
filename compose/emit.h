/* emit.h - render the canonical project document as docker compose v2's
 * `config` prints it: YAML (2-space indent, sequences indented under their
 * key, strings quoted only where YAML would read them as another type) or
 * JSON (2-space indent). */
#ifndef BERTH_COMPOSE_EMIT_H
#define BERTH_COMPOSE_EMIT_H

#include <jansson.h>

/* A deep copy of doc with every '$' in string values doubled, as docker
 * compose prints an interpolated model so that it can be loaded again. */
json_t *compose_escape_dollars(const json_t *doc);

/* Both return a new NUL-terminated string ending in a newline; caller frees. */
char *compose_emit_yaml(const json_t *doc);
char *compose_emit_json(const json_t *doc);

#endif
