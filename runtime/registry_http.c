/* registry_http.c - talking to a registry over libcurl: scheme selection,
 * TLS trust (system CAs + certs.d), authentication (Basic, Bearer tokens per
 * scope, refreshed on expiry or 401), size limits and bounded redirects. */
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cleanup.h"
#include "curl_lazy.h"
#include "fsutil.h"
#include "registry_internal.h"
#include "strbuf.h"
#include "xalloc.h"

#define ERR_BODY_MAX   (64u << 10)
#define TOKEN_BODY_MAX (1u << 20)
#define MAX_REDIRS     10L
#define USER_AGENT     "berth/0.1 (registry client)"

struct reg_client {
        char *domain; /* as in the reference ("docker.io") */
        char *host;   /* host[:port] spoken to */
        char *base;   /* scheme://host[/prefix] once known */
        char *repo;
        bool mirror;
        bool insecure; /* plain HTTP allowed, TLS not verified */
        char *user, *secret;
        char *ca_blob; /* system CAs + the .crt files of certs.d/HOST, PEM; NULL: system only */
        size_t ca_len;
        char *cert, *key;           /* certs.d client certificate */
        pthread_mutex_t mu;         /* auth, auth_until, ch */
        pthread_mutex_t refresh_mu; /* one token request at a time */
        char *auth;                 /* "Authorization: ..." or NULL */
        time_t auth_until;          /* when the bearer token is due for a refresh, 0 = never */
        struct reg_challenge ch;
        bool have_ch;
        char *scopes; /* token scopes, space separated; NULL: repository:<repo>:pull */
};

struct reg_conn {
        CURL *h;
};

struct req {
        const char *url;
        const char *accept;
        unsigned long long range_from;
        size_t max; /* buffered 2xx body limit */
        reg_sink_fn sink;
        void *ud;
        err_t *sink_err;
        bool sink_failed;
        bool too_big;
        bool restarted; /* a range request answered with the whole blob */
        bool bare;      /* not to the registry: none of its credentials or TLS settings */
        long status;    /* of the response being received */
        strbuf_t body;
        char *ctype, *www, *dgst, *location;
        long long clen;
        /* requests other than GET (push): method, and a body from memory
         * (up_buf) or from the file up_fd at up_off, up_len bytes */
        const char *method;
        const char *up_ctype;
        const char *up_buf;
        int up_fd;
        long long up_off, up_len, up_pos;
        const char *content_range;
        reg_upload_fn up_progress;
        void *up_ud;
        char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
        curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *reg_client_host(const struct reg_client *c)
{
        return c->host;
}

/* Forget the headers of a response (a new one is starting). */
static void req_clear_headers(struct req *q)
{
        free(q->ctype);
        free(q->www);
        free(q->dgst);
        free(q->location);
        q->ctype = q->www = q->dgst = q->location = NULL;
        q->clen = -1;
}

static void req_reset(struct req *q)
{
        sb_free(&q->body);
        req_clear_headers(q);
        q->status = 0;
        q->up_pos = 0;
        q->too_big = q->sink_failed = q->restarted = false;
        q->errbuf[0] = '\0';
}

static char *trim_dup(const char *s, size_t n)
{
        while (n && isspace((unsigned char)*s)) {
                s++;
                n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
                n--;
        return xstrndup(s, n);
}

static size_t on_header(char *buf, size_t size, size_t nmemb, void *ud)
{
        struct req *q = ud;
        size_t n = size * nmemb;
        if (n >= 5 && !strncmp(buf, "HTTP/", 5)) {
                /* a new response (after a redirect or 100-continue) */
                req_clear_headers(q);
                const char *sp = memchr(buf, ' ', n);
                q->status = sp ? strtol(sp + 1, NULL, 10) : 0;
                return n;
        }
        const char *colon = memchr(buf, ':', n);
        if (!colon)
                return n;
        size_t nl = (size_t)(colon - buf);
        const char *v = colon + 1;
        size_t vl = n - nl - 1;
        if (nl == 12 && !strncasecmp(buf, "Content-Type", 12) && !q->ctype)
                q->ctype = trim_dup(v, vl);
        else if (nl == 16 && !strncasecmp(buf, "WWW-Authenticate", 16) && !q->www)
                q->www = trim_dup(v, vl);
        else if (nl == 21 && !strncasecmp(buf, "Docker-Content-Digest", 21) && !q->dgst)
                q->dgst = trim_dup(v, vl);
        else if (nl == 8 && !strncasecmp(buf, "Location", 8) && !q->location)
                q->location = trim_dup(v, vl);
        else if (nl == 14 && !strncasecmp(buf, "Content-Length", 14)) {
                char *t = trim_dup(v, vl);
                q->clen = strtoll(t, NULL, 10);
                free(t);
                /* refuse an oversized buffered body before it arrives */
                if (!q->sink && q->status >= 200 && q->status < 300 &&
                    q->clen > (long long)q->max && !(q->method && !strcmp(q->method, "HEAD"))) {
                        q->too_big = true;
                        return 0;
                }
        }
        return n;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *ud)
{
        struct req *q = ud;
        size_t n = size * nmemb;
        bool ok = q->status >= 200 && q->status < 300;
        if (ok && q->sink) {
                if (q->range_from && q->status == 200 && !q->restarted) {
                        /* the server ignored the range: the sink starts over */
                        q->restarted = true;
                        if (q->sink(NULL, 0, q->ud, q->sink_err) < 0) {
                                q->sink_failed = true;
                                return 0;
                        }
                }
                if (q->sink(buf, n, q->ud, q->sink_err) < 0) {
                        q->sink_failed = true;
                        return 0;
                }
                return n;
        }
        size_t limit = ok ? q->max : ERR_BODY_MAX;
        if (q->body.len + n > limit) {
                if (ok) {
                        q->too_big = true;
                        return 0;
                }
                return n; /* error bodies: keep the start, drop the rest */
        }
        sb_appendn(&q->body, buf, n);
        return n;
}

/* "manifest unknown: manifest unknown" from a registry error body
 * ({"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}), or NULL. */
static char *registry_error(const strbuf_t *body)
{
        if (!body->len)
                return NULL;
        json_t *j = json_loadb(body->s, body->len, 0, NULL);
        const json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
        const char *code = json_string_value(json_object_get(e0, "code"));
        const char *msg = json_string_value(json_object_get(e0, "message"));
        char *out = NULL;
        if (code) {
                char *lc = xstrdup(code);
                for (char *p = lc; *p; p++)
                        *p = *p == '_' ? ' ' : (char)tolower((unsigned char)*p);
                out = msg && *msg ? xasprintf("%s: %s", lc, msg) : xstrdup(lc);
                free(lc);
        }
        json_decref(j);
        return out;
}

static long stall_seconds(void)
{
        const char *s = getenv("BERTH_REGISTRY_TIMEOUT");
        long v = s ? strtol(s, NULL, 10) : 0;
        return v > 0 ? v : 60;
}

/* The request body of an upload: memory or pread from a file. */
static size_t on_read(char *buf, size_t size, size_t nmemb, void *ud)
{
        struct req *q = ud;
        size_t want = size * nmemb;
        long long left = q->up_len - q->up_pos;
        if (left <= 0)
                return 0;
        if ((long long)want > left)
                want = (size_t)left;
        if (q->up_buf) {
                memcpy(buf, q->up_buf + q->up_pos, want);
        } else {
                ssize_t n;
                do
                        n = pread(q->up_fd, buf, want, (off_t)(q->up_off + q->up_pos));
                while (n < 0 && errno == EINTR);
                if (n <= 0)
                        return CURL_READFUNC_ABORT;
                want = (size_t)n;
        }
        q->up_pos += (long long)want;
        if (q->up_progress)
                q->up_progress(q->up_ud, (unsigned long long)q->up_pos);
        return want;
}

/* One HTTP exchange (no auth retry).  < 0 only for transport failures. */
static int perform(struct reg_client *c, struct reg_conn *k, struct req *q, const char *auth,
                   const char *user, const char *secret, err_t *err)
{
        CURL *h = k->h;
        struct curl_slist *hdrs = NULL;
        req_reset(q);
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, q->url);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, MAX_REDIRS);
        /* never downgrade a TLS registry (or URL) to plain HTTP on a redirect */
        const char *from = q->bare ? q->url : c->base;
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
                         from && !strncasecmp(from, "https:", 6) ? "https" : "http,https");
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, stall_seconds());
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, q->errbuf);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, q);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        /* blobs in large pieces: fewer writes and hash calls per MB */
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, q->sink ? 256L << 10 : 16L << 10);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, q);
        if (c->insecure && !q->bare) {
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (c->ca_blob && !q->bare) {
                struct curl_blob blob = {c->ca_blob, c->ca_len, CURL_BLOB_NOCOPY};
                curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (c->cert && !q->bare) {
                curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert);
                curl_easy_setopt(h, CURLOPT_SSLKEY, c->key);
        }
        if (user) {
                curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
                curl_easy_setopt(h, CURLOPT_USERNAME, user);
                curl_easy_setopt(h, CURLOPT_PASSWORD, secret ? secret : "");
        }
        if (q->accept) {
                _cleanup_free_ char *a = xasprintf("Accept: %s", q->accept);
                hdrs = curl_slist_append(hdrs, a);
        }
        if (auth)
                hdrs = curl_slist_append(hdrs, auth);
        if (q->range_from) {
                _cleanup_free_ char *r = xasprintf("Range: bytes=%llu-", q->range_from);
                hdrs = curl_slist_append(hdrs, r);
        }
        if (q->method && !strcmp(q->method, "HEAD")) {
                curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        } else if (q->method) {
                /* POST, PUT, PATCH: a body (possibly empty) of known length */
                curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
                curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
                curl_easy_setopt(h, CURLOPT_READDATA, q);
                curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->up_len);
                /* no redirects for requests with a body; no 100-continue wait */
                curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
                hdrs = curl_slist_append(hdrs, "Expect:");
                _cleanup_free_ char *ct = xasprintf(
                    "Content-Type: %s", q->up_ctype ? q->up_ctype : "application/octet-stream");
                hdrs = curl_slist_append(hdrs, ct);
                if (q->content_range) {
                        _cleanup_free_ char *cr = xasprintf("Content-Range: %s", q->content_range);
                        hdrs = curl_slist_append(hdrs, cr);
                }
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        CURLcode rc = curl_easy_perform(h);
        curl_slist_free_all(hdrs);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        if (rc == CURLE_OK) {
                curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &q->status);
                return 0;
        }
        if (q->sink_failed)
                return -1; /* the sink filled err */
        if (q->too_big)
                return err_set(err, EFBIG, "Get \"%s\": response larger than %zu bytes", q->url,
                               q->max);
        return err_set(err, rc == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : EIO, "%s \"%s\": %s",
                       q->method ? q->method : "Get", q->url,
                       q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc));
}

/* --- authentication -------------------------------------------------------- */

static void auth_free(char *a)
{
        if (a) {
                OPENSSL_cleanse(a, strlen(a));
                free(a);
        }
}

static char *basic_header(const char *user, const char *secret)
{
        _cleanup_free_ char *plain = xasprintf("%s:%s", user, secret ? secret : "");
        size_t n = strlen(plain);
        char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)n);
        char *h = xasprintf("Authorization: Basic %s", b64);
        OPENSSL_cleanse(plain, n);
        free(b64);
        return h;
}

static char *escape(CURL *h, const char *s)
{
        char *e = curl_easy_escape(h, s, 0);
        char *r = xstrdup(e ? e : "");
        curl_free(e);
        return r;
}

static int fetch_token(struct reg_client *c, struct reg_conn *k, const struct reg_challenge *ch,
                       char **hdr, time_t *until, err_t *err)
{
        if (strncmp(ch->realm, "https://", 8) != 0 && strncmp(ch->realm, "http://", 7) != 0)
                return err_set(err, EINVAL, "%s: token realm %s is not an http(s) URL", c->host,
                               ch->realm);
        if (c->user && !strncmp(ch->realm, "http://", 7) && c->base &&
            !strncmp(c->base, "https://", 8))
                return err_set(err, EPERM,
                               "%s: refusing to send credentials to the plain-HTTP token realm %s",
                               c->host, ch->realm);
        _cleanup_free_ char *scope =
            c->scopes ? xstrdup(c->scopes) : xasprintf("repository:%s:pull", c->repo);
        _cleanup_free_ char *esvc = escape(k->h, ch->service ? ch->service : "");
        strbuf_t ub = STRBUF_INIT;
        sb_appendf(&ub, "%s%sservice=%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?", esvc);
        /* one scope= per scope (push asks for the target and the mount sources) */
        for (char *sv, *one = strtok_r(scope, " ", &sv); one; one = strtok_r(NULL, " ", &sv)) {
                _cleanup_free_ char *e1 = escape(k->h, one);
                sb_appendf(&ub, "&scope=%s", e1);
        }
        if (c->user) {
                _cleanup_free_ char *eu = escape(k->h, c->user);
                sb_appendf(&ub, "&account=%s", eu);
        }
        _cleanup_free_ char *url = sb_steal(&ub);
        struct req q = {.url = url, .accept = "application/json", .max = TOKEN_BODY_MAX};
        int r = -1;
        if (perform(c, k, &q, NULL, c->user, c->secret, err) < 0) {
                err_wrap(err, "%s: token", c->host);
                goto done;
        }
        if (q.status != 200) {
                _cleanup_free_ char *m = registry_error(&q.body);
                err_set(err, EACCES, "%s (token server %s answered HTTP %ld)",
                        m                                    ? m
                        : q.status == 401 || q.status == 403 ? "unauthorized"
                                                             : "token request failed",
                        ch->realm, q.status);
                goto done;
        }
        char *tok = NULL;
        if (reg_token_parse(sb_str(&q.body), q.body.len, time(NULL), &tok, until, err) < 0) {
                err_wrap(err, "%s: the token server %s", c->host, ch->realm);
                goto done;
        }
        *hdr = xasprintf("Authorization: Bearer %s", tok);
        OPENSSL_cleanse(tok, strlen(tok));
        free(tok);
        r = 0;
done:
        req_reset(&q);
        return r;
}

/* Answer a challenge: new credentials in c->auth. */
static int authorize_ch(struct reg_client *c, struct reg_conn *k, struct reg_challenge ch,
                        err_t *err)
{
        char *hdr = NULL;
        time_t until = 0;
        int r = 0;
        if (!strcmp(ch.scheme, "basic")) {
                if (!c->user)
                        r = err_set(err, EACCES,
                                    "unauthorized: authentication required (log in with 'berth "
                                    "login %s')",
                                    c->domain);
                else
                        hdr = basic_header(c->user, c->secret);
        } else {
                r = fetch_token(c, k, &ch, &hdr, &until, err);
        }
        if (r == 0) {
                pthread_mutex_lock(&c->mu);
                auth_free(c->auth);
                c->auth = hdr;
                c->auth_until = until;
                reg_challenge_free(&c->ch);
                c->ch = ch;
                c->have_ch = true;
                pthread_mutex_unlock(&c->mu);
        } else {
                reg_challenge_free(&ch);
        }
        return r;
}

/* Answer the challenge www (a WWW-Authenticate value). */
static int authorize(struct reg_client *c, struct reg_conn *k, const char *www, err_t *err)
{
        struct reg_challenge ch;
        if (reg_challenge_parse(www, &ch, err) < 0)
                return err_wrap(err, "%s", c->host);
        return authorize_ch(c, k, ch, err); /* takes ch */
}

/* Is the cached token due for a refresh? (c->mu held) */
static bool token_due(const struct reg_client *c)
{
        return c->auth_until && c->have_ch && time(NULL) >= c->auth_until;
}

/* The current Authorization header (a copy), refreshing a token that is due
 * first: one thread fetches, the others wait for it and use its token. */
static char *current_auth(struct reg_client *c, struct reg_conn *k)
{
        pthread_mutex_lock(&c->mu);
        bool due = token_due(c);
        pthread_mutex_unlock(&c->mu);
        if (due) {
                pthread_mutex_lock(&c->refresh_mu);
                pthread_mutex_lock(&c->mu);
                /* the challenge answered last (not refreshed by another thread
                 * meanwhile) */
                bool again = token_due(c);
                struct reg_challenge ch = {0};
                if (again) {
                        ch.scheme = xstrdup(c->ch.scheme);
                        ch.realm = xstrdup(c->ch.realm);
                        ch.service = c->ch.service ? xstrdup(c->ch.service) : NULL;
                }
                pthread_mutex_unlock(&c->mu);
                if (again) {
                        err_t e2;
                        authorize_ch(c, k, ch, &e2); /* on failure the 401 path reports it */
                }
                pthread_mutex_unlock(&c->refresh_mu);
        }
        pthread_mutex_lock(&c->mu);
        char *a = c->auth ? xstrdup(c->auth) : NULL;
        pthread_mutex_unlock(&c->mu);
        return a;
}

/* An exchange with authentication.  A 401 gets one new token (or Basic
 * header) and one retry, never more: when another thread replaced the
 * credentials this request was sent with, the retry uses theirs. */
static int request(struct reg_client *c, struct reg_conn *k, struct req *q, err_t *err)
{
        for (int attempt = 0;; attempt++) {
                char *auth = current_auth(c, k);
                int r = perform(c, k, q, auth, NULL, NULL, err);
                if (r < 0) {
                        auth_free(auth);
                        return -1;
                }
                if (q->status == 401 && attempt == 0 && q->www) {
                        _cleanup_free_ char *www = xstrdup(q->www);
                        pthread_mutex_lock(&c->refresh_mu);
                        pthread_mutex_lock(&c->mu);
                        bool replaced = c->auth && (!auth || strcmp(c->auth, auth) != 0);
                        pthread_mutex_unlock(&c->mu);
                        r = replaced ? 0 : authorize(c, k, www, err);
                        pthread_mutex_unlock(&c->refresh_mu);
                        auth_free(auth);
                        if (r < 0)
                                return -1;
                        continue;
                }
                auth_free(auth);
                return 0;
        }
}

static int status_error(struct reg_client *c, struct req *q, const char *what, err_t *err)
{
        _cleanup_free_ char *m = registry_error(&q->body);
        if (q->status == 401 || q->status == 403)
                return err_set(err, EACCES,
                               "unauthorized: %s (log in with 'berth login %s' if the "
                               "repository is private)",
                               m ? m : "authentication required", c->domain);
        return err_set(err, q->status == 404 ? ENOENT : EPROTO, "%s: %s%s(HTTP %ld from %s)", what,
                       m ? m : "", m ? " " : "", q->status, c->host);
}

/* --- client ----------------------------------------------------------------- */

static char *certs_d(void)
{
        const char *d = getenv("BERTH_CERTS_D");
        return xstrdup(d && *d ? d : "/etc/docker/certs.d");
}

static bool has_suffix(const char *s, const char *suf)
{
        size_t n = strlen(s), m = strlen(suf);
        return n > m && !strcmp(s + n - m, suf);
}

/* Docker's certs.d/HOST[:PORT]/: NAME.crt files are CAs (added to the system ones),
 * NAME.cert + NAME.key a client certificate. */
static int load_certs(struct reg_client *c, err_t *err)
{
        _cleanup_free_ char *root = certs_d();
        _cleanup_free_ char *dir = xasprintf("%s/%s", root, c->host);
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT || errno == ENOTDIR ? 0
                                                           : err_sys(err, errno, "open %s", dir);
        strv_t names = STRV_INIT;
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        strv_push(&names, de->d_name);
        strv_sort(&names);
        strbuf_t pem = STRBUF_INIT;
        int r = 0;
        for (size_t i = 0; r == 0 && i < names.n; i++) {
                const char *n = names.v[i];
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, n);
                if (has_suffix(n, ".crt")) {
                        char *data = NULL;
                        size_t len = 0;
                        if (read_file(p, &data, &len, err) < 0) {
                                r = -1;
                                break;
                        }
                        sb_appendn(&pem, data, len);
                        sb_appendc(&pem, '\n');
                        free(data);
                } else if (has_suffix(n, ".cert") && !c->cert) {
                        _cleanup_free_ char *key = xasprintf("%.*s.key", (int)(strlen(p) - 5), p);
                        if (access(key, R_OK) < 0) {
                                r = err_set(err, ENOENT, "missing key %s for client certificate %s",
                                            key, p);
                                break;
                        }
                        c->cert = TAKE_PTR(p);
                        c->key = TAKE_PTR(key);
                }
        }
        strv_free(&names);
        if (r == 0 && pem.len) {
                /* add the system CAs: CAINFO_BLOB replaces the default bundle */
                CURL *h = curl_easy_init();
                char *sys = NULL;
                if (h)
                        curl_easy_getinfo(h, CURLINFO_CAINFO, &sys);
                char *data = NULL;
                size_t len = 0;
                err_t e2;
                if (sys && read_file(sys, &data, &len, &e2) == 0) {
                        sb_appendn(&pem, data, len);
                        free(data);
                }
                if (h)
                        curl_easy_cleanup(h);
                c->ca_len = pem.len;
                c->ca_blob = sb_steal(&pem);
        }
        sb_free(&pem);
        return r;
}

struct reg_client *reg_client_new(const char *domain, const char *mirror, const char *repo,
                                  const struct reg_settings *set, const char *user,
                                  const char *secret, err_t *err)
{
        pthread_once(&curl_once, curl_init);
        struct reg_client *c = xcalloc(1, sizeof(*c));
        pthread_mutex_init(&c->mu, NULL);
        pthread_mutex_init(&c->refresh_mu, NULL);
        c->domain = xstrdup(domain);
        c->repo = xstrdup(repo);
        if (mirror) {
                size_t n = strlen(mirror);
                while (n && mirror[n - 1] == '/')
                        n--;
                c->base = xstrndup(mirror, n);
                const char *h = strstr(c->base, "://") + 3;
                c->host = xstrndup(h, strcspn(h, "/"));
                c->mirror = true;
        } else {
                c->host = xstrdup(!strcmp(domain, "docker.io") ? "registry-1.docker.io" : domain);
        }
        c->insecure = reg_settings_insecure(set, c->host);
        if (user) {
                c->user = xstrdup(user);
                c->secret = xstrdup(secret ? secret : "");
        }
        if (load_certs(c, err) < 0) {
                reg_client_free(c);
                return NULL;
        }
        return c;
}

void reg_client_free(struct reg_client *c)
{
        if (!c)
                return;
        free(c->domain);
        free(c->host);
        free(c->base);
        free(c->repo);
        free(c->scopes);
        free(c->user);
        if (c->secret) {
                OPENSSL_cleanse(c->secret, strlen(c->secret));
                free(c->secret);
        }
        free(c->ca_blob);
        free(c->cert);
        free(c->key);
        auth_free(c->auth);
        reg_challenge_free(&c->ch);
        pthread_mutex_destroy(&c->mu);
        pthread_mutex_destroy(&c->refresh_mu);
        free(c);
}

struct reg_conn *reg_conn_new(struct reg_client *c, err_t *err)
{
        (void)c;
        if (rt_curl_load(err) < 0)
                return NULL;
        CURL *h = curl_easy_init();
        if (!h) {
                err_set(err, ENOMEM, "curl: cannot create a handle");
                return NULL;
        }
        struct reg_conn *k = xcalloc(1, sizeof(*k));
        k->h = h;
        return k;
}

void reg_conn_free(struct reg_conn *k)
{
        if (!k)
                return;
        curl_easy_cleanup(k->h);
        free(k);
}

int reg_client_ping(struct reg_client *c, struct reg_conn *k, err_t *err)
{
        static const char *const schemes[] = {"https", "http"};
        size_t ns = c->mirror ? 1 : c->insecure ? 2 : 1;
        int r = -1;
        for (size_t i = 0; i < ns; i++) {
                if (!c->mirror) {
                        free(c->base);
                        c->base = xasprintf("%s://%s", schemes[i], c->host);
                }
                _cleanup_free_ char *url = xasprintf("%s/v2/", c->base);
                struct req q = {.url = url, .max = ERR_BODY_MAX};
                r = perform(c, k, &q, NULL, NULL, NULL, err);
                if (r == 0) {
                        if (q.status == 401 && q.www) {
                                pthread_mutex_lock(&c->refresh_mu);
                                r = authorize(c, k, q.www, err);
                                pthread_mutex_unlock(&c->refresh_mu);
                        } else if (q.status != 200 && q.status != 401)
                                r = err_set(err, EPROTO,
                                            "%s does not answer as a registry: GET %s: HTTP %ld",
                                            c->host, url, q.status);
                }
                req_reset(&q);
                if (r == 0)
                        return 0;
                if (err->code == EACCES)
                        return -1;
        }
        return r;
}

int reg_fetch_manifest(struct reg_client *c, struct reg_conn *k, const char *ref, char **body,
                       size_t *len, char **ctype, err_t *err)
{
        _cleanup_free_ char *url = xasprintf("%s/v2/%s/manifests/%s", c->base, c->repo, ref);
        struct req q = {.url = url,
                        .accept = MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST
                                               ", " MT_DOCKER_MANIFEST,
                        .max = REG_MANIFEST_MAX};
        int r = request(c, k, &q, err);
        if (r == 0 && q.status != 200) {
                if (q.status == 404) {
                        _cleanup_free_ char *m = registry_error(&q.body);
                        r = err_set(err, ENOENT, "%s", m ? m : "manifest unknown");
                } else {
                        r = status_error(c, &q, "manifest", err);
                }
        }
        if (r == 0) {
                *len = q.body.len;
                *body = sb_steal(&q.body);
                if (ctype)
                        *ctype = TAKE_PTR(q.ctype);
        } else if (err->code == EFBIG) {
                err_set(err, EFBIG, "manifest %s from %s is larger than the %u bytes allowed", ref,
                        c->host, REG_MANIFEST_MAX);
        }
        req_reset(&q);
        return r;
}

int reg_fetch_blob(struct reg_client *c, struct reg_conn *k, const char *digest,
                   unsigned long long offset, reg_sink_fn sink, void *ud, bool *from_start,
                   err_t *err)
{
        _cleanup_free_ char *url = xasprintf("%s/v2/%s/blobs/%s", c->base, c->repo, digest);
        struct req q = {.url = url, .range_from = offset, .sink = sink, .ud = ud, .sink_err = err};
        int r = request(c, k, &q, err);
        if (r == 0 && q.status != 200 && q.status != 206)
                r = status_error(c, &q, digest, err);
        if (r == 0)
                *from_start = q.status == 200;
        req_reset(&q);
        return r;
}

int reg_fetch_url(struct reg_client *c, struct reg_conn *k, const char *url,
                  unsigned long long offset, reg_sink_fn sink, void *ud, bool *from_start,
                  err_t *err)
{
        if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
                return err_set(err, EINVAL, "%s: not an http(s) URL", url);
        struct req q = {.url = url,
                        .range_from = offset,
                        .sink = sink,
                        .ud = ud,
                        .sink_err = err,
                        .bare = true};
        int r = perform(c, k, &q, NULL, NULL, NULL, err);
        if (r == 0 && q.status != 200 && q.status != 206)
                r = err_set(err, q.status == 404 ? ENOENT : EPROTO, "GET %s: HTTP %ld", url,
                            q.status);
        if (r == 0)
                *from_start = q.status == 200;
        req_reset(&q);
        return r;
}

int reg_fetch_tags(struct reg_client *c, struct reg_conn *k, char **body, size_t *len, err_t *err)
{
        _cleanup_free_ char *url = xasprintf("%s/v2/%s/tags/list", c->base, c->repo);
        struct req q = {.url = url, .accept = "application/json", .max = REG_MANIFEST_MAX};
        int r = request(c, k, &q, err);
        if (r == 0 && q.status != 200)
                r = status_error(c, &q, "tags", err);
        if (r == 0) {
                *len = q.body.len;
                *body = sb_steal(&q.body);
        }
        req_reset(&q);
        return r;
}

/* --- push and login ------------------------------------------------------------ */

void reg_client_set_scopes(struct reg_client *c, const char *scopes)
{
        free(c->scopes);
        c->scopes = scopes ? xstrdup(scopes) : NULL;
}

/* A Location header made absolute against the registry's base URL. */
static char *absolute(const struct reg_client *c, const char *loc)
{
        if (!strncmp(loc, "http://", 7) || !strncmp(loc, "https://", 8))
                return xstrdup(loc);
        if (loc[0] == '/') {
                const char *h = strstr(c->base, "://");
                h = h ? h + 3 : c->base;
                size_t n = (size_t)(h - c->base) + strcspn(h, "/");
                return xasprintf("%.*s%s", (int)n, c->base, loc);
        }
        return xasprintf("%s/%s", c->base, loc);
}

static int push_status_error(struct reg_client *c, struct req *q, const char *what, err_t *err)
{
        if (q->status == 401 || q->status == 403) {
                _cleanup_free_ char *m = registry_error(&q->body);
                return err_set(err, EACCES,
                               "%s: %s (log in with 'berth login %s' as a user who may push "
                               "there)",
                               what, m ? m : "denied: requested access to the resource is denied",
                               c->domain);
        }
        return status_error(c, q, what, err);
}

int reg_blob_exists(struct reg_client *c, struct reg_conn *k, const char *digest, bool *exists,
                    err_t *err)
{
        _cleanup_free_ char *url = xasprintf("%s/v2/%s/blobs/%s", c->base, c->repo, digest);
        struct req q = {.url = url, .method = "HEAD", .max = ERR_BODY_MAX};
        int r = request(c, k, &q, err);
        if (r == 0) {
                if (q.status == 200)
                        *exists = true;
                else if (q.status == 404)
                        *exists = false;
                else
                        r = push_status_error(c, &q, digest, err);
        }
        req_reset(&q);
        return r;
}

int reg_upload_start(struct reg_client *c, struct reg_conn *k, const char *digest, const char *from,
                     bool *mounted, char **location, err_t *err)
{
        _cleanup_free_ char *url = NULL;
        if (from) {
                _cleanup_free_ char *ed = escape(k->h, digest);
                _cleanup_free_ char *ef = escape(k->h, from);
                url =
                    xasprintf("%s/v2/%s/blobs/uploads/?mount=%s&from=%s", c->base, c->repo, ed, ef);
        } else {
                url = xasprintf("%s/v2/%s/blobs/uploads/", c->base, c->repo);
        }
        struct req q = {.url = url, .method = "POST", .max = ERR_BODY_MAX, .up_buf = ""};
        int r = request(c, k, &q, err);
        *mounted = false;
        *location = NULL;
        if (r == 0) {
                if (q.status == 201 && from) {
                        *mounted = true;
                } else if (q.status == 202 && q.location) {
                        *location = absolute(c, q.location);
                } else if (q.status == 202) {
                        r = err_set(err, EPROTO, "%s: upload of %s started without a Location",
                                    c->host, digest);
                } else {
                        r = push_status_error(c, &q, "blob upload", err);
                }
        }
        req_reset(&q);
        return r;
}

/* loc with "digest=" added to its query. */
static char *with_digest(struct reg_conn *k, const char *loc, const char *digest)
{
        _cleanup_free_ char *ed = escape(k->h, digest);
        return xasprintf("%s%sdigest=%s", loc, strchr(loc, '?') ? "&" : "?", ed);
}

int reg_upload_chunk(struct reg_client *c, struct reg_conn *k, char **location, int fd,
                     long long off, long long len, reg_upload_fn progress, void *ud, err_t *err)
{
        _cleanup_free_ char *range = xasprintf("%lld-%lld", off, off + len - 1);
        struct req q = {.url = *location,
                        .method = "PATCH",
                        .max = ERR_BODY_MAX,
                        .up_fd = fd,
                        .up_off = off,
                        .up_len = len,
                        .content_range = range,
                        .up_progress = progress,
                        .up_ud = ud};
        int r = request(c, k, &q, err);
        if (r == 0) {
                if (q.status == 202 && q.location) {
                        char *nl = absolute(c, q.location);
                        free(*location);
                        *location = nl;
                } else if (q.status != 202) {
                        r = push_status_error(c, &q, "blob upload", err);
                }
        }
        req_reset(&q);
        return r;
}

int reg_upload_finish(struct reg_client *c, struct reg_conn *k, const char *location,
                      const char *digest, int fd, long long off, long long len,
                      reg_upload_fn progress, void *ud, err_t *err)
{
        _cleanup_free_ char *url = with_digest(k, location, digest);
        struct req q = {.url = url,
                        .method = "PUT",
                        .max = ERR_BODY_MAX,
                        .up_fd = fd,
                        .up_off = off,
                        .up_len = fd >= 0 ? len : 0,
                        .up_buf = fd >= 0 ? NULL : "",
                        .up_progress = progress,
                        .up_ud = ud};
        int r = request(c, k, &q, err);
        if (r == 0 && q.status != 201 && q.status != 204)
                r = push_status_error(c, &q, "blob upload", err);
        if (r == 0 && q.dgst && strcmp(q.dgst, digest) != 0)
                r = err_set(err, EBADMSG, "%s stored blob %s as %s", c->host, digest, q.dgst);
        req_reset(&q);
        return r;
}

int reg_put_manifest(struct reg_client *c, struct reg_conn *k, const char *ref,
                     const char *media_type, const char *body, size_t len, err_t *err)
{
        _cleanup_free_ char *url = xasprintf("%s/v2/%s/manifests/%s", c->base, c->repo, ref);
        struct req q = {.url = url,
                        .method = "PUT",
                        .max = ERR_BODY_MAX,
                        .up_buf = body,
                        .up_len = (long long)len,
                        .up_ctype = media_type};
        int r = request(c, k, &q, err);
        if (r == 0 && q.status != 201 && q.status != 200)
                r = push_status_error(c, &q, "manifest", err);
        req_reset(&q);
        return r;
}

int reg_client_check_login(struct reg_client *c, struct reg_conn *k, err_t *err)
{
        _cleanup_free_ char *url = xasprintf("%s/v2/", c->base);
        struct req q = {.url = url, .max = ERR_BODY_MAX};
        int r = request(c, k, &q, err);
        if (r == 0 && q.status != 200) {
                _cleanup_free_ char *m = registry_error(&q.body);
                if (q.status == 401 || q.status == 403)
                        r = err_set(
                            err, EACCES, "Get \"%s\": %s (check the user name and password for %s)",
                            url, m ? m : "unauthorized: incorrect username or password", c->host);
                else
                        r = err_set(err, EPROTO, "Get \"%s\": HTTP %ld", url, q.status);
        }
        req_reset(&q);
        return r;
}
