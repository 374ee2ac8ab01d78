"""The HTTP/1.1 server and the FakeAws object tests use.

    with FakeAws(fixture_dict) as fake:
        url = fake.url                       # http://127.0.0.1:PORT
        fake.inject(service="logs", operation="DescribeMetricFilters", fault="throttle", times=2)
        ...
        fake.stats()["by_operation"]

Every answer carries Content-Length; connections are kept alive.  GET
/__fake/stats (and the other /__fake/ paths, see README.md) are unsigned
control endpoints.
"""
import json
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .dispatch import Dispatcher
from .faults import FaultRule
from .sigv4 import Verifier
from .state import State
from .stats import Stats

MAX_REQUEST_BODY = 16 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Server"        # what AWS endpoints send
    sys_version = ""

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.conn_id = None      # assigned at the first AWS request: control calls are not counted

    def log_message(self, fmt, *args):       # quiet
        pass

    # -------------------------------------------------------------- reading

    def _read_body(self):
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    # -------------------------------------------------------------- verbs

    def do_POST(self):
        fake = self.server.fake
        body = self._read_body()
        if self.path.startswith("/__fake/"):
            return self._control("POST", body)
        if self.conn_id is None:
            self.conn_id = fake.stats_obj.connection_opened()
        reply = fake.dispatcher.handle("POST", fake.scheme, self.path, list(self.headers.items()), body,
                                       self.conn_id)
        if fake.latency_ms:
            time.sleep(fake.latency_ms / 1000.0)
        self._send(reply.status, reply.headers, reply.body, reply.action)

    def do_GET(self):
        if self.path.startswith("/__fake/"):
            return self._control("GET", b"")
        self._send(404, [("Content-Type", "text/plain")], b"fake_aws: only POST / and /__fake/ are served\n")

    # -------------------------------------------------------------- control API

    def _control(self, method, body):
        fake = self.server.fake
        path = self.path.split("?", 1)[0]
        try:
            if method == "GET" and path == "/__fake/stats":
                out = fake.stats()
            elif method == "GET" and path == "/__fake/log":
                out = fake.request_log()
            elif method == "GET" and path == "/__fake/faults":
                out = fake.state.faults.rules()
            elif method == "POST" and path == "/__fake/faults":
                spec = json.loads(body or b"{}")
                for rule in spec if isinstance(spec, list) else [spec]:
                    fake.inject(**rule)
                out = fake.state.faults.rules()
            elif method == "POST" and path == "/__fake/faults/clear":
                fake.clear_faults()
                out = []
            elif method == "POST" and path == "/__fake/latency":
                fake.latency_ms = int(json.loads(body or b"{}").get("ms", 0))
                out = {"latency_ms": fake.latency_ms}
            elif method == "POST" and path == "/__fake/reset":
                fake.reset_stats()
                out = {"ok": True}
            else:
                return self._send(404, [("Content-Type", "application/json")], b'{"error":"no such control path"}')
        except (ValueError, TypeError) as exc:
            return self._send(400, [("Content-Type", "application/json")],
                              json.dumps({"error": str(exc)}).encode())
        self._send(200, [("Content-Type", "application/json")], json.dumps(out, default=str).encode())

    # -------------------------------------------------------------- writing

    def _send(self, status, headers, body, action=None):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        # Head and body in one write: no Nagle/delayed-ACK stall between them.
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        if action is None:
            self.wfile.write(head + body)
            return
        self.close_connection = True
        self.wfile.write(head + (body[: max(1, len(body) // 2)] if body else b""))
        self.wfile.flush()
        if action == "reset":
            # RST, not FIN: linger 0 then close the descriptor under the socket.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            fd = self.connection.detach()
            socket.close(fd)
        else:  # truncate: fewer bytes than Content-Length, then an orderly close
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, fake, ssl_context=None):
        self.fake = fake
        self.ssl_context = ssl_context
        super().__init__(addr, _Handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the worker thread, never in the accept loop.
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        try:
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            tls.close()
        return None

    def handle_error(self, request, client_address):
        pass        # client went away mid-request, reset faults, ... - not our problem


class FakeAws:
    """A fake AWS endpoint serving all six services for every region.

    ``state`` is a State, a fixture dict, or a path to a fixture JSON file.
    """

    def __init__(self, state=None, *, host="127.0.0.1", port=0, latency_ms=0, tls_cert=None, tls_key=None,
                 check_clock_skew=None, require_signed_token=True):
        if state is None or isinstance(state, dict):
            state = State(state)
        elif isinstance(state, str):
            state = State.from_file(state)
        self.state = state
        if check_clock_skew is None:
            check_clock_skew = state.settings.get("check_clock_skew", True)
        self.verifier = Verifier(state, check_clock_skew=check_clock_skew,
                                 require_signed_token=require_signed_token)
        self.stats_obj = Stats()
        self.dispatcher = Dispatcher(state, self.verifier, self.stats_obj)
        self.host = host
        self.port = port
        self.latency_ms = latency_ms or state.settings.get("latency_ms", 0)
        self._ssl_context = None
        if tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls_cert, tls_key)
            self._ssl_context = ctx
        self.scheme = "https" if self._ssl_context else "http"
        self._server = None
        self._thread = None

    # -------------------------------------------------------------- lifecycle

    def start(self):
        self._server = _Server((self.host, self.port), self, self._ssl_context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="fake-aws", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return "%s://%s:%d" % (self.scheme, self.host, self.port)

    # -------------------------------------------------------------- control

    def inject(self, fault, *, service=None, operation=None, times=1, **kw):
        """Make the next ``times`` matching requests fail with ``fault``
        (-1: forever).  See faults.KINDS; extra keys: account, region, code,
        status, message, delay_ms, size_mb."""
        return self.state.faults.add(FaultRule(fault, service=service, operation=operation, times=times, **kw))

    def clear_faults(self):
        self.state.faults.clear()

    def stats(self):
        return self.stats_obj.snapshot(self.state)

    def request_log(self):
        return self.stats_obj.request_log()

    def reset_stats(self):
        self.stats_obj.reset()
        with self.state.lock:
            self.state.put_evaluations.clear()
            self.state.put_external_evaluations.clear()
            self.state.assume_role_calls.clear()

    def credentials(self, account_id):
        """(access key id, secret, session token) of a fixture key for an account."""
        for key in self.state.keys.values():
            if key.account == account_id and key.role_arn is None:
                return key.key_id, key.secret, key.session_token
        raise KeyError(account_id)
