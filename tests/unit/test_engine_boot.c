/* Unit tests for engine/boot.h: the order `system boot` starts containers
 * in (pure), and the plan of an empty store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "boot.h"
#include "tap.h"
#include "tmp_root.h"

/* deps: up to two services, "" for none */
static struct boot_ctr ctr(char *name, char *project, char *service, const char *d1, const char *d2)
{
        struct boot_ctr c = {.id = name, .name = name, .project = project, .service = service};
        c.deps = (strv_t)STRV_INIT;
        if (*d1)
                strv_push(&c.deps, d1);
        if (*d2)
                strv_push(&c.deps, d2);
        return c;
}

int main(void)
{
        struct boot_ctr c[] = {
            ctr("a", "", "", "", ""),
            ctr("p-web-1", "p", "web", "db", ""),
            ctr("p-db-1", "p", "db", "", ""),
            ctr("b", "", "", "nothing", ""),
            ctr("q-x-1", "q", "x", "y", ""),
            ctr("q-y-1", "q", "y", "x", ""),
            ctr("p-api-1", "p", "api", "web", "db"),
        };
        size_t n = sizeof(c) / sizeof(c[0]);
        boot_order(c, n);
        strbuf_t sb = STRBUF_INIT;
        for (size_t i = 0; i < n; i++)
                sb_appendf(&sb, "%s%s", i ? " " : "", c[i].name);
        is_str(sb_str(&sb), "a b p-db-1 p-web-1 p-api-1 q-x-1 q-y-1",
               "plain containers first, then along depends_on, a cycle last");
        sb_free(&sb);
        for (size_t i = 0; i < n; i++)
                strv_free(&c[i].deps);

        char root[] = "/tmp/es2-boot-XXXXXX";
        if (!tmp_berth_root(root))
                return tap_done();
        struct boot_list l;
        strv_t errors = STRV_INIT;
        err_t err = {0};
        ok(boot_plan(&l, &errors, &err) == 0, "an empty store boots");
        ok(l.n == 0 && errors.n == 0, "nothing to start, no error");
        boot_list_free(&l);
        rm_rf(root, &err);
        return tap_done();
}
