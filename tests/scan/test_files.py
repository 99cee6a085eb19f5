"""Notebooks, config files, [tool.umr] and the walk: every reference located, bad files listed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from umr.scan import extract
from umr.scan.files import MAX_FILE_BYTES

FIXTURE = Path(__file__).parent / "fixtures" / "project"


def _where(report: object) -> list[tuple[str, int, str]]:
    return sorted(
        (Path(r.location.path).name, r.location.line, r.text)
        for r in report.unknown  # type: ignore[attr-defined]
    )


def test_fixture_project_every_literal_with_its_line() -> None:
    report = extract([FIXTURE])
    assert report.files == 5 and report.skipped == []
    assert _where(report) == [
        ("embed.py", 5, "all-MiniLM-L6-v2"),
        ("embed.py", 6, "facebookresearch/dinov2/dinov2_vitb14"),
        ("embed.py", 7, "laion/laion2B-en"),
        ("finetune.yaml", 2, "CompVis/stable-diffusion-v1-4"),
        ("finetune.yaml", 3, "lambdalabs/naruto-blip-captions"),
        ("generate.py", 16, "runwayml/stable-diffusion-v1-5"),
        ("generate.py", 21, "vit_base_patch16_clip_224.laion2b_ft_in12k_in1k"),
        ("generate.py", 25, "ViT-B-32/laion2b_s34b_b79k"),
        ("generate.py", 30, "distilbert-base-uncased-finetuned-sst-2-english"),
        ("pyproject.toml", 7, "hf:openai/clip-vit-large-patch14"),
        ("pyproject.toml", 7, "timm:resnet50.a1_in1k"),
        ("tagging.ipynb", 27, "ViT-H-14/laion2b_s32b_b79k"),
        ("tagging.ipynb", 39, "vinid/plip"),
    ]
    (dynamic,) = report.unresolved
    assert str(dynamic) == (
        f"unresolved reference at {FIXTURE / 'src/app/generate.py'}:35: "
        "from_pretrained(os.environ['SD_CHECKPOINT'])"
    )
    cells = {r.text: r.location.cell for r in report.unknown if r.location.cell}
    assert cells == {"ViT-H-14/laion2b_s32b_b79k": 3, "vinid/plip": 4}


def test_a_notebook_cell_that_does_not_parse_is_named(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "code", "source": ["from transformers import AutoModel\n"]},
        {"cell_type": "code", "source": ["AutoModel.from_pretrained('a/b'\n"]},
    ]
    (tmp_path / "broken.ipynb").write_text(json.dumps({"cells": cells}, indent=1))
    (tmp_path / "not-a-notebook.ipynb").write_text("[1, 2]")
    report = extract([tmp_path])
    assert sorted(why for _, why in report.skipped) == [
        "cell 2: does not parse as Python ('(' was never closed)",
        "not a Jupyter notebook (JSON with 'cells')",
    ]


def test_config_keys_at_any_depth_in_yaml_json_and_toml(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "model:\n  base_model: mistralai/Mistral-7B-v0.1\n  output: ./out\n"
        "datasets:\n  - dataset_name: tatsu-lab/alpaca\n  - dataset_name: ./local/data\n"
    )
    (tmp_path / "b.json").write_text(
        '{\n  "args": {\n    "model_id": "google/flan-t5-base"\n  }\n}\n'
    )
    (tmp_path / "c.toml").write_text('[train]\nmodel_name_or_path = "gpt2"\n')
    (tmp_path / "d.json").write_text('{"name": "not a model config"}')
    report = extract([tmp_path])
    got = sorted(
        (Path(r.location.path).name, r.location.line, r.kind, r.text) for r in report.unknown
    )
    assert got == [
        ("a.yaml", 2, "model", "mistralai/Mistral-7B-v0.1"),
        ("a.yaml", 5, "dataset", "tatsu-lab/alpaca"),
        ("b.json", 3, "model", "google/flan-t5-base"),
        ("c.toml", 2, "model", "gpt2"),
    ]


def test_tool_umr_lists_aliases_ids_and_records(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.umr]\nmodels = ["timm:resnet50.a1_in1k", "openai/clip-vit-base-patch32"]\n'
        'datasets = ["laion/laion2B-en"]\nrecords = ["llama-2-7b@^1"]\n'
    )
    keys = sorted(k for r in extract([tmp_path]).unknown for k in r.keys)
    assert keys == [
        "hf:datasets/laion/laion2b-en",
        "hf:openai/clip-vit-base-patch32",
        "record:llama-2-7b@^1",
        "timm:resnet50.a1_in1k",
    ]
    (tmp_path / "pyproject.toml").write_text('[tool.umr]\nmodels = ["pypi:requests"]\n')
    ((path, why),) = extract([tmp_path]).skipped
    assert path.endswith("pyproject.toml")
    assert why.startswith("[tool.umr] models: alias 'pypi:requests' has no known scheme")


def test_what_is_not_read_is_listed(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text("x = 1\n" * (MAX_FILE_BYTES // 6 + 1))
    (tmp_path / "latin1.py").write_bytes(b"# caf\xe9\n")
    (tmp_path / "bad.py").write_text("m = AutoModel.from_pretrained('a/b')\ndef f(:\n")
    (tmp_path / "unrelated.py").write_text("def f(:\n")  # names no model API: not parsed
    reasons = {Path(p).name: why for p, why in extract([tmp_path]).skipped}
    assert reasons["bad.py"].startswith("line 2: does not parse as Python")
    assert "unrelated.py" not in reasons
    assert reasons["latin1.py"] == "not UTF-8 (byte 5)"
    assert reasons["big.py"] == f"over {MAX_FILE_BYTES:,} bytes; larger files are not read"


def test_hostile_files_are_listed_within_the_input_limits(tmp_path: Path) -> None:
    """Each of these crashed the scan or grew without bound before the readers were held to
    the input limits: nesting past Python's stack in a notebook or a TOML file, a string that
    doubles at each assignment, a FIFO that blocks a reader."""
    (tmp_path / "deep.ipynb").write_text('{"cells": ' + "[" * 50_000 + "]" * 50_000 + "}")
    (tmp_path / "deep.toml").write_text('model_id = "x"\na = ' + "[" * 50_000 + "]" * 50_000)
    (tmp_path / "pyproject.toml").write_text("[tool.umr]\nmodels = " + "[" * 5_000 + "]" * 5_000)
    doubling = ["from transformers import AutoModel", "A0 = 'x'"]
    doubling += [f"A{i} = A{i - 1} + A{i - 1}" for i in range(1, 64)]
    (tmp_path / "bomb.py").write_text("\n".join([*doubling, "AutoModel.from_pretrained(A63)\n"]))
    (tmp_path / "bidi.ipynb").write_text(
        json.dumps({"cells": [{"cell_type": "code", "source": ["x = 'a\u202eb'\n"]}]})
    )
    os.mkfifo(tmp_path / "pipe.py")
    report = extract([tmp_path])
    reasons = {Path(p).name: why for p, why in report.skipped}
    assert reasons == {
        "deep.ipynb": "does not parse: nested deeper than 64 levels: flatten the data",
        "deep.toml": "nested too deeply to read",
        "pyproject.toml": "nested too deeply to read",
        "bidi.ipynb": "cell 1: contains the bidirectional control U+202E (RIGHT-TO-LEFT "
        "OVERRIDE) at character 7, " + reasons["bidi.ipynb"].split(" at character 7, ", 1)[1],
        "pipe.py": "not a regular file",
    }
    # a name longer than any model id is not one: the call is reported, not evaluated
    (unresolved,) = report.unresolved
    assert (Path(unresolved.location.path).name, unresolved.expression) == ("bomb.py", "A63")


def test_notebook_outputs_may_hold_terminal_escapes_and_sources_may_be_one_string(
    tmp_path: Path,
) -> None:
    cells = [
        {
            "cell_type": "code",
            "source": [
                "import timm\n",
                "m = timm.create_model('resnet50.a1_in1k', pretrained=True)",
            ],
            "outputs": [{"output_type": "error", "traceback": ["\x1b[0;31mValueError\x1b[0m"]}],
        },
        {
            "cell_type": "code",
            "source": "from transformers import AutoModel\nAutoModel.from_pretrained('a/b')\n",
        },
    ]
    (tmp_path / "run.ipynb").write_text(json.dumps({"cells": cells}, indent=1))
    report = extract([tmp_path])
    assert report.skipped == []
    assert [(r.text, r.location.line, r.location.cell) for r in report.unknown] == [
        ("resnet50.a1_in1k", 7, 1),
        ("a/b", 20, 2),  # a source written as one string: the line of that string
    ]


def test_the_walk_skips_environments_and_hidden_folders(tmp_path: Path) -> None:
    code = "from transformers import AutoModel\nAutoModel.from_pretrained('a/b')\n"
    for folder in ("src", ".git", "node_modules", "venv", "src/__pycache__"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "m.py").write_text(code)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    report = extract([tmp_path])
    assert [Path(r.location.path).relative_to(tmp_path).as_posix() for r in report.unknown] == [
        "src/m.py"
    ]
    assert extract([tmp_path / "venv"]).files == 1  # a folder named explicitly is read
