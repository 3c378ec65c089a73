#!/usr/bin/env python3
"""A small registry token server for the tests: the Docker Hub flow.

The registry (docker-registry, `auth: token:`) answers 401 with
  WWW-Authenticate: Bearer realm="http://127.0.0.1:PORT/token",service="...",scope="..."
and the client asks this server for a token:
  GET /token?service=S&scope=repository:NAME:pull,push[&scope=...]   (Basic auth optional)
  POST /token  (OAuth2 form: grant_type=password|refresh_token, ...)
It answers {"token", "access_token", "expires_in", "issued_at"[, "refresh_token"]},
a JWT (RS256) signed with KEY whose certificate is the registry's
rootcertbundle; the JWT header's "kid" is the libtrust key ID the registry
computes from that certificate.

Policy: a user from USERS (lines "name:password") gets every action asked
for; anonymous clients get "pull" only with --anonymous-pull, else nothing
(the registry then answers 401 again). Wrong credentials get 401.
--issued-ago S dates the tokens (issued_at, and the JWT's iat and exp) S
seconds back: a token of --expires 60 --issued-ago 57 has 3 s left.
Every request is logged to --log as one JSON line (no passwords).

Usage: token_server.py --port P --key KEY.pem --users FILE --service S
       --issuer I [--expires SECONDS] [--issued-ago SECONDS] [--anonymous-pull]
       [--log FILE]
       [--tls-cert CERT --tls-key KEY] [--ready FILE]
Only the Python standard library and python3-cryptography.
"""
import base64
import hashlib
import http.server
import json
import os
import ssl
import sys
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from quiet_http import QuietHandler, options


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_kid(pub):
    der = pub.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))


class Server:
    def __init__(self, args):
        with open(args.key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        self.kid = libtrust_kid(self.key.public_key())
        self.users = {}
        with open(args.users) as f:
            for line in f:
                line = line.rstrip("\n")
                if ":" in line:
                    u, p = line.split(":", 1)
                    self.users[u] = p
        self.args = args
        self.refresh = {}

    def log(self, rec):
        if self.args.log:
            with open(self.args.log, "a") as f:
                f.write(json.dumps(rec) + "\n")

    def token(self, user, scopes):
        now = int(time.time()) - self.args.issued_ago
        access = []
        for sc in scopes:
            parts = sc.split(":")
            if len(parts) < 3:
                continue
            typ, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            want = [a for a in actions.split(",") if a]
            if user is not None:
                got = want
            elif self.args.anonymous_pull:
                got = [a for a in want if a == "pull"]
            else:
                got = []
            if got:
                access.append({"type": typ, "name": name, "actions": got})
        claims = {
            "iss": self.args.issuer,
            "sub": user or "",
            "aud": self.args.service,
            "exp": now + self.args.expires,
            "nbf": int(time.time()) - 10,
            "iat": now,
            "jti": b64url(os.urandom(12)),
            "access": access,
        }
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        signing = (b64url(json.dumps(header).encode()) + "." +
                   b64url(json.dumps(claims).encode()))
        sig = self.key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing + "." + b64url(sig), access


def make_handler(srv):
    class H(QuietHandler):
        def reply(self, code, body, extra=None):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def basic_user(self):
            h = self.headers.get("Authorization", "")
            if not h.lower().startswith("basic "):
                return None, False
            try:
                u, p = base64.b64decode(h[6:].strip()).decode().split(":", 1)
            except Exception:
                return None, True
            if srv.users.get(u) == p:
                return u, False
            return None, True

        def issue(self, user, bad, q, method, grant=None):
            rec = {"method": method, "user": user, "service": q.get("service", [""])[0],
                   "scope": q.get("scope", []), "bad_credentials": bad,
                   "grant_type": grant}
            if bad or q.get("service", [srv.args.service])[0] != srv.args.service:
                rec["status"] = 401
                srv.log(rec)
                self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                             "message": "incorrect username or password"}]},
                           {"WWW-Authenticate": 'Basic realm="berth-test-token"'})
                return
            scopes = []
            for s in q.get("scope", []):
                scopes.extend(s.split(" "))
            tok, access = srv.token(user, scopes)
            rec["status"] = 200
            rec["access"] = access
            srv.log(rec)
            body = {"token": tok, "access_token": tok, "expires_in": srv.args.expires,
                    "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                               time.gmtime(time.time() - srv.args.issued_ago))}
            if user is not None and (q.get("offline_token", [""])[0] == "true" or grant):
                rt = b64url(os.urandom(18))
                srv.refresh[rt] = user
                body["refresh_token"] = rt
            self.reply(200, body)

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            if u.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            q = urllib.parse.parse_qs(u.query)
            user, bad = self.basic_user()
            self.issue(user, bad, q, "GET")

        def do_POST(self):
            u = urllib.parse.urlsplit(self.path)
            n = int(self.headers.get("Content-Length", "0") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(n).decode()) if n else {}
            if u.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            grant = form.get("grant_type", [""])[0]
            user, bad = None, False
            if grant == "password":
                name = form.get("username", [""])[0]
                if srv.users.get(name) == form.get("password", [None])[0]:
                    user = name
                else:
                    bad = True
            elif grant == "refresh_token":
                user = srv.refresh.get(form.get("refresh_token", [""])[0])
                bad = user is None
            else:
                self.reply(400, {"error": "unsupported_grant_type"})
                return
            self.issue(user, bad, form, "POST", grant)

    return H


def main():
    args = options(
        required=("--key", "--users", "--service", "--issuer"),
        optional=("--log", "--tls-cert", "--tls-key", "--ready"),
        ints={"--port": None, "--expires": 300, "--issued-ago": 0},
        flags=("--anonymous-pull",),
    ).parse_args()
    srv = Server(args)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(srv))
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    if args.ready:
        with open(args.ready, "w") as f:
            f.write(str(os.getpid()) + "\n")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
