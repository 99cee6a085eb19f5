"""Names cannot impersonate: look-alikes of a registered name, served suffixes and trailing
punctuation are refused for new names, naming what they collide with."""

from __future__ import annotations

import pytest

from registry._helpers import rec
from umr.errors import RecordError
from umr.registry import Registry
from umr.spec.names import SERVED_SUFFIXES, name_key


@pytest.mark.parametrize(
    "lookalike",
    ["llama_2_7b", "llama.2.7b", "llama--2__7b", "11ama-2-7b", "l1ama-2-7b", "llarna-2-7b"],
)
def test_a_lookalike_is_refused_naming_the_registered_name(reg: Registry, lookalike: str) -> None:
    reg.publish([rec("llama-2-7b@1.0.0")])
    with pytest.raises(RecordError, match=f"name '{lookalike}' reads like 'llama-2-7b'") as err:
        reg.publish([rec(f"{lookalike}@1.0.0")])
    assert err.value.problems[0].path == "name"
    assert reg.versions(lookalike) == []
    assert reg.search("llama")[0].name == "llama-2-7b"


@pytest.mark.parametrize(
    "bad", ["llama-2-7b.", "llama-2-7b-", "foo.json", "foo.atom", "foo.html", "x.cdx.json"]
)
def test_trailing_punctuation_and_served_suffixes_are_refused(reg: Registry, bad: str) -> None:
    with pytest.raises(RecordError, match=rf"name '{bad}' ends in"):
        reg.publish([rec(f"{bad}@1.0.0")])


def test_lookalikes_within_one_batch(reg: Registry) -> None:
    with pytest.raises(RecordError, match=r"'clip-vit\.b' reads like 'clip-vit-b', which is also"):
        reg.publish([rec("clip-vit-b@1.0.0"), rec("clip-vit.b@1.0.0")])
    assert reg.names() == []


def test_close_real_names_stay_distinct(reg: Registry) -> None:
    names = [
        "llama-2-7b",
        "llama-2-70b",
        "bloom",
        "bloomz",
        "clip",
        "plip",
        "resnet50.a1_in1k",
        "resnet50.a2_in1k",
        "resnet50.a1h_in1k",
        "resnet50d.a1_in1k",
        "vit_base_patch16_clip_224.laion2b_ft_in12k_in1k",
        "vit_base_patch16_clip_224.laion2b_ft_in12k",
        "vit_base_patch16_clip_224.openai_ft_in12k_in1k",
        "vit_large_patch14_clip_224.laion2b_ft_in12k_in1k",
        "vit-b-32.laion2b_s34b_b79k",
        "vit-b-32.openai",
        "rn50.openai",
        "rn101.openai",
        "convnext_base.fb_in22k_ft_in1k",
        "efficientnet_b0.ra_in1k",
        "efficientnet_b1.ft_in1k",
        "tf_efficientnet_b0.in1k",
    ]
    assert len({name_key(n) for n in names}) == len(names)
    reg.publish([rec(f"{n}@1.0.0") for n in names])
    assert sorted(reg.names()) == sorted(names)
    # a name already registered publishes new versions as before
    reg.publish([rec("llama-2-7b@1.1.0")])


def test_every_format_suffix_is_served() -> None:
    from umr.formats import formats

    for f in formats():
        assert "." + f.suffix.rsplit(".", 1)[-1] in SERVED_SUFFIXES, f.name


def test_registries_from_before_the_rule_migrate(url: str) -> None:
    import sqlalchemy as sa

    from registry._helpers import advisory

    with Registry(url) as reg:
        reg.publish([rec("llama-2-7b@1.0.0")])
        reg.add_advisory(advisory("OLD-1", "llama-2-7b"))
        # the state a registry at schema 5 was in: no keys, no revisions, a look-alike name
        with reg.engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX uq_names_skeleton"))
            conn.execute(sa.text("UPDATE names SET skeleton = NULL"))
            conn.execute(sa.text("DELETE FROM advisory_revisions"))
            conn.execute(sa.text("UPDATE umr_schema SET version = 5"))
        reg.publish([rec("llama_2_7b@1.0.0")])  # (no key: the rule does not see it yet)
        with reg.engine.begin() as conn:
            conn.execute(sa.text("UPDATE names SET skeleton = NULL"))
    with Registry(url) as reg:  # migrates 5 -> latest
        (rev,) = reg.advisory_history("OLD-1")
        assert rev.action == "create" and rev.actor.startswith("unknown")
        assert reg.versions("llama_2_7b")  # the earlier look-alike keeps working...
        with pytest.raises(RecordError, match="reads like 'llama-2-7b'"):
            reg.publish([rec("llama.2.7b@1.0.0")])  # ...and no further one is registered
        reg.publish([rec("llama_2_7b@1.1.0")])
