"""Loopback helpers for the end-to-end scripts that start `pt2run serve`."""
import http.client
import socket
import subprocess
import sys
import time


def free_port():
    """A TCP port nothing listens on now (the server binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(cli, *args):
    """`pt2run serve ARGS` on a free loopback port, once it answers /v2/health/ready:
    (process, port). Exits the script with the server's output if it does not come up."""
    port = free_port()
    server = subprocess.Popen([cli, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/v2/health/ready")
            if c.getresponse().status == 200:
                return server, port
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    sys.exit(f"pt2run serve did not come up:\n{server.stdout.read()}")


def stop_serve(server, timeout=30):
    """SIGTERM to a server start_serve started; waits for it and returns its output."""
    server.terminate()
    return server.communicate(timeout=timeout)[0]
