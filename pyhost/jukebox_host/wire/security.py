"""CURVE authentication: key generation, the host's allow-list, and the rule that only loopback may go without.

The host binds to 127.0.0.1 by default. Any other tcp address carries audio and accepts work from the network,
so it requires CURVE: the host's secret key, and a folder of the public keys of the clients it accepts.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

log = logging.getLogger("jukebox_host")
RELOAD_SECONDS = 1.0  # how often the allow folder is looked at for added or removed keys


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


def require_auth_off_loopback(endpoint: str, curve: CurveServer | None) -> None:
    if curve is None and not is_local(endpoint):
        raise SecurityError(
            f"refusing to bind {endpoint} without authentication: anything but loopback needs "
            "--curve-secret and --curve-allow (see `jukebox-host keygen`)"
        )


def generate_keys(folder: str | Path, name: str) -> tuple[Path, Path]:
    """Write NAME.key (public, share it) and NAME.key_secret (keep it) in ZeroMQ's certificate format."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    public, secret = zmq.auth.create_certificates(str(folder), name)
    return Path(public), Path(secret)


@dataclass
class CurveServer:
    """The host's key and its allow-list. The folder is watched: a key added is let in, a key removed is refused
    from then on, new connections and connected clients alike (gateway/loop.py checks every message's key)."""

    secret_file: Path
    allow_folder: Path
    _allowed: set[bytes] = field(default_factory=set)
    _seen: tuple[tuple[str, int, int], ...] = ()
    _looked: float = 0.0

    def allows(self, public_z85: bytes) -> bool:
        return public_z85 in self._allowed

    def _listing(self) -> tuple[tuple[str, int, int], ...]:
        try:
            files = sorted(self.allow_folder.glob("*.key"))
            return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        except OSError:
            return ()

    def _load(self) -> None:
        self._seen = self._listing()
        try:
            self._allowed = set(zmq.auth.load_certificates(str(self.allow_folder)))
        except (OSError, ValueError) as exc:
            log.error("could not read the allowed keys in %s: %s; nobody is allowed", self.allow_folder, exc)
            self._allowed = set()

    def reload_if_changed(self, authenticator: ThreadAuthenticator | None) -> bool:
        """True when the allow list was read again (keys may have been removed)."""
        now = time.monotonic()
        if now - self._looked < RELOAD_SECONDS:
            return False
        self._looked = now
        if self._listing() == self._seen:
            return False
        self._load()
        if authenticator is not None:
            authenticator.configure_curve(domain="*", location=str(self.allow_folder))
        log.info("allowed client keys reloaded from %s: %d key(s)", self.allow_folder, len(self._allowed))
        return True

    def validate(self) -> tuple[bytes, bytes]:
        """The host's (public, secret) key pair, or SecurityError saying what is wrong with the files."""
        try:
            public, secret = zmq.auth.load_certificate(str(self.secret_file))
        except (OSError, ValueError) as exc:
            raise SecurityError(f"cannot read {self.secret_file}: {exc}") from None
        if secret is None:
            raise SecurityError(f"{self.secret_file} holds no secret key (use the .key_secret file)")
        if not any(self.allow_folder.glob("*.key")):
            raise SecurityError(f"no client public keys (*.key) in {self.allow_folder}: nobody could connect")
        return public, secret

    def apply(self, context: zmq.Context, sock: zmq.Socket) -> ThreadAuthenticator:
        public, secret = self.validate()
        self._load()
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
