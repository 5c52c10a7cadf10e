"""mode continue through the wire: a client's last result is extended; with nothing kept, a clear error."""

from __future__ import annotations

import numpy as np
import pytest

from jukebox_host.clients.client import Client, RemoteError, join_link
from jukebox_host.wire import constants as C

TINY = {"model": "tiny", "levels": 1, "out_sample_rate": 44100}


def test_continue_extends_this_clients_last_result(host: object) -> None:
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        first, rate = c.generate(None, None, mode=C.MODE_ANCESTRAL, length=1.0, seed=1, **TINY)
        more, more_rate = c.generate(None, None, mode=C.MODE_CONTINUE, length=0.5, seed=2, **TINY)
    assert rate == more_rate == 44100
    top = 128  # the tiny model's top level: one code is 128 samples
    assert more.shape[1] == first.shape[1] + int(0.5 * rate) // top * top
    # Same codes decode to the same audio, away from the end (the decoder looks a little ahead).
    assert np.allclose(more[:, : first.shape[1] // 2], first[:, : first.shape[1] // 2], atol=1e-5)
    assert not np.allclose(more[:, first.shape[1]:], 0)


def test_continue_with_nothing_kept_says_so(host: object) -> None:
    with Client(host.endpoint, timeout=60) as c, pytest.raises(RemoteError) as refused:  # type: ignore[attr-defined]
        c.generate(None, None, mode=C.MODE_CONTINUE, length=0.5, **TINY)
    assert refused.value.code == C.ERR_BAD_FIELD and "nothing to continue" in refused.value.message


def test_a_chain_of_new_only_links_is_the_piece_continued_whole(host: object) -> None:
    """Each new_only link returns what it adds and the overlap before it; after the first, from a bounded kept
    tail. Joined, the links are the piece continued whole with the same seeds; new_only outside continue is
    refused."""
    top = 128
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        piece, rate = c.generate(None, None, mode=C.MODE_ANCESTRAL, length=1.0, seed=1, **TINY)
        for k in range(3):
            (link,), link_rate, overlap = c.continue_piece(length=0.5, seed=10 + k, **TINY)
            assert link_rate == rate == 44100 and 0 < overlap < link.shape[1]
            assert link.shape[1] - overlap == int(0.5 * rate) // top * top
            piece = join_link(piece, link, overlap)
        with pytest.raises(RemoteError) as refused:
            c.generate(None, None, mode=C.MODE_ANCESTRAL, new_only=True, length=0.5, **TINY)
    assert refused.value.code == C.ERR_BAD_FIELD and "new_only" in refused.value.message
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        c.generate(None, None, mode=C.MODE_ANCESTRAL, length=1.0, seed=1, **TINY)
        for k in range(3):
            whole, _ = c.generate(None, None, mode=C.MODE_CONTINUE, length=0.5, seed=10 + k, **TINY)
    assert piece.shape == whole.shape
    np.testing.assert_allclose(piece, whole, atol=1e-5)


def test_a_chain_link_whose_overlap_would_pass_the_message_limit_is_refused_before_sampling(host: object) -> None:
    """A new_only link carries the overlap it re-makes besides its length: a link asking for the longest length
    one message holds at 384 kHz would come back over the limit, a frame no client can take. It is too_large at
    once, with the longest length that fits, before any token is sampled."""
    rate = 384000
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        c.generate(None, None, mode=C.MODE_ANCESTRAL, length=1.0, seed=1, **TINY)
        (link,), _, overlap = c.continue_piece(length=0.5, seed=2, **{**TINY, "out_sample_rate": rate})
        capacity = (C.MAX_MESSAGE_BYTES - C.MAX_HEADER_BYTES) // 4 / rate  # seconds of mono in one message
        length = round(capacity - overlap / rate / 2, 3)  # fits alone; with the overlap it would not
        rid = c.send(C.TYPE_GENERATE, mode=C.MODE_CONTINUE, new_only=True, length=length, seed=3,
                     **{**TINY, "out_sample_rate": rate})
        replies = []
        while not replies or replies[-1].type not in (C.TYPE_ERROR, C.TYPE_RESULT):
            replies.append(c.receive(60))
            sampling = replies[-1].type == C.TYPE_PROGRESS and replies[-1].header.get("fraction", 0) > 0
            assert not sampling, "it started sampling a result no client could receive"
        if replies[-1].type != C.TYPE_ERROR:
            c.cancel(rid)
    assert all(r.header["id"] == rid for r in replies)
    assert replies[-1].type == C.TYPE_ERROR and replies[-1].header["code"] == C.ERR_TOO_LARGE, replies[-1].header
    assert f"at most {capacity - overlap / rate:.0f} s" in replies[-1].header["message"]
