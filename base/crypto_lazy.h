/* crypto_lazy.h - libcrypto (OpenSSL), loaded on first use.
 *
 * berth uses libcrypto for SHA-256 (image and layer digests, the compose
 * config hash) and base64 only, but linking it made every berth process
 * relocate it at start: 3,400 of the CLI's 3,630 symbol relocations and
 * 21,000 relative ones, ~0.6 ms of CPU and ~130 page faults per command,
 * most commands (run, start, ps, ...) never hashing anything.  So the EVP_*
 * functions berth calls are defined in crypto_lazy.c: they load
 * libcrypto.so.3 with dlopen() on the first call and forward to it, checked
 * by the compiler against <openssl/evp.h>.  OPENSSL_cleanse needs no
 * library (explicit_bzero).
 *
 * dlopen() resolves the library in the calling process's mount namespace
 * and root: no process that has entered a container's root (an init, an
 * exec child) may make the first call; the CLI hashes only on the host side.
 *
 * A digest must never be computed wrong: when libcrypto cannot be loaded,
 * the handler set here is called with the loader's message (the CLI prints
 * it and exits); without one, the process aborts. */
#ifndef BERTH_BASE_CRYPTO_LAZY_H
#define BERTH_BASE_CRYPTO_LAZY_H

void crypto_lazy_on_failure(void (*fn)(const char *msg));

#endif
