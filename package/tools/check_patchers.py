"""Checks the committed help/example patches: up to date with make_patchers.py,
valid Max JSON, and every message/attribute documented in both help files
and the reference page."""

import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import make_maxref  # noqa: E402
import make_patchers as mp  # noqa: E402
import settings_table  # noqa: E402

ROOT = mp.ROOT
NAMES = ["bang", "cancel", "set", "status", "ping", "variations"] + [s.name for s in settings_table.settings()]
FILES = [
    ROOT / "help" / "jukebox~-help.pd",
    ROOT / "help" / "jukebox~.maxhelp",
    ROOT / "package" / "jukebox~" / "patchers" / "jukebox~.example.maxpat",
]
failures = []

# regenerate into a temporary root and compare
with tempfile.TemporaryDirectory() as tmp:
    mp.ROOT = Path(tmp)
    (mp.ROOT / "help").mkdir()
    mp.make_pd()
    mp.make_maxhelp()
    mp.make_example()
    for f in FILES:
        fresh = mp.ROOT / f.relative_to(ROOT)
        if fresh.read_text() != f.read_text():
            failures.append(f"{f} is stale: run python3 package/tools/make_patchers.py")
    mp.ROOT = ROOT

for f in FILES[1:]:
    doc = json.loads(f.read_text())
    def check_lines(patcher: dict, f: Path = f) -> None:
        """Every patchline joins boxes of its own patcher (each help tab is one)."""
        ids = {b["box"]["id"] for b in patcher["boxes"]}
        for line in patcher["lines"]:
            pl = line["patchline"]
            if pl["source"][0] not in ids or pl["destination"][0] not in ids:
                failures.append(f"{f}: dangling patchline {pl}")
        for b in patcher["boxes"]:
            if "patcher" in b["box"]:
                check_lines(b["box"]["patcher"], f)

    check_lines(doc["patcher"])
    def boxes(patcher: dict) -> list[dict]:
        """Every box, those of subpatchers (help tabs) included."""
        found = []
        for b in patcher["boxes"]:
            found.append(b["box"])
            if "patcher" in b["box"]:
                found += boxes(b["box"]["patcher"])
        return found

    if not any("jukebox~" in b.get("text", "") for b in boxes(doc["patcher"])):
        failures.append(f"{f}: no jukebox~ object")

ref = make_maxref.REFPAGE.read_text()
if make_maxref.render(ref) != ref:
    failures.append(f"{make_maxref.REFPAGE} is stale: run python3 package/tools/make_maxref.py")
for name in NAMES:
    for f in FILES[:2]:
        if not re.search(rf"(^|[ \";]){re.escape(name)}\b", f.read_text(), re.MULTILINE):
            failures.append(f"{f.name}: '{name}' not shown")
    if f'name="{name}"' not in ref:
        failures.append(f"maxref: '{name}' not documented")

print("\n".join(failures) or "patchers OK")
sys.exit(1 if failures else 0)
