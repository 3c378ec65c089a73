"""What the tests' HTTP servers share: an HTTP/1.1 request handler that
writes no access log to stderr, and writes a response head in one call."""
import http.server


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
