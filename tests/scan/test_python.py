"""References in Python source: which calls count, how names are followed, what stays unresolved."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from umr.scan.python import may_reference, scan_source
from umr.scan.refs import Reference, Unresolved


def _scan(source: str) -> list[Reference | Unresolved]:
    return list(scan_source(textwrap.dedent(source), "m.py"))


def _refs(source: str) -> list[tuple[int, str, tuple[str, ...]]]:
    return [(r.location.line, r.api, r.keys) for r in _scan(source) if isinstance(r, Reference)]


def _unresolved(source: str) -> list[str]:
    return [str(u) for u in _scan(source) if isinstance(u, Unresolved)]


@pytest.mark.parametrize(
    ("source", "want"),
    [
        (
            "from transformers import AutoModel\nAutoModel.from_pretrained('Org/Model')\n",
            [(2, "from_pretrained", ("hf:org/model",))],
        ),
        (  # any class's from_pretrained, the name as a keyword
            "import peft\n"
            "peft.PeftModel.from_pretrained(base, pretrained_model_name_or_path='a/b')\n",
            [(2, "from_pretrained", ("hf:a/b",))],
        ),
        (
            "from transformers import pipeline as p\np('fill-mask', 'bert-base-uncased')\n",
            [(2, "pipeline", ("hf:bert-base-uncased",))],
        ),
        (
            "import huggingface_hub as h\nh.snapshot_download(repo_id='laion/laion2B-en', "
            "repo_type='dataset')\nh.hf_hub_download('a/space', 'app.py', repo_type='space')\n",
            [(2, "snapshot_download", ("hf:datasets/laion/laion2b-en",))],
        ),
        (
            "from sentence_transformers import SentenceTransformer as ST\nST('all-MiniLM-L6-v2')\n",
            [
                (
                    2,
                    "SentenceTransformer",
                    ("hf:sentence-transformers/all-minilm-l6-v2", "hf:all-minilm-l6-v2"),
                )
            ],
        ),
        (  # only pretrained=True loads weights
            "import timm\ntimm.create_model('resnet50', pretrained=True)\n"
            "timm.create_model('resnet50')\ntimm.create_model('resnet18', pretrained=False)\n"
            "timm.create_model('hf-hub:timm/vit_small_patch16_224.augreg_in21k',\n"
            "                  pretrained=True)\n",
            [
                (2, "timm.create_model", ("timm:resnet50",)),
                (5, "timm.create_model", ("hf:timm/vit_small_patch16_224.augreg_in21k",)),
            ],
        ),
        (
            "from open_clip import create_model_from_pretrained\n"
            "create_model_from_pretrained('hf-hub:laion/CLIP-ViT-g-14-laion2B-s12B-b42K')\n"
            "create_model_from_pretrained('ViT/B-32', pretrained='LAION2B-s34b-b79k')\n"
            "create_model_from_pretrained('ViT-B-32')\n",
            [
                (
                    2,
                    "open_clip.create_model_from_pretrained",
                    ("hf:laion/clip-vit-g-14-laion2b-s12b-b42k",),
                ),
                (
                    3,
                    "open_clip.create_model_from_pretrained",
                    ("open_clip:ViT-B-32/laion2b_s34b_b79k",),
                ),
            ],
        ),
        (
            "import torch\ntorch.hub.load('facebookresearch/dinov2:main', 'dinov2_vits14')\n"
            "torch.hub.load('./local/repo', 'entry', source='local')\n",
            [(2, "torch.hub.load", ("torchhub:facebookresearch/dinov2/dinov2_vits14",))],
        ),
        (  # builders that read local files name no dataset; paths are not ids
            "from datasets import load_dataset\nload_dataset('imdb')\nload_dataset('csv', "
            "data_files='a.csv')\nload_dataset('./data/local')\n",
            [(2, "load_dataset", ("hf:datasets/imdb",))],
        ),
        (  # a function of the same name from another library is not a model load
            "from mylib import create_model, load_dataset\n"
            "create_model('resnet50', pretrained=True)\nload_dataset('imdb')\n",
            [],
        ),
    ],
)
def test_calls_that_load_weights_or_data(
    source: str, want: list[tuple[int, str, tuple[str, ...]]]
) -> None:
    assert _refs(source) == want
    assert may_reference(source) or not want  # the text filter never hides a reference


def test_constants_f_strings_and_sums_are_followed() -> None:
    source = """
    from transformers import AutoModel
    ORG = "meta-llama"
    SIZE = "7b"
    NAME = f"{ORG}/Llama-2-{SIZE}-hf"
    BASE, CHAT = "bert-base-uncased", ORG + "/Llama-2-7b-chat-hf"

    def load():
        local = "distilbert-base-uncased"
        AutoModel.from_pretrained(NAME)
        AutoModel.from_pretrained(CHAT)
        AutoModel.from_pretrained(local)
        return AutoModel.from_pretrained(BASE)
    """
    assert [keys for _, _, keys in _refs(source)] == [
        ("hf:meta-llama/llama-2-7b-hf",),
        ("hf:meta-llama/llama-2-7b-chat-hf",),
        ("hf:distilbert-base-uncased",),
        ("hf:bert-base-uncased",),
    ]


def test_anything_dynamic_is_reported_with_its_source_text() -> None:
    source = """
    import os, sys
    from transformers import AutoModel, pipeline
    from config import MODEL

    NAME = "a/b"
    NAME = "c/d"  # assigned twice: which one runs is not static

    def load(name, size="7b"):
        AutoModel.from_pretrained(name)
        AutoModel.from_pretrained(f"meta-llama/Llama-2-{size}-hf")
        for candidate in ["x/y", "z/w"]:
            AutoModel.from_pretrained(candidate)

    AutoModel.from_pretrained(os.environ["MODEL"])
    AutoModel.from_pretrained(MODEL)
    AutoModel.from_pretrained(NAME)
    AutoModel.from_pretrained(sys.argv[1].strip())
    pipeline("sentiment-analysis")
    """
    assert _unresolved(source) == [
        "unresolved reference at m.py:10: from_pretrained(name)",
        "unresolved reference at m.py:11: from_pretrained(f'meta-llama/Llama-2-{size}-hf')",
        "unresolved reference at m.py:13: from_pretrained(candidate)",
        "unresolved reference at m.py:15: from_pretrained(os.environ['MODEL'])",
        "unresolved reference at m.py:16: from_pretrained(MODEL)",
        "unresolved reference at m.py:17: from_pretrained(NAME)",
        "unresolved reference at m.py:18: from_pretrained(sys.argv[1].strip())",
        "unresolved reference at m.py:19: pipeline(task 'sentiment-analysis')",
    ]
    assert _refs(source) == []


def test_columns_point_at_the_call() -> None:
    (ref,) = _scan("from transformers import AutoModel\nx = AutoModel.from_pretrained('a/b')\n")
    assert (ref.location.line, ref.location.column) == (2, 5)


def test_nothing_is_imported_or_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = f"import os\nos.system('touch {marker}')\nopen('{marker}', 'w')\n"
    assert _scan(source) == []
    assert not marker.exists()


def test_splats_and_missing_names_are_unresolved_never_dropped() -> None:
    """An argument that *args or **kwargs may hold, a call with no name, and a literal that is
    no well-formed name are each listed at file:line; a literal **{...} is read."""
    source = """\
        from transformers import AutoModel, pipeline
        import timm, open_clip, datasets
        opts = ["org/one"]
        cfg = {"pretrained_model_name_or_path": "org/two"}
        AutoModel.from_pretrained(*opts)
        AutoModel.from_pretrained(**cfg)
        AutoModel.from_pretrained(**{"pretrained_model_name_or_path": "Org/Three"})
        AutoModel.from_pretrained()
        pipeline("fill-mask", **cfg)
        timm.create_model(*opts)
        timm.create_model("VIT_BASE.LAION2B", pretrained=True)
        open_clip.create_model(**cfg)
        datasets.load_dataset()
        AutoModel.from_pretrained(**{**cfg})
    """
    assert _refs(source) == [(7, "from_pretrained", ("hf:org/three",))]
    assert _unresolved(source) == [
        "unresolved reference at m.py:5: from_pretrained(*opts)",
        "unresolved reference at m.py:6: from_pretrained(**cfg)",
        "unresolved reference at m.py:8: from_pretrained(no name argument)",
        "unresolved reference at m.py:9: pipeline(**cfg)",
        "unresolved reference at m.py:10: timm.create_model(*opts)",
        "unresolved reference at m.py:11: timm.create_model('VIT_BASE.LAION2B' (not a "
        "well-formed name))",
        "unresolved reference at m.py:12: open_clip.create_model(**cfg, **cfg)",
        "unresolved reference at m.py:13: load_dataset(no name argument)",
        "unresolved reference at m.py:14: from_pretrained(**cfg)",
    ]
