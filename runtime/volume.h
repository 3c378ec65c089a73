/* volume.h - named and anonymous volumes (driver "local").
 *
 * lib/volumes/<name>/_data holds the data, lib/volumes/<name>/volume.json the
 * metadata in `docker volume inspect` form (Name, Driver, Mountpoint,
 * CreatedAt, Labels, Scope, Options).  Anonymous volumes have 64-hex names and
 * the label com.docker.volume.anonymous. */
#ifndef BERTH_RT_VOLUME_H
#define BERTH_RT_VOLUME_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "strv.h"

int rt_volume_name_valid(const char *name);
/* A fresh 64-hex name; owned by a static buffer until the next call. */
const char *rt_volume_anon_name(void);
bool rt_volume_is_anon(const char *name);

/* Create with labels (object, may be NULL); EEXIST when it exists. */
int rt_volume_create(const char *name, json_t *labels, bool anon, err_t *err);
/* Create if missing; *path = its _data dir (caller frees). */
int rt_volume_ensure(const char *name, bool anon, char **path, err_t *err);
/* Docker's copy-up: when the volume dir is empty and the image has content at
 * dest, copy it in (merged over the layers, top layer wins). */
int rt_volume_populate(const char *path, const strv_t *layer_dirs, const char *dest, err_t *err);
int rt_volume_inspect(const char *name, json_t **out, err_t *err);
int rt_volume_list(strv_t *names, err_t *err);
int rt_volume_remove(const char *name, err_t *err);

#endif
