/* nft_lazy.c - the libnftables functions nft.c calls, forwarded to
 * libnftables.so.1 loaded with dlopen() on first use.  Linked, the library
 * and its dependencies (libmnl, libnftnl, libxtables, libgmp) cost every
 * berth command ~1 ms of start-up; only network changes and published ports
 * use nftables. */
#include "nft.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dlsyms.h"

#define LIBNFTABLES "libnftables.so.1"

static struct {
        struct nft_ctx *(*ctx_new)(uint32_t);
        void (*ctx_free)(struct nft_ctx *);
        int (*buffer_output)(struct nft_ctx *);
        int (*buffer_error)(struct nft_ctx *);
        const char *(*get_output)(struct nft_ctx *);
        const char *(*get_error)(struct nft_ctx *);
        int (*run)(struct nft_ctx *, const char *);
} fn;

static const struct dl_sym syms[] = {
    {"nft_ctx_new", (void **)&fn.ctx_new},
    {"nft_ctx_free", (void **)&fn.ctx_free},
    {"nft_ctx_buffer_output", (void **)&fn.buffer_output},
    {"nft_ctx_buffer_error", (void **)&fn.buffer_error},
    {"nft_ctx_get_output_buffer", (void **)&fn.get_output},
    {"nft_ctx_get_error_buffer", (void **)&fn.get_error},
    {"nft_run_cmd_from_buffer", (void **)&fn.run},
};
static struct dl_lib lib = DL_LIB_INIT(LIBNFTABLES, syms, NULL);

static bool loaded(void)
{
        return dl_lib_load(&lib);
}

int nft_lib_load(err_t *err)
{
        return dl_lib_need(&lib, "libnftables", "for network rules", err);
}

struct nft_ctx *nft_ctx_new(uint32_t flags)
{
        return loaded() ? fn.ctx_new(flags) : NULL;
}

void nft_ctx_free(struct nft_ctx *ctx)
{
        if (loaded())
                fn.ctx_free(ctx);
}

int nft_ctx_buffer_output(struct nft_ctx *ctx)
{
        return loaded() ? fn.buffer_output(ctx) : -1;
}

int nft_ctx_buffer_error(struct nft_ctx *ctx)
{
        return loaded() ? fn.buffer_error(ctx) : -1;
}

const char *nft_ctx_get_output_buffer(struct nft_ctx *ctx)
{
        return loaded() ? fn.get_output(ctx) : NULL;
}

const char *nft_ctx_get_error_buffer(struct nft_ctx *ctx)
{
        return loaded() ? fn.get_error(ctx) : NULL;
}

int nft_run_cmd_from_buffer(struct nft_ctx *ctx, const char *buf)
{
        return loaded() ? fn.run(ctx, buf) : -1;
}
