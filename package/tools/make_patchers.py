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
        "state idle|queued|running|done / error <code> <message> / preview / pong / status ... / host lost|back"
    ),
]


def pd_escape(text: str) -> str:
    return text.replace(",", " \\,").replace(";", " \\;").replace("$", "\\$")


class PdCanvas:
    """A Pd canvas: objects numbered in creation order, connections by those numbers, subpatches nested."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def add(self, kind: str, x: int, y: int, text: str) -> int:
        self.lines.append(f"#X {kind} {x} {y} {pd_escape(text)};")
        self.count += 1
        return self.count - 1

    def comment(self, x: int, y: int, text: str) -> None:
        self.add("text", x, y, text)

    def connect(self, a: int, o: int, b: int, i: int = 0) -> None:
        self.lines.append(f"#X connect {a} {o} {b} {i};")

    def sub(self, x: int, y: int, name: str, child: "PdCanvas") -> int:
        """[pd name]: click it to open the page (Pd's way to what Max shows as tabs)."""
        self.lines += [f"#N canvas 80 80 1000 900 {name} 0;", *child.lines, f"#X restore {x} {y} pd {name};"]
        self.count += 1
        return self.count - 1

    def text(self) -> str:
        return "\n".join(["#N canvas 60 60 1000 900 12;", *self.lines]) + "\n"


# Help pages, the same in Max (tabs) and Pd (subpatches): the settings of each come from the table by category.
LOOP_NOTE = "1 record a phrase  2 bang jukebox~  3 it plays when the left outlet bangs"
PAGES = [
    ("settings", "What and how to generate: every setting of the Generation and Conditioning categories.",
     lambda s: s.category in ("Generation", "Conditioning") and s.name not in ("n_samples", "stream", "chain")),
    ("variations_and_chain", "Several takes at once, audio while it is made, a piece that goes on by itself: "
     "chain appends each link to dst; cancel or chain 0 stops it.",
     lambda s: s.name in ("n_samples", "stream", "chain")),
    ("remote_host", "Which host, starting it, CURVE keys for a host on another machine.",
     lambda s: s.category == "Host"),
]
PAGE_EXTRA = {
    "variations_and_chain": [("variations jbx-var2 jbx-var3", "buffers for variations 2, 3 … (n_samples > 1)"),
                             ("cancel", "stop the job and the chain")],
    "remote_host": ACTIONS[2:],  # ping, status
}


def basic_actions(buffers: str) -> list[tuple[str, str]]:
    """The first page's messages: a job, and the settings that matter first."""
    return [*ACTIONS[:2], ("set jbx-src jbx-dst", f"choose source and destination {buffers}"),
            ("model tiny", "a model the host serves"), ("length 10", "seconds of the result, the phrase included"),
            ("levels 1", "fast, rough: 3 = full quality")]


def page_rows(page: str, keep) -> list[tuple[str, str]]:  # noqa: ANN001 - a predicate on settings
    names = {s.name for s in settings_table.settings() if keep(s)}
    return [row for row in SETTINGS if row[0].split()[0] in names] + PAGE_EXTRA.get(page, [])


def pd_page(rows: list[tuple[str, str]], note: str) -> PdCanvas:
    page = PdCanvas()
    page.comment(20, 10, note)
    jb_y = 50 + len(rows) * 26 + 20
    jb = page.add("obj", 20, jb_y, "jukebox~ jbx-src jbx-dst")
    for i, (msg, doc) in enumerate(rows):
        m = page.add("msg", 20, 50 + i * 26, msg)
        page.comment(300, 50 + i * 26, doc)
        page.connect(m, 0, jb)
    info = page.add("obj", 300, jb_y + 40, "print jukebox-info")
    page.connect(jb, 2, info)
    return page


PLAY_NOTE = ("Play while it is made: with stream 1 each stretch lands in dst as soon as it is final, and "
             "'final <seconds> <rate>' says how much exists and how many seconds the host makes per second. "
             "Playback from the top never catches up with the writing once length - seconds <= length * rate: "
             "it starts then, once per job (20 is the length set here).")
PLAY_JOB = "stream 1, mode ancestral, levels 3, length 20, bang"
PLAY_TEST = "expr $f2 > 0 && 20 - $f1 <= 20 * $f2"  # (length - seconds) / rate <= length, without dividing


def pd_play_page() -> PdCanvas:
    """Starts [tabplay~] as soon as the info outlet's 'final' says it will not catch up with the writing."""
    page = PdCanvas()
    page.comment(20, 10, PLAY_NOTE)
    job = page.add("msg", 20, 70, PLAY_JOB)
    jb = page.add("obj", 20, 110, "jukebox~ jbx-src jbx-dst")
    page.connect(job, 0, jb)
    final = page.add("obj", 20, 150, "route final")
    page.connect(jb, 2, final)
    test = page.add("obj", 20, 180, PLAY_TEST)
    page.connect(final, 0, test)
    gate = page.add("obj", 20, 210, "spigot 1")
    page.connect(test, 0, gate)
    rearm = page.add("msg", 200, 180, "1")
    page.comment(240, 180, "a new job arms it again")
    page.connect(job, 0, rearm)
    page.connect(rearm, 0, gate, 1)
    once = page.add("obj", 20, 240, "sel 1")
    page.connect(gate, 0, once)
    both = page.add("obj", 20, 270, "t b b")
    page.connect(once, 0, both)
    close = page.add("msg", 200, 270, "0")
    page.connect(both, 1, close)
    page.connect(close, 0, gate, 1)
    play = page.add("obj", 20, 300, "tabplay~ jbx-dst")
    page.connect(both, 0, play)
    dac = page.add("obj", 20, 340, "dac~")
    page.connect(play, 0, dac)
    page.connect(play, 0, dac, 1)
    info = page.add("obj", 300, 150, "print jukebox-info")
    page.connect(jb, 2, info)
    return page


def make_pd() -> None:
    main = PdCanvas()
    y = 10
    for t in INTRO:
        main.comment(20, y, t)
        y += 40
    main.comment(20, y, "Pd arrays are mono; Pd's sample rate (sys_getsr) is sent and asked back. "
                        "Relative key paths are taken from the patch's folder.")
    y += 40
    main.comment(20, y, LOOP_NOTE)
    y += 30
    # the loop: record from the input into jbx-src, jukebox~, play jbx-dst
    adc = main.add("obj", 20, y, "adc~")
    rec = main.add("msg", 120, y, "bang")
    main.comment(170, y, "record 10 s")
    write = main.add("obj", 20, y + 30, "tabwrite~ jbx-src")
    main.connect(adc, 0, write)
    main.connect(rec, 0, write)
    actions = basic_actions("arrays")
    msgs = []
    for i, (msg, doc) in enumerate(actions):
        msgs.append(main.add("msg", 20, y + 70 + i * 26, msg))
        main.comment(260, y + 70 + i * 26, doc)
    jb_y = y + 70 + len(actions) * 26 + 10
    jb = main.add("obj", 20, jb_y, "jukebox~ jbx-src jbx-dst")
    for m in msgs:
        main.connect(m, 0, jb)
    play = main.add("obj", 20, jb_y + 40, "tabplay~ jbx-dst")
    prog = main.add("floatatom", 200, jb_y + 40, "8 0 1 0 - - - 0")
    info = main.add("obj", 300, jb_y + 40, "print jukebox-info")
    dac = main.add("obj", 20, jb_y + 80, "dac~")
    main.connect(jb, 0, play)  # plays as soon as dst holds the result
    main.connect(jb, 1, prog)
    main.connect(jb, 2, info)
    main.connect(play, 0, dac)
    main.connect(play, 0, dac, 1)
    main.add("obj", 620, y, "table jbx-src 441000")
    main.add("obj", 620, y + 30, "table jbx-dst")
    main.add("obj", 620, y + 60, "table jbx-var2")
    main.add("obj", 620, y + 90, "table jbx-var3")
    rd = main.add("msg", 620, y + 130, "read -resize input.wav jbx-src")
    sfr = main.add("obj", 620, y + 160, "soundfiler")
    main.connect(rd, 0, sfr)
    wr = main.add("msg", 620, y + 200, "write -wave -bytes 4 result.wav jbx-dst")
    sfw = main.add("obj", 620, y + 230, "soundfiler")
    main.connect(wr, 0, sfw)
    main.comment(620, y + 270, "more, one page each (click to open):")
    for i, (name, note, keep) in enumerate(PAGES):
        main.sub(620, y + 300 + i * 30, name, pd_page(page_rows(name, keep), note))
    main.sub(620, y + 300 + len(PAGES) * 30, "play_while_made", pd_play_page())
    (ROOT / "help" / "jukebox~-help.pd").write_text(main.text())


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

    def patcher(self, showontab: bool = False) -> dict:
        """The patcher dictionary; showontab: a help tab (a subpatcher shown as a tab of its parent)."""
        return {
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
                **({"showontab": 1} if showontab else {}),
            }

    def tab(self, x: int, y: int, name: str, child: "MaxPatch") -> str:
        """A subpatcher [p name] that Max shows as a tab of this help patch."""
        return self.box("newobj", x, y, f"p {name}", w=140, inlets=0, outlets=0, patcher=child.patcher(True))

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"patcher": self.patcher()}, indent=1) + "\n")


JB_OUT = ["bang", "float", ""]


def max_page(rows: list[tuple[str, str]], note: str) -> "MaxPatch":
    page = MaxPatch([60, 60, 1000, 900])
    page.comment(20, 10, note, w=900)
    jb_y = 50 + len(rows) * 24 + 16
    jb = page.obj(20, jb_y, "jukebox~ jbx-src jbx-dst", 1, 3, JB_OUT, w=320)
    for i, (msg, doc) in enumerate(rows):
        m = page.msg(20, 50 + i * 24, msg, w=240)
        page.comment(280, 50 + i * 24, doc, w=680)
        page.connect(m, 0, jb)
    info = page.obj(200, jb_y + 40, "print jukebox-info", 1, 0)
    page.connect(jb, 2, info)
    return page


def max_play_page() -> "MaxPatch":
    """Starts [play~] as soon as the info outlet's 'final' says it will not catch up with the writing."""
    page = MaxPatch([60, 60, 1000, 900])
    page.comment(20, 10, PLAY_NOTE, w=900)
    job = page.msg(20, 70, PLAY_JOB, w=340)
    jb = page.obj(20, 110, "jukebox~ jbx-src jbx-dst", 1, 3, JB_OUT, w=320)
    page.connect(job, 0, jb)
    final = page.obj(20, 150, "route final", 2, 2)
    page.connect(jb, 2, final)
    test = page.obj(20, 180, PLAY_TEST, 2, 1, w=260)
    page.connect(final, 0, test)
    once = page.obj(20, 210, "sel 1", 2, 2, ["bang", ""])
    page.connect(test, 0, once)
    gate = page.obj(20, 240, "onebang", 2, 1, ["bang"])
    page.connect(once, 0, gate)
    page.connect(job, 0, gate, 1)  # a new job arms it again
    page.comment(200, 240, "once per job: a new job arms it again", w=300)
    start = page.msg(20, 270, "start", w=50)
    page.connect(gate, 0, start)
    play = page.obj(20, 300, "play~ jbx-dst", 2, 2, ["signal", "bang"])
    page.connect(start, 0, play)
    dac = page.obj(20, 340, "dac~", 2, 0)
    page.connect(play, 0, dac)
    page.connect(play, 0, dac, 1)
    info = page.obj(360, 150, "print jukebox-info", 1, 0)
    page.connect(jb, 2, info)
    return page


def make_maxhelp() -> None:
    """Tabs: basic (a record -> jukebox~ -> play loop), then one per group of settings."""
    basic = MaxPatch([60, 60, 1000, 900])
    y = 10
    for t in INTRO:
        basic.comment(20, y, t, w=900)
        y += 28
    basic.comment(20, y, "Buffers: all channels of src are sent at src's sample rate; the result is resized into dst "
                         "at dst's rate and channel count.", w=900)
    y += 34
    basic.comment(20, y, LOOP_NOTE, w=600)
    y += 30
    adc = basic.obj(20, y, "adc~ 1", 1, 1, ["signal"])
    rec_on, rec_off = basic.msg(200, y, "1", w=30), basic.msg(240, y, "0", w=30)
    basic.comment(280, y, "record on / off", w=200)
    rec = basic.obj(20, y + 34, "record~ jbx-src", 2, 1, ["signal"])
    basic.connect(adc, 0, rec)
    basic.connect(rec_on, 0, rec)
    basic.connect(rec_off, 0, rec)
    actions = basic_actions("buffer~")
    msgs = []
    for i, (msg, doc) in enumerate(actions):
        msgs.append(basic.msg(20, y + 74 + i * 24, msg))
        basic.comment(200, y + 74 + i * 24, doc)
    jb_y = y + 74 + len(actions) * 24 + 10
    jb = basic.obj(20, jb_y, "jukebox~ jbx-src jbx-dst", 1, 3, JB_OUT, w=320)
    for m in msgs:
        basic.connect(m, 0, jb)
    start = basic.msg(20, jb_y + 40, "start", w=50)
    prog = basic.box("flonum", 120, jb_y + 40, None, w=60, inlets=1, outlets=2, outtypes=["", "bang"])
    info = basic.obj(200, jb_y + 40, "print jukebox-info", 1, 0)
    play = basic.obj(20, jb_y + 74, "play~ jbx-dst", 2, 2, ["signal", "bang"])
    dac = basic.obj(20, jb_y + 110, "dac~", 2, 0)
    basic.connect(jb, 0, start)  # plays as soon as dst holds the result
    basic.connect(jb, 1, prog)
    basic.connect(jb, 2, info)
    basic.connect(start, 0, play)
    basic.connect(play, 0, dac)
    basic.connect(play, 0, dac, 1)
    for i, name in enumerate(("jbx-src 10000", "jbx-dst", "jbx-var2", "jbx-var3")):
        basic.obj(620, y + i * 34, f"buffer~ {name}", 1, 2, ["float", "bang"], w=200)
    help_patch = MaxPatch([60, 60, 1000, 900])
    help_patch.tab(20, 10, "basic", basic)
    for i, (name, note, keep) in enumerate(PAGES):
        help_patch.tab(180 + i * 170, 10, name, max_page(page_rows(name, keep), note))
    help_patch.tab(180 + len(PAGES) * 170, 10, "play_while_made", max_play_page())
    help_patch.write(ROOT / "help" / "jukebox~.maxhelp")


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
