/* ctr_events.c - container events for the journal (base/events.h), with
 * Docker's attributes: the container's labels, its image and name, and what
 * the action adds (exitCode, signal, ...). */
#include <stdarg.h>
#include <string.h>

#include "container.h"
#include "ctr_doc.h"
#include "events.h"

void rt_ctr_event(const json_t *doc, const char *action, ...)
{
        const char *id = rt_doc_id(doc);
        if (!id)
                return;
        json_t *a = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(rt_doc_labels(doc), k, v)
        {
                if (json_is_string(v))
                        json_object_set(a, k, v);
        }
        const char *image = rt_doc_image(doc);
        const char *name = rt_doc_name(doc);
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
        const char *id = rt_doc_id(doc);
        size_t i;
        json_t *mt;
        json_array_foreach(rt_doc_mounts(doc), i, mt)
        {
                struct rt_doc_mount m;
                rt_doc_mount(mt, &m);
                const char *type = m.type, *name = m.name;
                if (!id || !type || strcmp(type, "volume") || !name)
                        continue;
                if (!mount) {
                        events_logv("volume", "unmount", name, "container", id, "driver", "local",
                                    NULL);
                        continue;
                }
                const char *dst = m.destination, *prop = m.propagation;
                bool rw = !m.ro;
                events_logv("volume", "mount", name, "container", id, "destination", dst ? dst : "",
                            "driver", "local", "propagation", prop ? prop : "", "read/write",
                            rw ? "true" : "false", NULL);
        }
}

void rt_ctr_network_disconnect_events(const json_t *doc)
{
        const char *id = rt_doc_id(doc);
        const char *k;
        json_t *es;
        json_object_foreach(rt_doc_networks(doc), k, es)
        {
                struct rt_doc_endpoint ep;
                rt_doc_endpoint(es, &ep);
                const char *nid = ep.network_id;
                if (id && nid && *nid)
                        events_logv("network", "disconnect", nid, "container", id, "name", k,
                                    "type", "bridge", NULL);
        }
}
