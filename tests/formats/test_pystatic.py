"""The static reader of module-level Python data: what it evaluates, and what it never does."""

from __future__ import annotations

from pathlib import Path

from umr.formats.importers._pystatic import (
    Unknown,
    decorated_functions,
    module_namespace,
)

SOURCE = """
import copy
from .constants import MEAN
from ._registry import generate_default_cfgs, register_model

def _cfg(url='', **kwargs):
    return {'url': url, 'mean': MEAN, 'license': 'apache-2.0', **kwargs}

BASE = dict(a=_cfg(hf_hub='org/a/'), b=_cfg(url='https://x/b.pt', quick_gelu=True))
TABLE = {"M": BASE, "N": {f"t{i}": _cfg(hf_hub=f"org/n{i}") for i in range(2)}}
extra = {}
for k, v in TABLE.items():
    tags = {t: copy.deepcopy(c) for t, c in v.items() if c.get('quick_gelu', False)}
    if tags:
        extra[k + '-quickgelu'] = tags
TABLE.update(extra)
default_cfgs = generate_default_cfgs({
    f"{name}.{tag}": cfg for name, tags in TABLE.items() for tag, cfg in tags.items()
})
NAMES = sorted(k.split(".", 1)[0] for k in default_cfgs)
CHOSEN = 'x' if len(NAMES) > 3 else 'y'

@register_model
def m(pretrained=False): ...
"""


def test_reads_helpers_loops_comprehensions_and_copies() -> None:
    seen: list[dict] = []

    def generate(cfgs: dict) -> dict:
        seen.append(cfgs)
        return cfgs

    ns = module_namespace(SOURCE, "mod.py", {"generate_default_cfgs": generate})
    table = ns["TABLE"]
    assert table["M"]["a"]["url"] == "" and table["M"]["a"]["hf_hub"] == "org/a/"
    assert table["N"]["t1"]["hf_hub"] == "org/n1"
    assert list(table) == ["M", "N", "M-quickgelu"]
    assert table["M-quickgelu"] == {"b": table["M"]["b"]}
    assert table["M-quickgelu"]["b"] is not table["M"]["b"]  # deepcopy made a copy
    assert seen and list(ns["default_cfgs"]) == list(seen[0])
    assert ns["NAMES"] == sorted(["M", "M", "N", "N", "M-quickgelu"])
    assert ns["CHOSEN"] == "x"
    # an imported name is never imported: it stays unknown, and says where it came from
    assert isinstance(table["M"]["a"]["mean"], Unknown)
    assert "mod.py:3 imported name 'MEAN'" in table["M"]["a"]["mean"].why
    assert decorated_functions(SOURCE, "mod.py", "register_model") == ["m"]


def test_never_runs_anything(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = f"""
import os
os.system("touch {marker}")
open("{marker}", "w").write("x")
__import__("os").system("touch {marker}")
class C:
    x = open("{marker}", "w")
value = (lambda: open("{marker}", "w"))()
cfg = {{'url': "".join(["https://", "x"])}}
"""
    ns = module_namespace(source, "evil.py")
    assert not marker.exists()
    assert ns["cfg"] == {"url": "https://x"}
    assert isinstance(ns["C"], Unknown) and isinstance(ns["value"], Unknown)


def test_unknown_spreads_into_what_is_built_from_it() -> None:
    ns = module_namespace(
        "from x import A\nB = A + 'x'\nC = {'k': A}\nD = [A, 1]\nE = f'{A}'\nF = A.lower()\n",
        "m.py",
    )
    assert isinstance(ns["B"], Unknown) and isinstance(ns["E"], Unknown)
    assert isinstance(ns["F"], Unknown)
    assert isinstance(ns["C"]["k"], Unknown) and ns["D"][1] == 1


def test_a_step_budget_bounds_the_work(monkeypatch: object) -> None:
    import umr.formats.importers._pystatic as pystatic

    monkeypatch.setattr(pystatic, "MAX_STEPS", 10_000)  # type: ignore[attr-defined]
    ns = pystatic.module_namespace("x = 0\nfor i in range(1000000):\n    x = x + 1\n", "loop.py")
    assert isinstance(ns["__truncated__"], Unknown)
    assert "stopped after 10,000 steps" in ns["__truncated__"].why


def test_recursion_is_bounded() -> None:
    ns = module_namespace("def f(n):\n    return f(n + 1)\nx = f(0)\n", "r.py")
    assert isinstance(ns["x"], Unknown) and "nested too deep" in ns["x"].why


def test_values_cannot_grow_past_the_size_bound() -> None:
    ns = module_namespace(
        "a = 'x' * 10000000\nb = [0] * 10000000\nc = list(range(10000000))\nd = 'ab' * 3\n",
        "big.py",
    )
    assert all(isinstance(ns[k], Unknown) for k in "abc")
    assert ns["d"] == "ababab"
