"""What the tests' HTTP servers share: an HTTP/1.1 request handler that
writes no access log to stderr, and writes a response head in one call; and
their command-line options declared by kind."""
import argparse
import http.server


def options(required=(), optional=(), ints=None, flags=()):
    """An argument parser: required string options, optional string
    options, int options (name -> default, None for a required one) and
    boolean flags."""
    ap = argparse.ArgumentParser()
    for name in required:
        ap.add_argument(name, required=True)
    for name in optional:
        ap.add_argument(name)
    for name, default in (ints or {}).items():
        if default is None:
            ap.add_argument(name, type=int, required=True)
        else:
            ap.add_argument(name, type=int, default=default)
    for name in flags:
        ap.add_argument(name, action="store_true")
    return ap


class QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def head(self, code, ctype, headers=None):
        """Status line, Content-Type, the other headers, end of the head."""
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
