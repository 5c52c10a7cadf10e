"""Writes the help and example patches (run from anywhere; commit the output):
  help/jukebox~-help.pd, help/jukebox~.maxhelp,
  package/jukebox~/patchers/jukebox~.example.maxpat
Generated so that every message and attribute appears once, from one list."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import settings_table  # noqa: E402  (a sibling script, not a package)

ROOT = Path(__file__).resolve().parents[2]

# (message, what it does) - the same interface in Max and Pd
ACTIONS = [
    ("bang", "start a job: src -> host -> dst"),
    ("cancel", "cancel the job in flight"),
    ("ping", "is the host alive? -> info: pong <time>"),
    (
        "status",
        "host status -> info: status device .. queue .. running .. mine .. models ..",
    ),
]


def _settings() -> list[tuple[str, str]]:
    """(message, what it does) for every setting of the core's table, a message per choice of a choice."""
    rows = []
    for setting in settings_table.settings():
        values = setting.choices or [setting.example]
        for k, value in enumerate(values):
            rows.append((f"{setting.name} {value}", f"{setting.name}: {setting.help}" if k == 0 else f"... or {value}"))
    return rows


SETTINGS = _settings()
INTRO = [
    "jukebox~ - continue, re-imagine or upsample audio with OpenAI Jukebox",
    "The model runs in a separate process: start it with 'jukebox-host serve' (or autostart 1).",
    (
        "Arguments: source and destination array/buffer~. "
        "Settings are messages (Pd) or attributes (Max); 0 or empty = the host's default."
    ),
    (
        "Outlets: 1 bang when dst holds the result, 2 progress 0..1, 3 info: "
        "state idle|queued|running|done / error <code> <message> / preview / pong / status ..."
    ),
]


def pd_escape(text: str) -> str:
    return text.replace(",", " \\,").replace(";", " \\;")


def make_pd() -> None:
    lines = ["#N canvas 60 60 1000 1000 12;"]
    n = 0

    def add(kind: str, x: int, y: int, text: str) -> int:
        nonlocal n
        lines.append(f"#X {kind} {x} {y} {pd_escape(text)};")
        n += 1
        return n - 1

    def connect(a: int, o: int, b: int, i: int = 0) -> None:
        lines.append(f"#X connect {a} {o} {b} {i};")

    y = 10
    for t in INTRO:
        add("text", 20, y, t)
        y += 40
    add(
        "text",
        20,
        y,
        "Pd arrays are mono; Pd's sample rate (sys_getsr) is sent and asked back. "
        "Relative key paths are taken from the patch's folder.",
    )
    y += 40
    actions = ACTIONS + [("set jbx-src jbx-dst", "choose source and destination arrays"),
                         ("variations jbx-var2 jbx-var3", "arrays for variations 2, 3 … (n_samples > 1)")]
    jb_y = y + len(actions) * 28 + 10 + len(SETTINGS) * 26 + 20  # below the settings
    jb = add("obj", 20, jb_y, "jukebox~ jbx-src jbx-dst")
    for i, (msg, doc) in enumerate(actions):
        m = add("msg", 20, y + i * 28, msg)
        add("text", 260, y + i * 28, doc)
        connect(m, 0, jb)
    y2 = y + 5 * 28 + 10
    for i, (msg, doc) in enumerate(SETTINGS):
        m = add("msg", 20, y2 + i * 26, msg)
        add("text", 260, y2 + i * 26, doc)
        connect(m, 0, jb)
    done = add("obj", 20, jb_y + 40, "print jukebox-done")
    prog = add("floatatom", 180, jb_y + 40, "8 0 1 0 - - - 0")
    info = add("obj", 300, jb_y + 40, "print jukebox-info")
    connect(jb, 0, done)
    connect(jb, 1, prog)
    connect(jb, 2, info)
    src = add("obj", 620, 720, "table jbx-src 44100")
    dst = add("obj", 620, 750, "table jbx-dst")
    rd = add("msg", 620, 640, "read -resize input.wav jbx-src")
    sfr = add("obj", 620, 680, "soundfiler")
    connect(rd, 0, sfr)
    wr = add("msg", 620, 790, "write -wave -bytes 4 result.wav jbx-dst")
    sfw = add("obj", 620, 820, "soundfiler")
    connect(wr, 0, sfw)
    add("text", 620, 600, "load a prompt / save the result:")
    del src, dst
    (ROOT / "help" / "jukebox~-help.pd").write_text("\n".join(lines) + "\n")


class MaxPatch:
    def __init__(self, rect: list[int]) -> None:
        self.boxes, self.lines, self.rect = [], [], rect

    def box(
        self,
        maxclass: str,
        x: int,
        y: int,
        text: str | None,
        w: int = 160,
        inlets: int = 1,
        outlets: int = 0,
        outtypes: list[str] | None = None,
        **extra: object,
    ) -> str:
        bid = f"obj-{len(self.boxes) + 1}"
        b = {
            "id": bid,
            "maxclass": maxclass,
            "patching_rect": [x, y, w, 22],
            "numinlets": inlets,
            "numoutlets": outlets,
        }
        if outlets:
            b["outlettype"] = outtypes or [""] * outlets
        if text is not None:
            b["text"] = text
        b.update(extra)
        self.boxes.append({"box": b})
        return bid

    def comment(self, x: int, y: int, text: str, w: int = 420) -> str:
        return self.box("comment", x, y, text, w=w, inlets=1, outlets=0)

    def msg(self, x: int, y: int, text: str, w: int = 160) -> str:
        return self.box("message", x, y, text, w=w, inlets=2, outlets=1)

    def obj(
        self,
        x: int,
        y: int,
        text: str,
        inlets: int,
        outlets: int,
        outtypes: list[str] | None = None,
        w: int = 160,
    ) -> str:
        return self.box("newobj", x, y, text, w=w, inlets=inlets, outlets=outlets, outtypes=outtypes)

    def connect(self, a: str, o: int, b: str, i: int = 0) -> None:
        self.lines.append({"patchline": {"source": [a, o], "destination": [b, i]}})

    def write(self, path: Path) -> None:
        doc = {
            "patcher": {
                "fileversion": 1,
                "appversion": {
                    "major": 8,
                    "minor": 5,
                    "revision": 0,
                    "architecture": "x64",
                    "modernui": 1,
                },
                "classnamespace": "box",
                "rect": self.rect,
                "bglocked": 0,
                "openinpresentation": 0,
                "default_fontsize": 12.0,
                "default_fontface": 0,
                "default_fontname": "Arial",
                "gridonopen": 1,
                "gridsize": [15.0, 15.0],
                "gridsnaponopen": 1,
                "objectsnaponopen": 1,
                "statusbarvisible": 2,
                "toolbarvisible": 1,
                "boxanimatetime": 200,
                "enablehscroll": 1,
                "enablevscroll": 1,
                "devicewidth": 0.0,
                "description": "",
                "digest": "",
                "tags": "",
                "style": "",
                "subpatcher_template": "",
                "assistshowspatchername": 0,
                "boxes": self.boxes,
                "lines": self.lines,
            }
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=1) + "\n")


JB_OUT = ["bang", "float", ""]


def make_maxhelp() -> None:
    p = MaxPatch([60, 60, 1000, 980])
    y = 10
    for t in INTRO:
        p.comment(20, y, t, w=900)
        y += 28
    p.comment(
        20,
        y,
        "Buffers: all channels of src are sent at src's sample rate; "
        "the result is resized into dst at dst's rate and channel count.",
        w=900,
    )
    y += 40
    actions = ACTIONS + [("set jbx-src jbx-dst", "choose source and destination buffer~"),
                         ("variations jbx-var2 jbx-var3", "buffer~s for variations 2, 3 … (n_samples > 1)")]
    jb_y = y + len(actions) * 26 + 10 + len(SETTINGS) * 24 + 16  # below the settings
    jb = p.obj(20, jb_y, "jukebox~ jbx-src jbx-dst", 1, 3, JB_OUT, w=320)
    for i, (msg, doc) in enumerate(actions):
        m = p.msg(20, y + i * 26, msg)
        p.comment(200, y + i * 26, doc)
        p.connect(m, 0, jb)
    y2 = y + 5 * 26 + 10
    for i, (msg, doc) in enumerate(SETTINGS):
        if msg == "seed 42":
            doc = "fixed seed; seed -1 = random"
        m = p.msg(20, y2 + i * 24, msg)
        p.comment(200, y2 + i * 24, f"attribute {doc}")
        p.connect(m, 0, jb)
    done = p.box("button", 20, jb_y + 40, None, w=24, inlets=1, outlets=1, outtypes=["bang"])
    prog = p.box("flonum", 80, jb_y + 40, None, w=60, inlets=1, outlets=2, outtypes=["", "bang"])
    info = p.obj(200, jb_y + 40, "print jukebox-info", 1, 0)
    p.connect(jb, 0, done)
    p.connect(jb, 1, prog)
    p.connect(jb, 2, info)
    src = p.obj(620, 700, "buffer~ jbx-src 10000", 1, 2, ["float", "bang"], w=200)
    p.obj(620, 740, "buffer~ jbx-dst", 1, 2, ["float", "bang"], w=200)
    rd = p.msg(620, 660, "read")
    p.comment(700, 660, "load a prompt into jbx-src", w=240)
    p.connect(rd, 0, src)
    p.write(ROOT / "help" / "jukebox~.maxhelp")


def make_example() -> None:
    """The seed's workflow: record adc~ into a buffer~, jukebox~, play the result."""
    p = MaxPatch([80, 80, 900, 620])
    p.comment(20, 10, "1. record a prompt  2. bang jukebox~  3. play the continuation", w=600)
    p.comment(
        20,
        34,
        "Start the host first: jukebox-host serve (or keep @autostart 1).",
        w=600,
    )
    adc = p.obj(20, 70, "adc~ 1", 1, 1, ["signal"])
    rec_on = p.msg(200, 70, "1")
    rec_off = p.msg(240, 70, "0")
    rec = p.obj(20, 110, "record~ prompt", 2, 1, ["signal"])
    p.obj(20, 150, "buffer~ prompt 8000 1", 1, 2, ["float", "bang"])
    go = p.box("button", 20, 200, None, w=24, inlets=1, outlets=1, outtypes=["bang"])
    jb = p.obj(
        20,
        240,
        "jukebox~ prompt result @length 20 @levels 1 @autostart 1",
        1,
        3,
        JB_OUT,
        w=420,
    )
    p.obj(20, 150 + 230, "buffer~ result 20000 1", 1, 2, ["float", "bang"])
    prog = p.box("flonum", 160, 280, None, w=60, inlets=1, outlets=2, outtypes=["", "bang"])
    info = p.obj(260, 280, "print jukebox-info", 1, 0)
    start = p.msg(20, 420, "start")
    stop = p.msg(80, 420, "stop")
    play = p.obj(20, 460, "play~ result", 2, 2, ["signal", "bang"])
    p.comment(200, 420, "play~: one shot. groove~: loop from the start on every new result", w=500)
    speed = p.obj(300, 460, "sig~ 1", 1, 1, ["signal"], w=60)
    rewind = p.msg(380, 460, "0", w=30)
    loop = p.msg(420, 460, "loop 1", w=60)
    groove = p.obj(300, 500, "groove~ result", 3, 2, ["signal", "signal"])
    dac = p.obj(20, 540, "dac~", 2, 0)
    p.connect(speed, 0, groove)
    p.connect(rewind, 0, groove)
    p.connect(loop, 0, groove)
    p.connect(jb, 0, rewind)
    p.connect(groove, 0, dac)
    p.connect(groove, 0, dac, 1)
    p.connect(adc, 0, rec)
    p.connect(rec_on, 0, rec)
    p.connect(rec_off, 0, rec)
    p.connect(go, 0, jb)
    p.connect(jb, 0, start)  # play as soon as the result is in
    p.connect(jb, 1, prog)
    p.connect(jb, 2, info)
    p.connect(start, 0, play)
    p.connect(stop, 0, play)
    p.connect(play, 0, dac)
    p.connect(play, 0, dac, 1)
    p.write(ROOT / "package" / "jukebox~" / "patchers" / "jukebox~.example.maxpat")


if __name__ == "__main__":
    make_pd()
    make_maxhelp()
    make_example()
