"""Aliases: the grammar of each scheme, the key they match by, and the record field."""

from __future__ import annotations

from pathlib import Path

import pytest

from umr.errors import RefError
from umr.spec import Workspace, parse_record, resolve
from umr.spec.aliases import Alias, hf_repo_of_uri


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hf:runwayml/stable-diffusion-v1-5", "hf:runwayml/stable-diffusion-v1-5"),
        ("hf:Laion/CLIP-ViT-B-32-laion2B-s34B-b79K", "hf:laion/clip-vit-b-32-laion2b-s34b-b79k"),
        ("hf:bert-base-uncased", "hf:bert-base-uncased"),
        ("hf:datasets/laion/laion2B-en", "hf:datasets/laion/laion2b-en"),
        ("timm:vit_base_patch16_clip_224.laion2b_ft_in12k_in1k", None),
        ("timm:resnet50", None),
        ("open_clip:ViT-B-32/laion2b_s34b_b79k", None),
        ("open_clip:ViT-B-32/LAION2B-s34b-b79k", "open_clip:ViT-B-32/laion2b_s34b_b79k"),
        (
            "torchhub:FacebookResearch/DINOv2/dinov2_vitb14",
            "torchhub:facebookresearch/dinov2/dinov2_vitb14",
        ),
    ],
)
def test_aliases_parse_and_normalize(text: str, key: str | None) -> None:
    alias = Alias.parse(text)
    assert str(alias) == text
    assert alias.key == (key or text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("runwayml/stable-diffusion-v1-5", "has no known scheme"),
        ("pypi:requests", "has no known scheme"),
        ("hf:org/name/extra", "is not a Hugging Face repo id"),
        ("hf:org/-name", "is not a Hugging Face repo id"),
        ("hf:org/na..me", "is not a Hugging Face repo id"),
        ("hf:" + "x" * 97, "is not a Hugging Face repo id"),
        ("timm:ResNet50", "is not a timm name"),
        ("timm:resnet50.a1.in1k", "is not a timm name"),
        ("open_clip:ViT-B-32", "is not an open_clip pair"),
        ("torchhub:pytorch/vision", "is not a torch.hub entry"),
        ("hf:org/na me", "is not a Hugging Face repo id"),
    ],
)
def test_bad_aliases_say_what_is_expected(text: str, says: str) -> None:
    with pytest.raises(RefError) as err:
        Alias.parse(text)
    assert says in str(err.value)


@pytest.mark.parametrize(
    ("uri", "repo"),
    [
        ("hf://laion/CLIP-ViT-B-32-laion2B-s34B-b79K", "laion/CLIP-ViT-B-32-laion2B-s34B-b79K"),
        ("hf://acme/chat-7b/model.safetensors", "acme/chat-7b"),
        ("hf://datasets/laion/laion2B-en/part-0.parquet", "datasets/laion/laion2B-en"),
        ("hf://acme/chat-7b?revision=main", "acme/chat-7b"),
        ("hf://spaces/acme/demo", None),
        ("hf://solo", None),
        ("https://huggingface.co/acme/chat-7b", None),
    ],
)
def test_hf_repo_of_an_artifact_uri(uri: str, repo: str | None) -> None:
    assert hf_repo_of_uri(uri) == repo


def test_aliases_are_not_inherited(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "umr: 1\nname: base\nversion: 1.0.0\nkind: model\ntitle: Base\naliases: [hf:acme/base]\n"
    )
    (tmp_path / "child.yaml").write_text(
        "umr: 1\nname: child\nversion: 1.0.0\nkind: model\ninherits: base@^1\n"
    )
    ws = Workspace(tmp_path)
    child = resolve(next(r for r in ws.records() if r.name == "child"), ws)
    assert child.data.get("title") == "Base"
    assert "aliases" not in child.data


def test_record_round_trips_aliases() -> None:
    data = {
        "umr": 1,
        "name": "m",
        "version": "1.0.0",
        "kind": "model",
        "aliases": ["hf:acme/m", "timm:m.tag"],
    }
    record = parse_record(data)
    assert [a.key for a in record.aliases or ()] == ["hf:acme/m", "timm:m.tag"]
    assert record.to_dict()["aliases"] == ["hf:acme/m", "timm:m.tag"]
