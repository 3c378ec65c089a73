#!/usr/bin/env python3
"""A reverse proxy in front of a token-auth registry, for the token-expiry tests.

It forwards every request to --upstream (a docker-registry) and can:
  --hold REGEX      hold the first request whose "METHOD PATH" matches until
                    the file --release exists (at most 60 s): the client is
                    then paused half way through a pull or a push, with the
                    token it holds ageing
  --token-uses N    refuse a Bearer token once it has been used for N
                    requests: 401 with error="invalid_token", as a registry
                    that expired or revoked the token earlier than the token
                    server announced
  --refuse REGEX    refuse every matching request carrying a token, the same
                    way (a token the registry never accepts there)
The 401s carry WWW-Authenticate: Bearer realm=--realm,service=--service.
Every request is logged to --log: METHOD PATH STATUS TOKEN (TOKEN: the
1-based number of the distinct token it carried, "-" for none), and a held
request first as HOLD METHOD PATH.
Usage: auth_proxy.py --port P --upstream HOST:PORT --realm URL --service S
       --log FILE [--hold REGEX --release FILE] [--token-uses N] [--refuse REGEX]
"""
import http.client
import http.server
import os
import re
import threading
import time

from quiet_http import QuietHandler, options

args = options(
    required=("--upstream", "--realm", "--service", "--log"),
    optional=("--hold", "--release", "--refuse"),
    ints={"--port": None, "--token-uses": 0},
).parse_args()

LOCK = threading.Lock()
TOKENS = {}  # token -> [number, uses]
HELD = [False]
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


def log(line):
    with LOCK:
        with open(args.log, "a") as f:
            f.write(line + "\n")


class H(QuietHandler):
    def refuse(self, what, num):
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("WWW-Authenticate",
                         'Bearer realm="%s",service="%s",error="invalid_token"'
                         % (args.realm, args.service))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        log("%s %s 401 %s" % (self.command, self.path, num))

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else None
        line = "%s %s" % (self.command, self.path)
        if args.hold and not HELD[0] and re.search(args.hold, line):
            HELD[0] = True
            log("HOLD " + line)
            for _ in range(600):
                if os.path.exists(args.release):
                    break
                time.sleep(0.1)
        auth = self.headers.get("Authorization", "")
        num = "-"
        if auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
            with LOCK:
                ent = TOKENS.setdefault(tok, [len(TOKENS) + 1, 0])
                ent[1] += 1
                num, uses = ent[0], ent[1]
            if args.refuse and re.search(args.refuse, line):
                return self.refuse(line, num)
            if args.token_uses and uses > args.token_uses:
                return self.refuse(line, num)
        host, port = args.upstream.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if body is not None:
            hdrs["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()
        log("%s %s %d %s" % (self.command, self.path, resp.status, num))

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


class S(http.server.ThreadingHTTPServer):
    daemon_threads = True


S(("127.0.0.1", args.port), H).serve_forever()
