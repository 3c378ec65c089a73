/* crypto_lazy.c - the libcrypto functions berth uses, forwarded to
 * libcrypto.so.3 loaded with dlopen() on first use (see crypto_lazy.h). */
#include "crypto_lazy.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlsyms.h"

#define LIBCRYPTO "libcrypto.so.3"

static struct {
        int (*decode_block)(unsigned char *, const unsigned char *, int);
        int (*encode_block)(unsigned char *, const unsigned char *, int);
        int (*digest)(const void *, size_t, unsigned char *, unsigned int *, const EVP_MD *,
                      ENGINE *);
        int (*digest_init_ex)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
        int (*digest_update)(EVP_MD_CTX *, const void *, size_t);
        int (*digest_final_ex)(EVP_MD_CTX *, unsigned char *, unsigned int *);
        EVP_MD_CTX *(*ctx_new)(void);
        void (*ctx_free)(EVP_MD_CTX *);
        const EVP_MD *(*sha256)(void);
} fn;
static void (*on_failure)(const char *msg);

void crypto_lazy_on_failure(void (*f)(const char *msg))
{
        on_failure = f;
}

static const struct dl_sym syms[] = {
    {"EVP_DecodeBlock", (void **)&fn.decode_block},
    {"EVP_EncodeBlock", (void **)&fn.encode_block},
    {"EVP_Digest", (void **)&fn.digest},
    {"EVP_DigestInit_ex", (void **)&fn.digest_init_ex},
    {"EVP_DigestUpdate", (void **)&fn.digest_update},
    {"EVP_DigestFinal_ex", (void **)&fn.digest_final_ex},
    {"EVP_MD_CTX_new", (void **)&fn.ctx_new},
    {"EVP_MD_CTX_free", (void **)&fn.ctx_free},
    {"EVP_sha256", (void **)&fn.sha256},
};

static void load_failed(struct dl_lib *l)
{
        char msg[384];
        snprintf(msg, sizeof(msg),
                 "cannot load %s (OpenSSL's libcrypto, for SHA-256 digests): %s; install "
                 "Debian's libssl3",
                 LIBCRYPTO, l->error);
        if (on_failure)
                on_failure(msg);
        abort(); /* never a digest computed wrong */
}

static struct dl_lib lib = DL_LIB_INIT(LIBCRYPTO, syms, load_failed);

static inline void need(void)
{
        dl_lib_load(&lib);
}

int EVP_DecodeBlock(unsigned char *t, const unsigned char *f, int n)
{
        need();
        return fn.decode_block(t, f, n);
}

int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n)
{
        need();
        return fn.encode_block(t, f, n);
}

int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
               const EVP_MD *type, ENGINE *impl)
{
        need();
        return fn.digest(data, count, md, size, type, impl);
}

int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)
{
        need();
        return fn.digest_init_ex(ctx, type, impl);
}

int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)
{
        need();
        return fn.digest_update(ctx, d, cnt);
}

int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
{
        need();
        return fn.digest_final_ex(ctx, md, s);
}

EVP_MD_CTX *EVP_MD_CTX_new(void)
{
        need();
        return fn.ctx_new();
}

void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
{
        if (!ctx)
                return;
        need();
        fn.ctx_free(ctx);
}

const EVP_MD *EVP_sha256(void)
{
        need();
        return fn.sha256();
}

void OPENSSL_cleanse(void *ptr, size_t len)
{
        explicit_bzero(ptr, len);
}
