"""The model allow-list on its own: names the operator gave, folders in a models dir, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from jukebox_host.engine.catalog import ModelCatalog
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError


def _checkpoint(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    return folder


def test_operator_names_and_models_dir_folders_are_served(tmp_path: Path) -> None:
    _checkpoint(tmp_path / "models" / "mine")
    (tmp_path / "models" / "not-a-checkpoint").mkdir()
    catalog = ModelCatalog("tiny", ["openai/jukebox-1b-lyrics"], [str(tmp_path / "models")])
    assert catalog.names() == ["tiny", "openai/jukebox-1b-lyrics", "mine"]
    assert catalog.source("mine") == str(tmp_path / "models" / "mine")
    assert catalog.source("openai/jukebox-1b-lyrics") == "openai/jukebox-1b-lyrics"  # the operator's own id
    _checkpoint(tmp_path / "models" / "added-later")
    assert catalog.source("added-later") == str(tmp_path / "models" / "added-later")


@pytest.mark.parametrize("name", ["openai/jukebox-5b", "{tmp}/elsewhere", "{tmp}/models/mine", "../models/mine",
                                  "mine/", ".", "..", "not-a-checkpoint", ""])
def test_everything_else_is_unknown(tmp_path: Path, name: str) -> None:
    _checkpoint(tmp_path / "models" / "mine")
    _checkpoint(tmp_path / "elsewhere")
    (tmp_path / "models" / "not-a-checkpoint").mkdir()
    catalog = ModelCatalog("tiny", [], [str(tmp_path / "models")])
    with pytest.raises(HostError) as refused:
        catalog.source(name.format(tmp=tmp_path))
    assert refused.value.code == C.ERR_UNKNOWN_MODEL
    assert "it serves tiny, mine" in refused.value.message
