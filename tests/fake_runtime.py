"""A fake Lambda Runtime API (2018-06-01) for integration tests.

It speaks the real protocol on 127.0.0.1: `GET /2018-06-01/runtime/invocation/next`
blocks until the test queues an invocation and answers it with the
Lambda-Runtime-* headers; `POST .../invocation/{id}/response|error` and
`POST .../init/error` are recorded with their headers and bodies and answered
202 (or whatever the invocation asks for, e.g. 413 for a response).

    with FakeRuntime() as rt:
        rt.queue(b'{"...": 1}', request_id="r1")
        proc = subprocess.Popen(["./bootstrap"], env={"AWS_LAMBDA_RUNTIME_API": rt.address})
        post = rt.wait_post("r1")
"""

import http.server
import json
import queue
import socket
import socketserver
import threading
import time
import uuid

PREFIX = "/2018-06-01/runtime"


class Invocation:
    def __init__(self, event, request_id=None, deadline_ms=None, function_arn=None,
                 trace_id=None, response_status=202, error_status=202, headers=None):
        self.event = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.request_id = request_id if request_id is not None else str(uuid.uuid4())
        if deadline_ms is None:
            deadline_ms = int(time.time() * 1000) + 30_000
        self.deadline_ms = deadline_ms
        self.function_arn = function_arn or \
            "arn:aws:lambda:us-east-1:111111111111:function:trailwatch"
        self.trace_id = trace_id if trace_id is not None else \
            "Root=1-67891234-abcdef012345678912345678;Parent=0123456789abcdef;Sampled=0"
        self.response_status = response_status
        self.error_status = error_status
        self.headers = headers  # full override of the Lambda-Runtime-* headers


class Post:
    def __init__(self, path, kind, request_id, headers, body, status):
        self.path, self.kind, self.request_id = path, kind, request_id
        self.headers, self.body, self.status = headers, body, status
        self.received = time.time()  # epoch seconds, comparable with deadline_ms / 1000

    def json(self):
        return json.loads(self.body)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output clean
        pass

    def setup(self):
        super().setup()
        # Without it delayed ACKs add ~40 ms to every exchange.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.fake.lock:
            self.server.fake.connections += 1

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        fake = self.server.fake
        if self.path != PREFIX + "/invocation/next":
            self._send(404, b'{"errorMessage":"not found"}')
            return
        inv = fake.pending.get()
        if inv is None:  # shutdown
            self.close_connection = True
            self._send(500, b'{"errorMessage":"fake runtime stopped"}')
            return
        with fake.lock:
            fake.by_id[inv.request_id] = inv
            fake.polls += 1
        if inv.headers is not None:
            hdrs = list(inv.headers.items())
        else:
            hdrs = [("Lambda-Runtime-Aws-Request-Id", inv.request_id),
                    ("Lambda-Runtime-Deadline-Ms", str(inv.deadline_ms)),
                    ("Lambda-Runtime-Invoked-Function-Arn", inv.function_arn)]
            if inv.trace_id:
                hdrs.append(("Lambda-Runtime-Trace-Id", inv.trace_id))
        self._send(200, inv.event, hdrs)

    def do_POST(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        path = self.path
        kind, request_id, status = None, None, 404
        if path == PREFIX + "/init/error":
            kind, status = "init-error", 202
        elif path.startswith(PREFIX + "/invocation/"):
            rest = path[len(PREFIX + "/invocation/"):]
            request_id, _, kind = rest.partition("/")
            with fake.lock:
                inv = fake.by_id.get(request_id)
            if inv is None or kind not in ("response", "error"):
                status = 400
            else:
                status = inv.response_status if kind == "response" else inv.error_status
        post = Post(path, kind, request_id, dict(self.headers.items()), body, status)
        with fake.lock:
            fake.posts.append(post)
            fake.cond.notify_all()
        if status == 413:
            self._send(413, json.dumps({
                "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
                "errorType": "RequestEntityTooLarge"}).encode())
        elif status == 202:
            self._send(202, b'{"status":"OK"}')
        else:
            self._send(status, b'{"errorMessage":"rejected by the fake runtime"}')


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeRuntime:
    def __init__(self):
        self.pending = queue.Queue()
        self.by_id = {}
        self.posts = []
        self.polls = 0
        self.connections = 0
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = None

    @property
    def address(self):
        return "127.0.0.1:%d" % self._server.server_address[1]

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.pending.put(None)
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def queue(self, event, **kw):
        inv = Invocation(event, **kw)
        self.pending.put(inv)
        return inv

    def wait_posts(self, predicate, count=1, timeout=20.0):
        """Waits until `count` posts satisfy `predicate`; returns them."""
        end = time.monotonic() + timeout
        with self.lock:
            while True:
                got = [p for p in self.posts if predicate(p)]
                if len(got) >= count:
                    return got
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError("waited %.0fs for %d post(s); have %r" %
                                       (timeout, count, [(p.kind, p.request_id) for p in self.posts]))
                self.cond.wait(left)

    def wait_post(self, request_id, timeout=20.0):
        """The last post for `request_id` that ends its invocation (a 202)."""
        return self.wait_posts(lambda p: p.request_id == request_id and p.status == 202,
                               timeout=timeout)[-1]

    def posts_for(self, request_id):
        with self.lock:
            return [p for p in self.posts if p.request_id == request_id]
