"""Loopback helpers for the end-to-end scripts that start `pt2run serve`."""
import socket


def free_port():
    """A TCP port nothing listens on now (the server binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
