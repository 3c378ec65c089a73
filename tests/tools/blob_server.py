#!/usr/bin/env python3
"""A plain HTTP file server standing in for the URLs of foreign layers.

GET /NAME answers the file --dir/NAME (404 when there is none).  Every
request is logged to --log as one line: METHOD PATH AUTH, where AUTH is the
Authorization header it carried or "-" (the tests check that a registry's
credentials never reach a foreign URL).
Usage: blob_server.py --port P --dir DIR --log FILE
"""
import argparse
import http.server
import os

from quiet_http import QuietHandler

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--log", required=True)
args = ap.parse_args()


class H(QuietHandler):
    def do_GET(self):
        with open(args.log, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path,
                                    self.headers.get("Authorization", "-").replace(" ", "_")))
        name = self.path.lstrip("/").split("?")[0]
        p = os.path.join(args.dir, name)
        if "/" in name or not name or not os.path.isfile(p):
            code, body = 404, b"not found\n"
        else:
            with open(p, "rb") as f:
                code, body = 200, f.read()
        self.head(code, "application/octet-stream", {"Content-Length": str(len(body))})
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET


class S(http.server.ThreadingHTTPServer):
    daemon_threads = True


S(("127.0.0.1", args.port), H).serve_forever()
