/* registry_creds.h - registry credentials in Docker's config.json format, so
 * `docker login` and `berth login` share them.
 *
 * The file is $DOCKER_CONFIG/config.json (default ~/.docker/config.json):
 *   {"auths": {"SERVER": {"auth": base64("user:secret"), "identitytoken": "..."}},
 *    "credsStore": "NAME", "credHelpers": {"SERVER": "NAME"}, ...other keys kept}
 * A server listed in credHelpers, or any server when credsStore is set, keeps
 * its secret in the helper `docker-credential-NAME` (found in PATH), spoken
 * to with Docker's protocol: argument get/store/erase, the request on stdin
 * (the server URL, or {"ServerURL","Username","Secret"}), the answer on
 * stdout.  Secrets travel only over the pipes, never in arguments, errors or
 * logs.  The file is written atomically with mode 0600, keeping every key
 * berth does not know.
 *
 * SERVER is a normalized registry host[:port] ("localhost:5000",
 * "registry.example.com"); "docker.io" (and its aliases) is stored under
 * Docker's key "https://index.docker.io/v1/".  A stored key written as a URL
 * ("https://host/v2/") matches its host.
 *
 * An identity token (OAuth refresh token) comes back as user "<token>" with
 * the token as the secret, as Docker's helpers do. */
#ifndef BERTH_RT_REGISTRY_CREDS_H
#define BERTH_RT_REGISTRY_CREDS_H

#include <stddef.h>

#include "err.h"

#define REG_CREDS_DOCKER_HUB_KEY "https://index.docker.io/v1/"
#define REG_CREDS_TOKEN_USER     "<token>"

/* The credentials for server: 1 = found (*user and *secret set, free with
 * reg_secret_free), 0 = none stored, < 0 = error (unreadable or malformed
 * config, failing helper). */
int reg_creds_get(const char *server, char **user, char **secret, err_t *err);

/* Store credentials for server.  Returns 1 when they went into config.json
 * itself (base64, not encrypted: the caller warns as Docker does), 0 when a
 * credential helper holds them. */
int reg_creds_store(const char *server, const char *user, const char *secret, err_t *err);

/* Remove the credentials of server: 1 = removed, 0 = there were none. */
int reg_creds_erase(const char *server, err_t *err);

/* The config.json path in use (caller frees). */
char *reg_creds_config_path(void);

/* The key config.json uses for server ("docker.io" -> Docker Hub's key). */
const char *reg_creds_key(const char *server);

/* Zero and free a secret (NULL is fine). */
void reg_secret_free(char *s);

/* Parse config.json text and look server up: 1 found (user/secret set),
 * 0 not in "auths", 2 a helper keeps it (*helper set to NAME), < 0 malformed.
 * (The pure part of reg_creds_get; also the fuzz target's entry.) */
int reg_creds_parse(const char *json, size_t len, const char *server, char **user, char **secret,
                    char **helper, err_t *err);

#endif
