"""The reference UMR layout: identity from the folder, the display name as the title, every
disagreement reported, and the imported set publishing as one batch with its lineage intact.

``fixtures/legacy-quirks`` reproduces the reference repository's layout and its quirks: the
display names of ``bloom-560m`` and ``msr-vtt`` name two other packages, relations name folders
(``gpt4``, ``llama2-13b``, ``vicuna-70k-gpt4``) whose display names differ (``GPT 4``, ...),
an upper-case folder (``MSVD``), ``version: 1.0`` in the metadata and month-only dates.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from formats._lineage import FIXTURES
from umr.cli import app
from umr.formats.importers import read
from umr.registry import Registry

QUIRKS = FIXTURES / "legacy-quirks"


def _source_edges() -> set[tuple[str, str]]:
    """(folder, related folder) for every relation the fixture's files write."""
    out = set()
    for path in QUIRKS.glob("*/*.yaml"):
        mr = yaml.safe_load(path.read_text())["mr"]
        for text in (mr.get("relations") or {}).get("upstream") or ():
            out.add((path.parent.name, text.split(">=")[0]))
    return out


def test_identity_comes_from_the_folder_and_the_display_name_is_the_title() -> None:
    result = read("umr-legacy", QUIRKS)
    by_name = {r["name"]: r for r in result.records}
    assert sorted(by_name) == sorted(p.name.lower() for p in QUIRKS.iterdir())
    assert by_name["bloom-560m"]["title"] == "bloomz-560m"  # kept, and reported below
    assert by_name["msr-vtt"]["title"] == "MSVD" and by_name["msvd"]["title"] == "MSVD"
    assert by_name["llama2-13b"]["title"] == "Llama 2 13B"
    assert by_name["coco"]["released"] == "2014-05" and by_name["gpt4"]["released"] == "2023-03"
    assert by_name["llama2"]["tags"] == ["opensource"]
    assert by_name["llama2-13b"]["extensions"] == {
        "umr-legacy": {"model_type": "Large Language Model"}
    }
    assert by_name["vicuna-13b"]["extensions"] == {
        "umr-legacy": {"upstream": {"intended_use": ["Research on chat assistants."]}}
    }
    assert {e["ref"] for e in by_name["llama-vid"]["upstream"]} == {
        "vicuna-13b",
        "msr-vtt",
        "msvd",
    }


def test_every_disagreement_is_reported() -> None:
    said = "\n".join(read("umr-legacy", QUIRKS).disagreements)
    assert (
        "bloom-560m-1.0.0.yaml: metadata.name 'bloomz-560m' is the name of another package "
        "(bloomz-560m/); this file is package 'bloom-560m'"
    ) in said
    assert "msr-vtt-1.0.0.yaml: metadata.name 'MSVD' is the name of another package (MSVD/)" in said
    assert "gpt4-1.0.0.yaml: metadata.name 'GPT 4' is spelled differently from its folder" in said
    assert "folder 'MSVD' is not a record name; imported as 'msvd'" in said
    assert "vicuna-70k-gpt4-1.0.0.yaml: metadata.name 'Vicuna 70k ChatGPT' differs" in said
    # agreements are not reported: 'BLOOMZ' is bloomz, '1.0' is 1.0.0, 'COCO' is coco
    assert "'BLOOMZ'" not in said and "'1.0'" not in said and "'COCO'" not in said


def test_the_import_publishes_as_one_batch_with_its_lineage(tmp_path: Path) -> None:
    out = tmp_path / "records"
    result = CliRunner().invoke(app, ["import", "umr-legacy", str(QUIRKS), "-w", str(out)])
    assert result.exit_code == 0, result.output
    assert "disagreements in the source (" in result.stdout
    assert len(list(out.glob("*.yaml"))) == len(list(QUIRKS.glob("*/*.yaml")))
    folders = {p.name: p.name.lower() for p in QUIRKS.iterdir()}
    with Registry(f"sqlite:///{tmp_path / 'r.db'}") as reg:
        published = reg.publish([out])  # one transaction: all of them or none
        assert len(published.published) == len(folders)
        locked = {
            (name, lock.name) for name in folders.values() for lock in reg.locks(name, "1.0.0")
        }
    # every relation of the source is a locked edge between the two folders' records
    assert locked == {(folders[a], folders[b]) for a, b in _source_edges()}


def test_names_publishing_would_refuse_are_reported(tmp_path: Path) -> None:
    for folder in ("Foo_Bar", "foo-bar", "thing.json", "fine"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{folder}-1.0.0.yaml").write_text(
            f"mr:\n  type: model\n  metadata:\n    name: {folder}\n"
        )
    refusals = [d for d in read("umr-legacy", tmp_path).disagreements if "will refuse" in d]
    said = "\n".join(refusals)
    assert len(refusals) == 2, said
    assert "name 'thing.json' ends in '.json'" in said
    assert "name 'foo_bar' reads like 'foo-bar'" in said or "'foo-bar' reads like" in said
