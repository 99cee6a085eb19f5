"""What model-zoo weight tags say about training data, and the dataset records they need.

timm tags (``laion2b_ft_in12k_in1k``) and open_clip tags (``laion2b_s34b_b79k``) are words
joined by ``_``. Each word, or run of words, is one of:

- **data**: a dataset the weights were trained on (``in1k``, ``laion2b``, ``commonpool_m_clip``);
- **stage**: ``ft`` (or ``finetuned``) separates pretraining from the fine-tuning stages after it;
- **label**: a documented word that names no data (a recipe such as ``augreg`` or ``a1``, a
  source such as ``tv`` for torchvision, samples seen ``s34b``, batch size ``b79k``, epochs,
  resolution);

and any other word is reported as not interpreted; nothing is guessed. The datasets that the
demo registry does not hold ship here as sourced records (``zoo_datasets/*.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from umr.spec.yamlio import load_yaml

DATASETS_DIR = Path(__file__).parent / "zoo_datasets"

# word runs -> (record ref, what the words say); longest runs are tried first
_DATA: dict[tuple[str, ...], tuple[str, str]] = {
    ("in1k",): ("imagenet-1k@^1", "ImageNet-1k"),
    ("in12k",): ("imagenet-12k@^1", "ImageNet-12k"),
    ("in21k",): ("imagenet-21k@^1", "ImageNet-21k"),
    ("in22k",): ("imagenet-21k@^1", "ImageNet-22k (the same release as ImageNet-21k)"),
    ("laion2b",): ("laion-2b-en@^1", "LAION-2B-en"),
    ("laion400m",): ("laion-400m@^1", "LAION-400M"),
    ("laion5b",): ("laion-5b@^1", "LAION-5B"),
    ("laiona",): ("laion-aesthetic@^1", "LAION-A"),
    ("laion", "aesthetic"): ("laion-aesthetic@^1", "LAION-A"),
    ("openai",): ("openai-webimagetext@^1", "OpenAI's CLIP training data (WIT)"),
    ("datacomp1b",): ("datacomp-1b@^1", "DataComp-1B"),
    ("datacompxl",): ("datacomp-1b@^1", "DataComp-1B (the xlarge track)"),
    ("datacomp", "xl"): ("datacomp-1b@^1", "DataComp-1B (the xlarge track)"),
    ("datacomp", "l"): ("datacomp-1b@^1", "a 140M subset of DataComp-1B (large track)"),
    ("datacomp", "m"): ("datacomp-1b@^1", "a 14M subset of DataComp-1B (medium track)"),
    ("datacomp", "s"): ("datacomp-1b@^1", "a 1.4M subset of DataComp-1B (small track)"),
    ("dfn2b",): ("dfn-2b@^1", "DFN-2B"),
    ("dfn5b",): ("dfn-5b@^1", "DFN-5B"),
    ("metaclip", "400m"): ("metaclip-400m@^1", "MetaCLIP 400M"),
    ("metaclip", "2pt5b"): ("metaclip-2.5b@^1", "MetaCLIP 2.5B"),
    ("metaclip", "fullcc"): ("metaclip-2.5b@^1", "MetaCLIP 2.5B (full Common Crawl)"),
    ("metaclip2", "worldwide"): ("metaclip-2-worldwide@^1", "Meta CLIP 2 worldwide data"),
    ("webli",): ("webli@^1", "WebLI"),
    ("yfcc15m",): ("yfcc-15m@^1", "YFCC-15M"),
    ("yfcc100m",): ("yfcc-100m@^1", "YFCC100M"),
    ("cc12m",): ("conceptual-12m@^1", "Conceptual 12M"),
    ("merged2b",): ("merged-2b@^1", "Merged-2B"),
    ("lvd142m",): ("lvd-142m@^1", "LVD-142M"),
    ("lvd1689m",): ("lvd-1689m@^1", "LVD-1689M"),
    ("ns", "jft"): ("jft-300m@^1", "JFT-300M, unlabeled (Noisy Student)"),
    ("swsl", "ig1b"): ("ig-1b-targeted@^1", "IG-1B-Targeted (semi-weakly supervised)"),
    ("ssl", "yfcc100m"): ("yfcc-100m@^1", "YFCC100M (semi-supervised)"),
}
for _scale in ("s", "m", "l", "xl"):
    for _filter in ("", "basic", "clip", "image", "laion", "text"):
        _words = ("commonpool", _scale, *((_filter,) if _filter else ()))
        _how = f"filtered by {_filter}" if _filter else "unfiltered"
        _DATA[_words] = ("commonpool@^1", f"CommonPool, {_scale.upper()} scale, {_how}")
_LONGEST = max(len(k) for k in _DATA)
_STAGES = {"ft", "finetuned"}
# words that name no data, with what they mean (from timm's and open_clip's documentation)
_LABELS = {
    "augreg": "augmentation and regularization recipe (How to train your ViT)",
    "augreg2": "augmentation and regularization recipe, second run",
    "ra": "RandAugment recipe",
    "ra2": "RandAugment recipe 2",
    "ra3": "RandAugment recipe 3",
    "ra4": "RandAugment recipe 4",
    "a1": "ResNet strikes back recipe A1",
    "a1h": "ResNet strikes back recipe A1, higher resolution",
    "a2": "ResNet strikes back recipe A2",
    "a3": "ResNet strikes back recipe A3",
    "tv": "torchvision weights",
    "tv2": "torchvision weights, second recipe",
    "tf": "ported from TensorFlow",
    "fb": "Meta (Facebook) weights",
    "goog": "Google weights",
    "ms": "Microsoft weights",
    "msft": "Microsoft weights",
    "apple": "Apple weights",
    "nv": "NVIDIA weights",
    "naver": "NAVER weights",
    "sail": "Sea AI Lab weights",
    "paddle": "ported from PaddlePaddle",
    "gluon": "ported from GluonCV",
    "pycls": "ported from pycls",
    "orig": "the original release",
    "dist": "distilled from a teacher",
    "distilled": "distilled from a teacher",
    "clip": "trained as a CLIP image tower",
    "mim": "masked image modelling pretraining",
    "mae": "masked autoencoder pretraining",
    "fcmae": "fully convolutional masked autoencoder pretraining",
    "dino": "DINO self-supervised pretraining",
    "frozen": "one tower kept frozen (LiT)",
    "soup": "weights averaged over runs",
    "quickgelu": "QuickGELU activation",
}
_LABEL_PATTERNS = (
    (re.compile(r"s\d+[mbk]?"), "samples seen"),
    (re.compile(r"b\d+k"), "global batch size"),
    (re.compile(r"e\d+|\d+e|\d+ep"), "epochs"),
    (re.compile(r"r\d+|\d{3,4}"), "image resolution"),
)


@dataclass(frozen=True, kw_only=True)
class Reading:
    """What one tag says: data per stage (stage 0 is pretraining), labels, unread words."""

    data: tuple[tuple[int, str, str, str], ...] = ()  # (stage, ref, word run, meaning)
    labels: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()


def read_tag(tag: str) -> Reading:
    words = [w for w in tag.lower().replace("-", "_").split("_") if w]
    data: list[tuple[int, str, str, str]] = []
    labels: list[str] = []
    unread: list[str] = []
    stage, i = 0, 0
    before_finetuned: list[tuple[int, str, str, str]] = []
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            run = tuple(words[i : i + size])
            if run in _DATA:
                ref, meaning = _DATA[run]
                data.append((stage, ref, "_".join(run), meaning))
                i += size
                break
        else:
            word = words[i]
            i += 1
            if word == "finetuned":  # open_clip: 'mscoco_finetuned_laion2b': data before it
                before_finetuned, data = data, []  # is the fine-tuning of what follows
            elif word in _STAGES:
                stage += 1
            elif word in _LABELS or any(p.fullmatch(word) for p, _ in _LABEL_PATTERNS):
                labels.append(word)
            else:
                unread.append(word)
    if before_finetuned:
        last = max((s for s, *_ in data), default=0)
        data += [(last + 1, ref, run, meaning) for _, ref, run, meaning in before_finetuned]
    return Reading(data=tuple(data), labels=tuple(labels), unread=tuple(unread))


def training_edges(reading: Reading) -> list[dict[str, Any]]:
    """One ``trained_on`` edge per dataset, its note naming every stage the tag gives it."""
    stages: dict[str, list[str]] = {}
    fine_tunes = max((s for s, *_ in reading.data), default=0)
    for stage, ref, run, _ in reading.data:
        when = "pretraining" if stage == 0 else "fine-tuning"
        if stage and fine_tunes > 1:
            when += f" stage {stage}"
        stages.setdefault(ref, []).append(f"{when} (tag part {run!r})")
    return [
        {"ref": ref, "relation": "trained_on", "note": "; ".join(notes)}
        for ref, notes in stages.items()
    ]


def family_record(name: str, title: str, summary: str, url: str, tags: list[str]) -> dict[str, Any]:
    """The family record a zoo's weights are ``member_of``."""
    return {
        "umr": 1,
        "name": name,
        "version": "1.0.0",
        "kind": "family",
        "title": title,
        "summary": summary,
        "references": [{"url": url}],
        "tags": tags,
    }


@cache
def _dataset_records() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(DATASETS_DIR.glob("*.yaml")):
        data, _ = load_yaml(path.read_bytes(), source=str(path))
        out[data["name"]] = data
    return out


def datasets_for(refs: Iterable[str]) -> list[dict[str, Any]]:
    """The shipped dataset records that ``refs`` (and their own upstream) name, once each."""
    records = _dataset_records()
    wanted: list[str] = []
    queue = [r.partition("@")[0] for r in refs]
    while queue:
        name = queue.pop()
        if name in records and name not in wanted:
            wanted.append(name)
            queue += [e["ref"].partition("@")[0] for e in records[name].get("upstream") or ()]
    return [dict(records[n]) for n in sorted(wanted)]


@dataclass(kw_only=True)
class Unread:
    """Tag words no rule interprets: word -> the tags that use it."""

    words: dict[str, list[str]] = field(default_factory=dict)

    def add(self, tag: str, reading: Reading) -> None:
        for word in reading.unread:
            self.words.setdefault(word, []).append(tag)

    def report(self, source: str) -> list[str]:
        lines = []
        for word, tags in sorted(self.words.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = ", ".join(tags[:3]) + (f" and {len(tags) - 3} more" if len(tags) > 3 else "")
            lines.append(
                f"{source}: tag part {word!r} is not interpreted (in {len(tags)} tag(s): {shown})"
            )
        return lines
