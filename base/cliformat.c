#include "cliformat.h"

#include <string.h>

#include "tabwriter.h"
#include "xalloc.h"

/* The map[string]string fields of docker's inspect documents (container,
 * image, network, volume): see gotmpl_opts.string_maps. */
const char *const cliformat_inspect_maps[] = {"Config.Labels",
                                              "ContainerConfig.Labels",
                                              "HostConfig.Sysctls",
                                              "HostConfig.StorageOpt",
                                              "HostConfig.Tmpfs",
                                              "HostConfig.LogConfig.Config",
                                              "GraphDriver.Data",
                                              "NetworkSettings.Networks.*.DriverOpts",
                                              "Labels",
                                              "Options",
                                              "IPAM.Options",
                                              "IPAM.Config.*.AuxiliaryAddresses",
                                              NULL};
/* events.Message: Actor.Attributes is a map[string]string */
const char *const cliformat_event_maps[] = {"Actor.Attributes", NULL};

bool cliformat_is_json(const char *spec)
{
        return spec && (!strcmp(spec, "json") || !strcmp(spec, "{{json .}}"));
}

const char *cliformat_compose_spec(const char *spec, bool *json)
{
        *json = cliformat_is_json(spec);
        return *json || !strcmp(spec, "table") ? NULL : spec;
}

int cliformat_open(struct cliformat *f, const char *spec, const char *default_table,
                   json_t *headers, const char *type_name, err_t *err)
{
        memset(f, 0, sizeof(*f));
        bool list = headers != NULL; /* inspect's documents know no table or json */
        if (!spec || !*spec || (list && !strcmp(spec, "table")))
                spec = default_table ? default_table : "{{json .}}";
        if (list && !strcmp(spec, "json"))
                spec = "{{json .}}";
        const char *body = spec;
        if (list && !strncmp(spec, "table", 5)) {
                f->table = true;
                body = spec + 5;
        }
        /* docker trims spaces around the template, then turns the two
         * characters \t and \n into a tab and a newline */
        while (*body == ' ')
                body++;
        size_t n = strlen(body);
        while (n && body[n - 1] == ' ')
                n--;
        strbuf_t sb = STRBUF_INIT;
        sb_append(&sb, "");
        for (size_t i = 0; i < n; i++) {
                if (body[i] == '\\' && i + 1 < n && (body[i + 1] == 't' || body[i + 1] == 'n')) {
                        sb_appendc(&sb, body[i + 1] == 't' ? '\t' : '\n');
                        i++;
                } else {
                        sb_appendc(&sb, body[i]);
                }
        }
        int rc = gotmpl_parse(sb.s, &f->tmpl, err);
        sb_free(&sb);
        if (rc < 0)
                return -1;
        f->headers = headers ? json_incref(headers) : json_object();
        f->opts.type_name = type_name;
        if (!list)
                f->opts.string_maps = cliformat_inspect_maps;
        return 0;
}

int cliformat_row(struct cliformat *f, json_t *item, json_t *methods, err_t *err)
{
        size_t mark = f->rows.len;
        f->opts.methods = methods;
        int rc = gotmpl_exec(f->tmpl, item, &f->opts, &f->rows, err);
        f->opts.methods = NULL;
        if (rc < 0) {
                if (f->rows.s) {
                        f->rows.len = mark;
                        f->rows.s[mark] = '\0';
                }
                return -1;
        }
        sb_appendc(&f->rows, '\n');
        return 0;
}

void cliformat_finish(struct cliformat *f, strbuf_t *out)
{
        if (!f->table) {
                sb_appendn(out, sb_str(&f->rows), f->rows.len);
                return;
        }
        strbuf_t all = STRBUF_INIT;
        struct gotmpl_opts ho = {.header = true};
        err_t ignored;
        (void)gotmpl_exec(f->tmpl, f->headers, &ho, &all, &ignored);
        sb_appendc(&all, '\n');
        sb_appendn(&all, sb_str(&f->rows), f->rows.len);
        tabwriter_format(all.s, all.len, 10, 3, out);
        sb_free(&all);
}

void cliformat_free(struct cliformat *f)
{
        gotmpl_free(f->tmpl);
        json_decref(f->headers);
        sb_free(&f->rows);
        memset(f, 0, sizeof(*f));
}
