#!/usr/bin/env python3
"""A registry that misbehaves, for berth pull's bad-input tests.

Repositories (all tag v1, one small gzip layer each):
  good        everything right
  wrongdigest the layer blob's bytes do not match its digest (same size)
  truncated   the layer blob stops half way, every time
  resume      the layer blob stops half way the first time; a Range request
              gets the rest (206)
  midstream   the layer blob answers 200, sends some bytes, then the
              connection is reset, every time
  badconfig   the config blob does not match its digest
  baddiff     the layer is fine but the config's diff ID is wrong
  huge        a 100 MB manifest (Content-Length announced)
  hugechunked a manifest that never ends (chunked, no Content-Length)
  loop        the manifest URL redirects to itself forever
  error500    the manifest answers HTTP 500 with a registry error body
  slow, slow2 a 3 MB layer sent slowly (64 KiB every 25 ms), Range honoured
Requests are logged to --log, one line each: METHOD PATH RANGE.
Usage: bad_registry.py --port P --log FILE
"""
import argparse
import gzip
import hashlib
import http.server
import io
import json
import os
import tarfile
import time

from quiet_http import QuietHandler

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--log", required=True)
args = ap.parse_args()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def make_layer(line=b"hello from a bad registry\n"):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = line * 2000
        ti = tarfile.TarInfo("hello.txt")
        ti.size = len(data)
        ti.mtime = 1700000000
        t.addfile(ti, io.BytesIO(data))
    tar = raw.getvalue()
    return tar, gzip.compress(tar, mtime=0)


TAR, LAYER = make_layer()
BLOBS = {}


def blob(b):
    d = sha(b)
    BLOBS[d] = b
    return d


def image(diff=None, config_extra=None):
    cfg = {"architecture": "amd64", "os": "linux",
           "config": {"Cmd": ["/hello"]},
           "rootfs": {"type": "layers", "diff_ids": [diff or sha(TAR)]}}
    if config_extra:
        cfg.update(config_extra)
    cb = json.dumps(cfg).encode()
    return cb


MANIFESTS = {}
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
SPECIAL_BLOBS = {}  # digest -> behaviour


def add(repo, cfg_bytes, layer_digest=None, layer_size=None, config_digest=None):
    cd = config_digest or blob(cfg_bytes)
    if config_digest:
        BLOBS[config_digest] = cfg_bytes
    ld = layer_digest or blob(LAYER)
    m = {"schemaVersion": 2,
         "mediaType": MANIFEST_V2,
         "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                    "size": len(cfg_bytes), "digest": cd},
         "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": layer_size or len(LAYER), "digest": ld}]}
    MANIFESTS[repo] = json.dumps(m).encode()


add("good", image(config_extra={"comment": "good"}))
# a layer of its own whose bytes differ from its digest (same size)
WD_TAR, WD_LAYER = make_layer(b"wrong digest\n")
flipped = bytearray(WD_LAYER)
flipped[len(flipped) // 2] ^= 0xFF
wrong_digest = sha(WD_LAYER)
BLOBS[wrong_digest] = bytes(flipped)
add("wrongdigest", image(diff=sha(WD_TAR), config_extra={"comment": "wd"}),
    layer_digest=wrong_digest, layer_size=len(WD_LAYER))


def one_file_image(name, fname, data, how):
    """Image NAME of one layer (the file FNAME holding DATA) whose blob the
    server sends the HOW way (SPECIAL_BLOBS)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo(fname)
        ti.size = len(data)
        ti.mtime = 1700000000
        t.addfile(ti, io.BytesIO(data))
    tar = raw.getvalue()
    gz = gzip.compress(tar, compresslevel=1, mtime=0)
    d = blob(gz)
    SPECIAL_BLOBS[d] = how
    add(name, image(diff=sha(tar), config_extra={"comment": name}), layer_digest=d,
        layer_size=len(gz))


for name in ("truncated", "resume", "midstream"):
    # each its own layer bytes (a distinct digest), so behaviours do not mix
    one_file_image(name, name + ".txt", (name.encode() + b" payload line\n") * 20000, name)
for name in ("slow", "slow2"):
    one_file_image(name, name + ".bin", os.urandom(3 << 20), "slow")
cfg = image(config_extra={"comment": "badconfig"})
add("badconfig", cfg + b" ", config_digest=sha(cfg))
add("baddiff", image(diff="sha256:" + "ab" * 32, config_extra={"comment": "baddiff"}))
SEEN = set()


class H(QuietHandler):
    def log(self):
        with open(args.log, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-")))

    def send(self, code, body=b"", ctype="application/json", extra=None):
        self.head(code, ctype, {"Content-Length": str(len(body)), **(extra or {})})
        if self.command != "HEAD":
            self.wfile.write(body)

    def stream(self, pieces, delay=0):
        """Write the pieces, each flushed; a client that went away ends it."""
        try:
            for piece in pieces:
                self.wfile.write(piece)
                self.wfile.flush()
                time.sleep(delay)
        except OSError:
            pass

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.log()
        p = self.path
        if p == "/v2/":
            return self.send(200, b"{}")
        parts = p.split("/")
        if len(parts) < 5:
            return self.send(404, b"{}")
        repo, kind, ref = parts[2], parts[3], parts[4]
        if kind == "manifests":
            if repo == "huge":
                self.head(200, MANIFEST_V2, {"Content-Length": str(100 << 20)})
                return self.stream(b" " * (1 << 20) for _ in range(100))
            if repo == "hugechunked":
                self.head(200, MANIFEST_V2, {"Transfer-Encoding": "chunked"})
                chunk = b" " * 65536
                chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 1600
                return self.stream(chunks + [b"0\r\n\r\n"])
            if repo == "loop":
                return self.send(302, b"", extra={"Location": p})
            if repo == "error500":
                return self.send(500, json.dumps({"errors": [{"code": "UNKNOWN",
                                 "message": "the storage backend exploded"}]}).encode())
            m = MANIFESTS.get(repo)
            if not m or ref != "v1":
                return self.send(404, json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN",
                                 "message": "manifest unknown"}]}).encode())
            return self.send(200, m, MANIFEST_V2)
        if kind == "blobs":
            b = BLOBS.get(ref)
            if b is None:
                return self.send(404, json.dumps({"errors": [{"code": "BLOB_UNKNOWN",
                                 "message": "blob unknown"}]}).encode())
            how = SPECIAL_BLOBS.get(ref)
            rng = self.headers.get("Range")
            if how == "resume" and rng and rng.startswith("bytes="):
                start = int(rng[6:].split("-")[0])
                rest = b[start:]
                return self.send(206, rest, "application/octet-stream",
                                 {"Content-Range": "bytes %d-%d/%d" % (start, len(b) - 1, len(b))})
            if how == "slow":
                start = 0
                code = 200
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    code = 206
                rest = b[start:]
                headers = {"Content-Length": str(len(rest))}
                if code == 206:
                    headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(b) - 1, len(b))
                self.head(code, "application/octet-stream", headers)
                return self.stream((rest[i:i + 65536] for i in range(0, len(rest), 65536)), 0.025)
            if how == "midstream":
                # chunked, then garbage where the next chunk size belongs
                self.head(200, "application/octet-stream", {"Transfer-Encoding": "chunked"})
                half = b[: len(b) // 2]
                self.wfile.write(b"%x\r\n%s\r\nnot-a-chunk-size\r\n" % (len(half), half))
                self.wfile.flush()
                self.close_connection = True
                return
            if how == "truncated" or (how == "resume" and ref not in SEEN):
                SEEN.add(ref)
                self.head(200, "application/octet-stream", {"Content-Length": str(len(b))})
                self.wfile.write(b[: len(b) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            return self.send(200, b, "application/octet-stream")
        return self.send(404, b"{}")


class S(http.server.ThreadingHTTPServer):
    daemon_threads = True


S(("127.0.0.1", args.port), H).serve_forever()
