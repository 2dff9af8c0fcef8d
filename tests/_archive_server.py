"""A local HTTP server of export archives for the download tests: 127.0.0.1 only, a port of its
own, and bounded (it shuts itself down after ``lifetime`` seconds even if a test hangs).

A fault is set per file (``faults[file] = "truncate"``) or chosen by the first part of the
path (``/truncate/<file>``), so one client can meet every fault: ``"truncate"`` sends the full
Content-Length but half the bytes; ``"no-length"`` half the bytes with no Content-Length (only
the sha256 can tell); ``"tampered"`` one byte flipped; ``"swapped"`` another archive of the folder.
"""
import functools
import http.server
import threading
from pathlib import Path

FAULTS = ("truncate", "no-length", "tampered", "swapped")


class _Handler(http.server.BaseHTTPRequestHandler):
    def __init__(self, *args, server_state, **kwargs):
        self.state = server_state
        super().__init__(*args, **kwargs)

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        parts = self.path.lstrip("/").split("/")
        self.state.requests.append("/".join(parts))
        fault, name = (parts[0], parts[1]) if len(parts) == 2 and parts[0] in FAULTS else (None, "/".join(parts))
        fault = fault or self.state.faults.get(name)
        path = self.state.folder / name
        if "/" in name or not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        if fault == "tampered":
            data = data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:]
        elif fault == "swapped":
            data = next(p for p in sorted(self.state.folder.glob("*.tar.gz")) if p != path).read_bytes()
        self.send_response(200)
        if fault != "no-length":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if fault in ("truncate", "no-length") else data)
        self.close_connection = True


class ArchiveServer:
    def __init__(self, folder, lifetime: float = 120):
        self.folder, self.faults, self.requests = Path(folder), {}, []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, server_state=self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        self.timer = threading.Timer(lifetime, self.httpd.shutdown)
        self.timer.daemon = True
        self.timer.start()

    def close(self):
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
