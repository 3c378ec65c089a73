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

static void (*on_failure)(const char *msg);

void crypto_lazy_on_failure(void (*f)(const char *msg))
{
        on_failure = f;
}

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

/* A failed load aborts (load_failed): the fail values are never returned. */
#define CRYPTO_FUNCS(F, V, C)                                                                      \
        F(int, EVP_DecodeBlock, -1, (unsigned char *t, const unsigned char *f, int n), (t, f, n))  \
        F(int, EVP_EncodeBlock, -1, (unsigned char *t, const unsigned char *f, int n), (t, f, n))  \
        F(int, EVP_Digest, 0,                                                                      \
          (const void *data, size_t count, unsigned char *md, unsigned int *size,                  \
           const EVP_MD *type, ENGINE *impl),                                                      \
          (data, count, md, size, type, impl))                                                     \
        F(int, EVP_DigestInit_ex, 0, (EVP_MD_CTX * ctx, const EVP_MD *type, ENGINE *impl),         \
          (ctx, type, impl))                                                                       \
        F(int, EVP_DigestUpdate, 0, (EVP_MD_CTX * ctx, const void *d, size_t cnt), (ctx, d, cnt))  \
        F(int, EVP_DigestFinal_ex, 0, (EVP_MD_CTX * ctx, unsigned char *md, unsigned int *s),      \
          (ctx, md, s))                                                                            \
        F(EVP_MD_CTX *, EVP_MD_CTX_new, NULL, (void), ())                                          \
        C(void, EVP_MD_CTX_free, (EVP_MD_CTX *))                                                   \
        F(const EVP_MD *, EVP_sha256, NULL, (void), ())

DL_LAZY(CRYPTO_FUNCS, LIBCRYPTO, load_failed)

void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
{
        if (ctx && loaded())
                fn.EVP_MD_CTX_free(ctx);
}

void OPENSSL_cleanse(void *ptr, size_t len)
{
        explicit_bzero(ptr, len);
}
