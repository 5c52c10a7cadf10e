"""Writes the attribute list of the Max reference page (package/jukebox~/docs/refpages/jukebox~.maxref.xml) from
the core's settings table: one attribute per setting, its type from the setting's kind, its order and category
the table's. The prose below documents each; it declares nothing (a name here that the table lacks, or a
setting without prose, stops the script). Run it after changing the table; check_patchers.py says when stale."""

from __future__ import annotations

import re
import sys
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import settings_table  # noqa: E402  (a sibling script, not a package)

REFPAGE = settings_table.ROOT / "package" / "jukebox~" / "docs" / "refpages" / "jukebox~.maxref.xml"

# name: (digest, description), in the maxref's markup (<m>…</m> for code)
DETAILS: dict[str, tuple[str, str]] = {
    "model": (
        'Model',
        'A model the host serves (its serve --model / --allow-model names, or a folder name in its '
        "--models-dir); empty = the host's default. <m>tiny</m> is a small random model for tests.",
    ),
    "chain": (
        'Continue each result on its own',
        "After a job's result, start a continue job (mode continue, the other attributes as they are) this "
        'many times, one at a time: dst grows by length seconds with each link (the host sends only what a '
        'link adds, and re-makes the last second or so of dst, which it could only decode once the next music'
        ' existed: dst stays, sample for sample, one piece) and the left outlet bangs after each. The host '
        'keeps a bounded tail of each piece, so a chain can run as long as you like, up to an hour of dst '
        '(then it stops with error chain_full; bang with mode continue to go on in a fresh dst). cancel, or '
        'chain 0 before the next link, stops it; an error ends it. 0 = off (the default), at most 1000 links.'
        ' With stream 1 every link streams into dst too.',
    ),
    "stream": (
        'Write the result while it is made',
        "1: the host sends the last level's audio as soon as it is final; each stretch is written into the "
        'destination buffer~ (grown to hold it) and announced as chunk &lt;start&gt; &lt;frames&gt; on the '
        'right outlet, so playback can start long before the job ends, followed by final &lt;seconds&gt; '
        '&lt;rate&gt;: the seconds of final audio so far and how many the host makes per second. Playback from '
        'the top never catches up with the writing once (length - seconds) / rate is at most length (the help '
        'patch starts groove~ then). The left outlet still bangs once, when the whole result is in place.',
    ),
    "mode": (
        'primed, ancestral, upsample or continue',
        'primed: continue the prompt. ancestral: no input audio, conditioning only. upsample: keep the '
        "prompt's top level, re-sample the lower levels. continue: extend this object's last result by length"
        ' seconds from the exact codes the host kept of it (every level, for 30 minutes); no input audio; dst'
        ' receives the whole, longer result.',
    ),
    "length": (
        'Result length (seconds)',
        'Prompt included in primed mode. 0 = host default (10).',
    ),
    "song_length": (
        'Song length (seconds)',
        "Length of the whole song the result is the start of, as OpenAI's sample.py "
        '--total_sample_length_in_seconds: the top level is conditioned on it. At least length; within the '
        "model's range (1b_lyrics from 17.84 s, 5b_lyrics from 23.8 s, 5b from 60 s, all below 600 s). 0 = "
        'host default (240, or length when longer).',
    ),
    "prompt": (
        'Prompt length (seconds)',
        '0 = the whole input.',
    ),
    "levels": (
        'Levels (1-3)',
        '1 = top level only, fast; 3 = full quality. 0 = host default (1).',
    ),
    "temperature": (
        'Sampling temperature',
        '(0, 2]; 0 = host default (0.98).',
    ),
    "hop_fraction": (
        'Window hop',
        "(0, 1], for every level; 0 = the model's own (OpenAI's: 0.5 bottom, 0.5 middle, 0.125 top).",
    ),
    "n_samples": (
        'Variations',
        'Sampled as one batch. The first goes into the destination buffer~, the others into the buffer~s '
        'named by the variations message (unnamed ones are dropped with a warning); the left outlet bangs '
        'once, when all are written. 0 = host default (1).',
    ),
    "seed": (
        'Random seed',
        '-1 = random.',
    ),
    "artist": (
        'Artist',
        'Must be known to the model; unknown names give <m>error unknown_artist</m> with close matches.',
    ),
    "genre": (
        'Genre',
        'Must be known to the model.',
    ),
    "lyrics": (
        'Lyrics',
        'Top-level lyrics conditioning, at most 4096 characters.',
    ),
    "preview": (
        'Preview first',
        'With levels &gt; 1, a top-level preview is written to the destination first and <m>preview</m> is '
        'sent on the right outlet; the final result replaces it.',
    ),
    "host": (
        'Host endpoint',
        'ZeroMQ endpoint of <m>jukebox-host serve</m>; default tcp://127.0.0.1:5557.',
    ),
    "autostart": (
        'Start the host',
        'When on and the host does not answer within a second, runs <m>&lt;hostcmd&gt; serve --endpoint '
        "&lt;host&gt;</m> (output in the temporary folder's jukebox-host-autostart.log) and waits up to 60 s "
        'for it. The host keeps running after Max quits.',
    ),
    "timeout": (
        'Host timeout (seconds)',
        'A request fails with <m>error timeout host not responding at ...</m> when the host is silent this '
        'long (it is pinged every second). Default 5.',
    ),
    "server_key": (
        "CURVE: the host's public key file",
        "The host's <m>.key</m> file, as written by <m>jukebox-host keygen FOLDER server</m>. A host bound to"
        ' anything but 127.0.0.1 requires CURVE authentication: set both <m>server_key</m> and '
        '<m>client_key</m> (CURVE is on while both are set; empty = off). A missing file or one without a key'
        ' is reported on the console and as <m>error bad_setting</m>. A host that refuses the keys (a client '
        'key not in its <m>--curve-allow</m> folder, keys on one side only, or the wrong host key) is reported '
        'at once as <m>error refused</m> with the reason; the next request dials again, so a key allowed '
        'meanwhile is served.',
    ),
    "client_key": (
        "CURVE: this client's secret key file",
        "This client's <m>.key_secret</m> file (from <m>jukebox-host keygen FOLDER NAME</m>); its public "
        "<m>NAME.key</m> goes into the host's <m>--curve-allow</m> folder. Absolute paths; Max-style paths "
        '(Disk:/...) are converted. The secret key is kept in memory only while the object exists.',
    ),
    "hostcmd": (
        'The command autostart runs',
        'Default <m>jukebox-host</m>, found on PATH. Max started from the Dock or the Start menu does not see'
        " your shell's PATH: give the full path of the virtual environment's command, e.g. "
        '<m>/Users/me/jukebox/.venv/bin/jukebox-host</m> or '
        '<m>C:\\\\jukebox\\\\.venv\\\\Scripts\\\\jukebox-host.exe</m>. Several words are allowed (<m>python3 -m '
        'jukebox_host</m>); on Windows it is started without a shell.',
    ),
}

def attribute_list() -> str:
    rows = settings_table.settings()
    names = {s.name for s in rows}
    stray, missing = set(DETAILS) - names, names - set(DETAILS)
    if stray or missing:
        raise SystemExit(f"make_maxref: prose for no setting {sorted(stray)}, settings without prose {sorted(missing)}")
    lines = ["\t<attributelist>"]
    for s in rows:
        digest, description = DETAILS[s.name]
        lines.append(f'\t\t<attribute name="{s.name}" get="1" set="1" type="{s.max_type}" size="1">'
                     f"<digest>{digest}</digest><description>{description} "
                     f"Category: {escape(s.category)}.</description></attribute>")
    lines.append("\t</attributelist>")
    return "\n".join(lines)


def render(page: str) -> str:
    """The page with its attribute list made anew."""
    new, count = re.subn(r"\t<attributelist>.*?</attributelist>", lambda _m: attribute_list(), page, flags=re.S)
    if count != 1:
        raise SystemExit("make_maxref: the page has no <attributelist> to replace")
    return new


if __name__ == "__main__":
    REFPAGE.write_text(render(REFPAGE.read_text()))
