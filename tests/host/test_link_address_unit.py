"""The link between the host and its gateway: ipc where libzmq has it, else a loopback port (some Windows
builds of libzmq have no ipc)."""

from __future__ import annotations

from pathlib import Path

import pytest
import zmq

from jukebox_host.host import gateway_link


@pytest.mark.parametrize("has_ipc", [True, False])
def test_the_link_binds_and_carries_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              has_ipc: bool) -> None:
    real_has = zmq.has
    monkeypatch.setattr(gateway_link.zmq, "has", lambda what: has_ipc if what == "ipc" else real_has(what))
    context = zmq.Context()
    host, gateway = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    try:
        address = gateway_link.link_address(host, str(tmp_path), 1)
        assert address.startswith("ipc://" if has_ipc else "tcp://127.0.0.1:")
        gateway.connect(address)
        gateway.send(b"hello")
        assert host.poll(5000) and host.recv() == b"hello"
    finally:
        host.close(0)
        gateway.close(0)
        context.term()
