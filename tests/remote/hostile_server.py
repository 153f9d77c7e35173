#!/usr/bin/env python3
"""A hostile HTTP server for the remote-validation tests (loopback only).

Every path misbehaves in one documented way (see ROUTES below); the tests in
tests/remote/remote_live_test.cpp check that each gives its NETWORK_* error
within its time limit. The served file is a valid safetensors file whose
header is longer than the first request's 64 KiB read-ahead, so validating
it needs the second, pinned request.

Usage: hostile_server.py PORT_FILE [--tls CERT KEY] [--slow-root DIR --delay-ms MS]
  Binds 127.0.0.1 on a free port and writes the port to PORT_FILE once it
  listens. With --tls it speaks HTTPS with that certificate and key (the
  TLS tests: a self-signed certificate the client must be told to trust).
  With --slow-root, /slow/PATH serves DIR/PATH honestly (ranges, a stable
  ETag) after waiting MS milliseconds per request: a network round trip on
  loopback, for bench/remote_bench.sh's parallel shard check. Appends one line per request to PORT_FILE.auth: the path and
  whether it carried credentials ("PATH credentials" or "PATH none"; any of
  Authorization, X-Api-Key), so a test can check what a redirect's target
  received.
"""
import argparse
import json
import os
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_file(header_bytes=90_000):
    """A valid safetensors file whose header is about `header_bytes` long."""
    tensors = {}
    offset = 0
    index = 0
    while len(json.dumps(tensors, separators=(",", ":"))) < header_bytes:
        tensors[f"layer.{index}.weight"] = {"dtype": "F32", "shape": [4], "data_offsets": [offset, offset + 16]}
        offset += 16
        index += 1
    text = json.dumps(tensors, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + bytes(offset)


FILE_A = make_file()
FILE_B = make_file(110_000)  # a different file at the same URL (the "changed" route)
SMALL = make_file(100)
LARGE_DATA = 256 << 20
_large_header = json.dumps({"big": {"dtype": "U8", "shape": [LARGE_DATA], "data_offsets": [0, LARGE_DATA]}}).encode()
_large_header += b" " * (-len(_large_header) % 8)
LARGE_PREFIX = struct.pack("<Q", len(_large_header)) + _large_header
AUTH_LOG = None
SLOW_ROOT = None
DELAY_SECONDS = 0.0


def make_data_file(pattern):
    """A valid file with one 4 MiB F32 tensor: its data is read in 1 MiB range requests."""
    header = json.dumps({"w": {"dtype": "F32", "shape": [1 << 20], "data_offsets": [0, 4 << 20]}}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + pattern * ((4 << 20) // len(pattern))


DATA_FILE = make_data_file(bytes(range(1, 256)) + b"\x01")
DATA_FILE_B = make_data_file(bytes(range(255, 0, -1)) + b"\x01")  # same size, other bytes
# Requests longer than this are data reads (st-audit --values, digests); the
# header and the signature probes at the end of the file ask for less.
DATA_READ_BYTES = 100_000


def parse_range(value, size):
    """(first, last) of "bytes=first-last", cut at the file's end."""
    first, last = value.split("=", 1)[1].split("-", 1)
    first = int(first)
    last = min(int(last), size - 1) if last else size - 1
    return first, last


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    changed_requests = {}
    lock = threading.Lock()

    def log_message(self, *args):  # quiet
        pass

    def send_range(self, body, etag='"v1"', extra=None, content_range=None, content_length=None, payload=None):
        first, last = parse_range(self.headers.get("Range", "bytes=0-"), len(body))
        self.send_response(206)
        self.send_header("Content-Range", content_range or f"bytes {first}-{last}/{len(body)}")
        self.send_header("Content-Length", str(content_length if content_length is not None else last - first + 1))
        self.send_header("ETag", etag)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload if payload is not None else body[first:last + 1])

    def send_whole(self, body, content_length=True):
        self.send_response(200)
        if content_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        carried = any(self.headers.get(name) is not None for name in ("Authorization", "X-Api-Key"))
        with Handler.lock, open(AUTH_LOG, "a") as log:
            log.write(f"{self.path} {'credentials' if carried else 'none'}\n")
        path = self.path.split("?", 1)[0]
        route = slow if SLOW_ROOT and path.startswith("/slow/") else ROUTES.get(path)
        if route is None:
            self.send_error(404)
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should on most routes


def good(h):
    h.send_range(FILE_A)


def ignore_range(h):
    h.send_whole(FILE_A)


def ignore_range_endless(h):
    # 200 without Content-Length: the size is unknown until the end, which never comes.
    h.send_response(200)
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(FILE_A)
    chunk = bytes(1 << 16)
    while True:
        h.wfile.write(chunk)


def wrong_range(h):
    h.send_range(FILE_A, content_range=f"bytes 100-65643/{len(FILE_A)}")


def malformed_range(h):
    h.send_range(FILE_A, content_range="bytes 0-65543/*")


def lying_length(h):
    # The head promises the whole range; the body stops short and the connection closes.
    first, last = parse_range(h.headers.get("Range", "bytes=0-"), len(FILE_A))
    h.send_response(206)
    h.send_header("Content-Range", f"bytes {first}-{last}/{len(FILE_A)}")
    h.send_header("Content-Length", str(last - first + 1))
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(FILE_A[first:first + 100])
    h.close_connection = True


def endless_range(h):
    # A 206 whose body never ends (no Content-Length, connection close).
    first, last = parse_range(h.headers.get("Range", "bytes=0-"), len(FILE_A))
    h.send_response(206)
    h.send_header("Content-Range", f"bytes {first}-{last}/{len(FILE_A)}")
    h.send_header("Connection", "close")
    h.end_headers()
    chunk = bytes(1 << 16)
    while True:
        h.wfile.write(chunk)


def drip(h):
    first, last = parse_range(h.headers.get("Range", "bytes=0-"), len(FILE_A))
    h.send_response(206)
    h.send_header("Content-Range", f"bytes {first}-{last}/{len(FILE_A)}")
    h.send_header("Content-Length", str(last - first + 1))
    h.end_headers()
    for byte in FILE_A[first:last + 1]:
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(1)


def redirect(h, location, status=302):
    h.send_response(status)
    h.send_header("Location", location)
    h.send_header("Content-Length", "0")
    h.end_headers()


def redirect_loop(h):
    redirect(h, "/redirect-loop")


def redirect_other_origin(h):
    # ?to=PORT: the other server (another port is another origin).
    redirect(h, f"http://127.0.0.1:{h.path.split('to=', 1)[1]}/small")


def redirect_same_origin(h):
    redirect(h, "/small", 307)


def redirect_ftp(h):
    redirect(h, "ftp://127.0.0.1/small")


def small(h):
    h.send_range(SMALL)


def request_number(h):
    """How many requests for this exact URL came before (?id=... makes it unique per test)."""
    with Handler.lock:
        count = Handler.changed_requests.get(h.path, 0)
        Handler.changed_requests[h.path] = count + 1
    return count


def changed(h):
    # The first request sees FILE_A, later ones FILE_B with another ETag;
    # If-Match is ignored (a hostile or broken cache).
    if request_number(h) == 0:
        h.send_range(FILE_A, etag='"a"')
    else:
        h.send_range(FILE_B, etag='"b"')


def changed_honouring_if_match(h):
    if request_number(h) == 0:
        h.send_range(FILE_A, etag='"a"')
    elif h.headers.get("If-Match") not in (None, '"b"'):
        h.send_response(412)
        h.send_header("Content-Length", "0")
        h.end_headers()
    else:
        h.send_range(FILE_B, etag='"b"')


def gzip(h):
    h.send_range(FILE_A, extra={"Content-Encoding": "gzip"})


def ignore_range_large(h):
    # 200 with the whole of a valid 256 MiB file: only the header may be read.
    h.send_response(200)
    h.send_header("Content-Length", str(len(LARGE_PREFIX) + LARGE_DATA))
    h.end_headers()
    h.wfile.write(LARGE_PREFIX)
    chunk = bytes(1 << 16)
    for _ in range(LARGE_DATA // len(chunk)):
        h.wfile.write(chunk)


def data_read(h):
    """Whether this request is one of the 1 MiB data reads of DATA_FILE."""
    first, last = parse_range(h.headers.get("Range", "bytes=0-"), len(DATA_FILE))
    return last - first + 1 > DATA_READ_BYTES


def data_ignores_range(h):
    # Header and probes as asked; the data reads get 200 and the whole file.
    if data_read(h):
        h.send_whole(DATA_FILE)
    else:
        h.send_range(DATA_FILE, etag='"d1"')


def data_wrong_range(h):
    # The data reads get a Content-Range one byte later than asked (and those bytes).
    first, last = parse_range(h.headers.get("Range", "bytes=0-"), len(DATA_FILE))
    if data_read(h):
        h.send_range(DATA_FILE, etag='"d1"', content_range=f"bytes {first + 1}-{last + 1}/{len(DATA_FILE)}",
                     payload=DATA_FILE[first + 1:last + 2])
    else:
        h.send_range(DATA_FILE, etag='"d1"')


def data_changed(h):
    # The file is replaced once its data is read: other bytes, another ETag (If-Match ignored).
    if data_read(h):
        h.send_range(DATA_FILE_B, etag='"d2"')
    else:
        h.send_range(DATA_FILE, etag='"d1"')


def data_good(h):
    h.send_range(DATA_FILE, etag='"d1"')


def slow(h):
    """DIR/PATH after the per-request delay: ranges honoured, ETag from size and mtime."""
    time.sleep(DELAY_SECONDS)
    root = os.path.realpath(SLOW_ROOT)
    target = os.path.realpath(os.path.join(root, h.path.split("?", 1)[0][len("/slow/"):]))
    if not target.startswith(root + os.sep) or not os.path.isfile(target):
        h.send_error(404)
        return
    info = os.stat(target)
    etag = f'"{info.st_size}-{info.st_mtime_ns}"'
    with open(target, "rb") as f:
        if h.headers.get("Range") is None:
            body = f.read()  # an index: small (the models are asked for by range)
            h.send_response(200)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("ETag", etag)
            h.end_headers()
            h.wfile.write(body)
            return
        # Only the range is read: the models are sparse files of many GB.
        first, last = parse_range(h.headers["Range"], info.st_size)
        f.seek(first)
        payload = f.read(last - first + 1)
    h.send_response(206)
    h.send_header("Content-Range", f"bytes {first}-{last}/{info.st_size}")
    h.send_header("Content-Length", str(len(payload)))
    h.send_header("ETag", etag)
    h.end_headers()
    h.wfile.write(payload)


def server_error(h):
    h.send_error(500)


ROUTES = {
    "/good": good,
    "/small": small,
    "/ignore-range": ignore_range,
    "/ignore-range-endless": ignore_range_endless,
    "/wrong-range": wrong_range,
    "/malformed-range": malformed_range,
    "/lying-length": lying_length,
    "/endless": endless_range,
    "/drip": drip,
    "/redirect-loop": redirect_loop,
    "/redirect-other-origin": redirect_other_origin,
    "/redirect-same-origin": redirect_same_origin,
    "/redirect-ftp": redirect_ftp,
    "/changed": changed,
    "/changed-412": changed_honouring_if_match,
    "/gzip": gzip,
    "/500": server_error,
    "/ignore-range-large": ignore_range_large,
    "/data-good": data_good,
    "/data-ignores-range": data_ignores_range,
    "/data-wrong-range": data_wrong_range,
    "/data-changed": data_changed,
}


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections beyond it, which the client
    # retries a second later: 8 parallel shard fetches would measure that.
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Clients hang up on most routes on purpose: not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    global AUTH_LOG, SLOW_ROOT, DELAY_SECONDS
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--slow-root")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    AUTH_LOG = args.port_file + ".auth"
    SLOW_ROOT = args.slow_root
    DELAY_SECONDS = args.delay_ms / 1000.0
    server = QuietServer(("127.0.0.1", 0), Handler)
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as out:
        out.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
