/* ctr_events.c - container events for the journal (base/events.h), with
 * Docker's attributes: the container's labels, its image and name, and what
 * the action adds (exitCode, signal, ...). */
#include <stdarg.h>
#include <string.h>

#include "container.h"
#include "events.h"

void rt_ctr_event(const json_t *doc, const char *action, ...)
{
        const char *id = json_string_value(json_object_get(doc, "Id"));
        if (!id)
                return;
        const json_t *cfg = json_object_get(doc, "Config");
        json_t *a = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(cfg, "Labels"), k, v)
        {
                if (json_is_string(v))
                        json_object_set(a, k, v);
        }
        const char *image = json_string_value(json_object_get(cfg, "Image"));
        const char *name = json_string_value(json_object_get(doc, "Name"));
        json_object_set_new(a, "image", json_string(image ? image : ""));
        json_object_set_new(a, "name", json_string(name ? name + (*name == '/') : ""));
        va_list ap;
        va_start(ap, action);
        while ((k = va_arg(ap, const char *))) {
                const char *s = va_arg(ap, const char *);
                json_object_set_new(a, k, json_string(s ? s : ""));
        }
        va_end(ap);
        events_log("container", action, id, a);
        json_decref(a);
}

void rt_ctr_volume_events(const json_t *doc, bool mount)
{
        const char *id = json_string_value(json_object_get(doc, "Id"));
        size_t i;
        json_t *mt;
        json_array_foreach(json_object_get(doc, "Mounts"), i, mt)
        {
                const char *type = json_string_value(json_object_get(mt, "Type"));
                const char *name = json_string_value(json_object_get(mt, "Name"));
                if (!id || !type || strcmp(type, "volume") || !name)
                        continue;
                if (!mount) {
                        events_logv("volume", "unmount", name, "container", id, "driver", "local",
                                    NULL);
                        continue;
                }
                const char *dst = json_string_value(json_object_get(mt, "Destination"));
                const char *prop = json_string_value(json_object_get(mt, "Propagation"));
                bool rw = !json_is_false(json_object_get(mt, "RW"));
                events_logv("volume", "mount", name, "container", id, "destination", dst ? dst : "",
                            "driver", "local", "propagation", prop ? prop : "", "read/write",
                            rw ? "true" : "false", NULL);
        }
}

void rt_ctr_network_disconnect_events(const json_t *doc)
{
        const char *id = json_string_value(json_object_get(doc, "Id"));
        const char *k;
        json_t *es;
        json_object_foreach(json_object_get(json_object_get(doc, "NetworkSettings"), "Networks"), k,
                            es)
        {
                const char *nid = json_string_value(json_object_get(es, "NetworkID"));
                if (id && nid && *nid)
                        events_logv("network", "disconnect", nid, "container", id, "name", k,
                                    "type", "bridge", NULL);
        }
}
