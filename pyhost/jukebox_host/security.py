"""CURVE authentication: key generation, the host's allow-list, and the rule that only loopback may go without.

The host binds to 127.0.0.1 by default. Any other tcp address carries audio and accepts work from the network,
so it requires CURVE: the host's secret key, and a folder of the public keys of the clients it accepts.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator


class SecurityError(Exception):
    """The host refuses to start with this endpoint/key combination."""


def is_local(endpoint: str) -> bool:
    """ipc/inproc endpoints and tcp on a loopback address are local; every other transport (ws, wss, tipc, vmci,
    udp, pgm …) may reach other machines and is not."""
    if endpoint.startswith(("ipc://", "inproc://")):
        return True
    if not endpoint.startswith("tcp://"):
        return False
    address = endpoint[len("tcp://"):].rsplit(":", 1)[0].strip("[]")
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # '*', an interface name or a host name: not provably loopback


def generate_keys(folder: str | Path, name: str) -> tuple[Path, Path]:
    """Write NAME.key (public, share it) and NAME.key_secret (keep it) in ZeroMQ's certificate format."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    public, secret = zmq.auth.create_certificates(str(folder), name)
    return Path(public), Path(secret)


@dataclass
class CurveServer:
    secret_file: Path
    allow_folder: Path

    def apply(self, context: zmq.Context, sock: zmq.Socket) -> ThreadAuthenticator:
        public, secret = zmq.auth.load_certificate(str(self.secret_file))
        if secret is None:
            raise SecurityError(f"{self.secret_file} holds no secret key (use the .key_secret file)")
        if not any(self.allow_folder.glob("*.key")):
            raise SecurityError(f"no client public keys (*.key) in {self.allow_folder}: nobody could connect")
        authenticator = ThreadAuthenticator(context)
        authenticator.start()
        # Only clients whose public key file is in allow_folder get through the handshake.
        authenticator.configure_curve(domain="*", location=str(self.allow_folder))
        sock.curve_secretkey = secret
        sock.curve_publickey = public
        sock.curve_server = True
        return authenticator


def apply_client_curve(sock: zmq.Socket, server_public_file: str | Path, client_secret_file: str | Path) -> None:
    server_public, _ = zmq.auth.load_certificate(str(server_public_file))
    public, secret = zmq.auth.load_certificate(str(client_secret_file))
    if secret is None:
        raise SecurityError(f"{client_secret_file} holds no secret key (use the .key_secret file)")
    sock.curve_serverkey = server_public
    sock.curve_publickey = public
    sock.curve_secretkey = secret
