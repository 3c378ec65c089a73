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

#define NFT_FUNCS(F, V, C)                                                                         \
        F(struct nft_ctx *, nft_ctx_new, NULL, (uint32_t flags), (flags))                          \
        V(nft_ctx_free, (struct nft_ctx * ctx), (ctx))                                             \
        F(int, nft_ctx_buffer_output, -1, (struct nft_ctx * ctx), (ctx))                           \
        F(int, nft_ctx_buffer_error, -1, (struct nft_ctx * ctx), (ctx))                            \
        F(const char *, nft_ctx_get_output_buffer, NULL, (struct nft_ctx * ctx), (ctx))            \
        F(const char *, nft_ctx_get_error_buffer, NULL, (struct nft_ctx * ctx), (ctx))             \
        F(int, nft_run_cmd_from_buffer, -1, (struct nft_ctx * ctx, const char *buf), (ctx, buf))

DL_LAZY(NFT_FUNCS, LIBNFTABLES, NULL)

int nft_lib_load(err_t *err)
{
        return dl_lib_need(&lib, "libnftables", "for network rules", err);
}
