"""Protocol v1: decoding and validating client messages, encoding host messages.

Everything here is pure (no sockets): frames in, dicts/arrays out, HostError on anything wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import msgpack
import numpy as np

from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError
from jukebox_host.wire.generate_fields import DEFAULT_SONG_SECONDS, FIELDS, read_integer, read_text

Frames = list[bytes | memoryview]  # PCM frames as received (zero-copy views) or built


def pack(header: dict[str, Any]) -> bytes:
    return msgpack.packb(header, use_bin_type=True)


def message(kind: str, request_id: int, **fields: Any) -> dict[str, Any]:
    """A host → client header."""
    return {"v": C.PROTOCOL_VERSION, "type": kind, "id": request_id, **fields}


def error_header(request_id: int, code: str, text: str) -> dict[str, Any]:
    return message(C.TYPE_ERROR, request_id, code=code, message=text)


def unpack_header(frame: bytes | memoryview) -> dict[str, Any]:
    """Decode frame 0. Limits are applied before msgpack allocates anything big."""
    if len(frame) > C.MAX_HEADER_BYTES:
        raise HostError(C.ERR_BAD_MESSAGE, f"header frame is {len(frame)} bytes; the limit is {C.MAX_HEADER_BYTES}")
    try:
        header = msgpack.unpackb(
            frame,
            raw=False,
            strict_map_key=True,
            max_str_len=C.MAX_HEADER_BYTES,
            max_bin_len=C.MAX_HEADER_BYTES,
            max_array_len=1024,
            max_map_len=256,
            max_ext_len=0,
        )
    except Exception as exc:  # msgpack raises many types for hostile input
        raise HostError(C.ERR_BAD_MESSAGE, f"header frame is not valid msgpack ({type(exc).__name__})") from None
    if not isinstance(header, dict):
        raise HostError(C.ERR_BAD_MESSAGE, "header frame must be a msgpack map")
    return header


def check_message_size(frames: Frames) -> None:
    """A message is at most MAX_MESSAGE_BYTES, all frames together (libzmq bounds each frame only)."""
    total = sum(len(frame) for frame in frames)
    if total > C.MAX_MESSAGE_BYTES:
        raise HostError(C.ERR_TOO_LARGE, f"message is {total} bytes; the limit is {C.MAX_MESSAGE_BYTES}")


def request_id_of(header: dict[str, Any]) -> int:
    rid = header.get("id", 0)
    if isinstance(rid, bool) or not isinstance(rid, int) or rid < 0 or rid >= 2**63:
        return 0
    return rid


def check_envelope(header: dict[str, Any]) -> str:
    """Check version, type and id; return the type."""
    version = header.get("v")
    if isinstance(version, bool) or not isinstance(version, int) or version != C.PROTOCOL_VERSION:
        raise HostError(
            C.ERR_BAD_VERSION, f"protocol version {version!r} is not supported; this host speaks v{C.PROTOCOL_VERSION}"
        )
    rid = header.get("id")
    if isinstance(rid, bool) or not isinstance(rid, int) or rid < 0 or rid >= 2**63:
        raise HostError(C.ERR_BAD_FIELD, f"'id' must be an integer from 0 to 2^63-1 ({2**63 - 1})")
    kind = header.get("type")
    if not isinstance(kind, str) or kind not in C.CLIENT_TYPES:
        raise HostError(C.ERR_UNKNOWN_TYPE, f"unknown message type {kind!r}; expected one of {sorted(C.CLIENT_TYPES)}")
    return kind


# ---- field readers (generate_fields.py holds their kinds) -------------------------------------------

def model_name(header: dict[str, Any], default: str) -> str:
    name = FIELDS["model"].read(header, default)
    if not name:
        raise HostError(C.ERR_BAD_FIELD, "'model' must not be empty")
    return name


def client_name(header: dict[str, Any]) -> str:
    return read_text(header, "client", "")


# ---- PCM ------------------------------------------------------------------------------------------------

def pcm_shape(header: dict[str, Any], pcm: Frames, check_sizes: bool = True) -> tuple[int, int]:
    """(channels, frames) as the header says, checked against the PCM frames that came."""
    channels = read_integer(header, "channels", 0, 0, C.MAX_CHANNELS)
    frames = read_integer(header, "frames", 0, 0, 2**40)
    assert channels is not None and frames is not None
    if len(pcm) != channels:
        raise HostError(C.ERR_BAD_AUDIO, f"header says {channels} channel frame(s) but {len(pcm)} followed")
    if check_sizes:
        check_frame_sizes(pcm, frames)
    return channels, frames


def check_frame_sizes(pcm: Frames, frames: int) -> None:
    for index, frame in enumerate(pcm):
        if len(frame) != frames * 4:
            raise HostError(
                C.ERR_BAD_AUDIO,
                f"PCM frame {index} is {len(frame)} bytes; {frames} float32 samples need {frames * 4}",
            )


def echo_reply(header: dict[str, Any], pcm: Frames) -> dict[str, Any]:
    """The `echo` answer's header; the same PCM frames go back with it."""
    channels, frames = pcm_shape(header, pcm)
    return message(C.TYPE_ECHO, header["id"], channels=channels, frames=frames)


def read_pcm(header: dict[str, Any], pcm: Frames, allow_empty: bool) -> tuple[np.ndarray, int]:
    """Frames → (channels, frames) float32 array and its sample rate. Checks counts, sizes, NaN/inf, limits."""
    channels, frames = pcm_shape(header, pcm, check_sizes=False)  # limits first: they say more
    if channels == 0:
        if not allow_empty:
            raise HostError(C.ERR_BAD_AUDIO, "this mode needs prompt audio: send at least one PCM frame")
        return np.zeros((0, 0), dtype=np.float32), 0
    rate = read_integer(header, "sample_rate", None, C.MIN_SAMPLE_RATE, C.MAX_SAMPLE_RATE)
    if rate is None:
        raise HostError(C.ERR_BAD_FIELD, "'sample_rate' is required when audio is sent")
    if frames == 0:
        raise HostError(C.ERR_BAD_AUDIO, "the audio is empty (0 frames)")
    if frames > C.MAX_INPUT_SECONDS * rate:
        raise HostError(
            C.ERR_TOO_LARGE, f"input is {frames / rate:.1f} s; the limit is {C.MAX_INPUT_SECONDS} s"
        )
    check_frame_sizes(pcm, frames)
    audio = np.stack([np.frombuffer(frame, dtype="<f4") for frame in pcm]).astype(np.float32)
    if not np.isfinite(audio).all():
        raise HostError(C.ERR_BAD_AUDIO, "the audio contains NaN or infinite samples")
    return audio, rate


def variation_frames(variations: list[np.ndarray]) -> Frames:
    """Each variation's PCM frames in turn (variation-major), as `result` and `chunk` carry them."""
    return [frame for audio in variations for frame in pcm_frames(np.asarray(audio))]


def pcm_frames(audio: np.ndarray) -> Frames:
    """(channels, frames) → one little-endian float32 frame per channel (views, no copy when already float32)."""
    return [memoryview(np.ascontiguousarray(channel, dtype="<f4")).cast("B") for channel in audio]


# ---- generate -------------------------------------------------------------------------------------------

@dataclass
class GenerateRequest:
    mode: str
    model: str
    length: float
    song_length: float
    prompt: float | None
    levels: int
    temperature: float
    hop_fraction: tuple[float, float, float] | None  # per protocol level: bottom, middle, top; None: the model's
    n_samples: int
    seed: int | None
    artist: str
    genre: str
    lyrics: str
    out_sample_rate: int
    out_channels: int
    preview: bool
    audio: np.ndarray = field(repr=False)
    stream: bool = False
    new_only: bool = False  # continue: the result is only what the continuation adds
    sample_rate: int = 0


def check_result_fits(length: float, out_rate: int, out_channels: int, variations: int = 1,
                      extra: float = 0.0) -> None:
    """A result travels as one message, every variation in it: it must be one a client can receive. extra:
    seconds the result carries besides `length` (a chain link's overlap), not the client's to choose."""
    result_bytes = math.ceil((length + extra) * out_rate) * out_channels * variations * 4
    if result_bytes > C.MAX_MESSAGE_BYTES - C.MAX_HEADER_BYTES:
        longest = (C.MAX_MESSAGE_BYTES - C.MAX_HEADER_BYTES) // (out_channels * variations * 4) / out_rate - extra
        raise HostError(C.ERR_TOO_LARGE, f"the result would be {result_bytes / 2**20:.0f} MiB, more than one message "
                                         f"may carry ({C.MAX_MESSAGE_BYTES // 2**20} MiB): at {out_rate} Hz, "
                                         f"{out_channels} channel(s) and {variations} variation(s) ask for at most "
                                         f"{longest:.0f} s, or a lower out_sample_rate, fewer out_channels or "
                                         f"fewer n_samples")


def read_generate(header: dict[str, Any], pcm: Frames, default_model: str) -> GenerateRequest:
    """Each field checked as generate_fields.py declares it, then the checks that join fields."""
    mode = FIELDS["mode"].read(header)
    without_audio = mode in (C.MODE_ANCESTRAL, C.MODE_CONTINUE)  # audio sent anyway is not used
    audio, rate = read_pcm(header, pcm, allow_empty=without_audio)
    in_seconds = audio.shape[1] / rate if rate else 0.0
    length = FIELDS["length"].read(header)
    prompt = FIELDS["prompt"].read(header)
    if prompt is not None and not without_audio and prompt > in_seconds + 1e-9:
        raise HostError(C.ERR_BAD_FIELD, f"'prompt' is {prompt} s but only {in_seconds:.3f} s of audio was sent")
    if mode == C.MODE_PRIMED:
        used = prompt if prompt is not None else in_seconds
        if used >= length:
            raise HostError(
                C.ERR_BAD_FIELD,
                f"'length' ({length} s) must be longer than the prompt ({used:.3f} s): it is the total length",
            )
    # An upsampled result is as long as its input, whatever 'length' says.
    # A continued one is longer than 'length' (what it adds): the host checks it again when it knows how much.
    result_seconds = (prompt if prompt is not None else in_seconds) if mode == C.MODE_UPSAMPLE else length
    song_length = FIELDS["song_length"].read(header, max(DEFAULT_SONG_SECONDS, result_seconds))
    if song_length < result_seconds:
        raise HostError(C.ERR_BAD_FIELD, f"'song_length' ({song_length} s) must be at least the result's length "
                                         f"({result_seconds:g} s): it is the length of the whole song the result "
                                         f"is the start of")
    n_samples = FIELDS["n_samples"].read(header)
    out_rate = FIELDS["out_sample_rate"].read(header, rate or 44100)
    out_channels = FIELDS["out_channels"].read(header, audio.shape[0] or 1)
    check_result_fits(result_seconds, out_rate, out_channels, n_samples)
    new_only = FIELDS["new_only"].read(header)
    if new_only and mode != C.MODE_CONTINUE:
        raise HostError(C.ERR_BAD_FIELD, "'new_only' is for mode continue")
    return GenerateRequest(
        mode=mode,
        model=model_name(header, default_model),
        length=length,
        song_length=song_length,
        prompt=prompt,
        levels=FIELDS["levels"].read(header),
        temperature=FIELDS["temperature"].read(header),
        hop_fraction=FIELDS["hop_fraction"].read(header),
        n_samples=n_samples,
        seed=FIELDS["seed"].read(header),
        artist=FIELDS["artist"].read(header),
        genre=FIELDS["genre"].read(header),
        lyrics=FIELDS["lyrics"].read(header),
        out_sample_rate=out_rate,
        out_channels=out_channels,
        preview=FIELDS["preview"].read(header),
        audio=audio,
        stream=FIELDS["stream"].read(header),
        new_only=new_only,
        sample_rate=rate,
    )


def read_cancel_target(header: dict[str, Any]) -> int:
    target = read_integer(header, "target", None, 0, 2**63 - 1)
    if target is None:
        raise HostError(C.ERR_BAD_FIELD, "'target' (the id of the job to cancel) is required")
    return target
