"""The registry commands through click's CliRunner: output, JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from umr.cli import app
from umr.demo import advisories_dir
from umr.spec.source import iter_yaml_files


@pytest.fixture
def ws(tmp_path: Path, url: str) -> tuple[Path, str]:
    records = tmp_path / "records"
    records.mkdir()
    (records / "corpus.yaml").write_text(
        "umr: 1\nname: corpus-x\nversion: 2.0.0\nkind: dataset\ntitle: Corpus X\n"
    )
    (records / "llama.yaml").write_text(
        "umr: 1\nname: llama-2-7b\nversion: 1.0.0\nkind: model\npublisher: Meta\n"
        "upstream: [{ref: corpus-x@^2, relation: trained_on}]\n"
    )
    (records / "acme.yaml").write_text(
        "umr: 1\nname: acme-chat\nversion: 1.1.0\nkind: model\ninherits: llama-2-7b@^1\n"
        "upstream: [{ref: llama-2-7b@^1, relation: finetuned_from}]\n"
    )
    (tmp_path / "adv.yaml").write_text(
        "id: UMR-2024-0003\nsummary: Corpus X holds personal data\nseverity: high\n"
        "published: 2024-05-01\naffected: [{name: corpus-x, versions: '<3'}]\n"
    )
    return tmp_path, url


def umr(ws: tuple[Path, str], *args: str) -> tuple[int, str, str]:
    root, url = ws
    result = CliRunner().invoke(app, ["--workspace", str(root), "--registry", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_publish_audit_exit_codes(ws: tuple[Path, str]) -> None:
    root = ws[0]
    code, out, _ = umr(ws, "publish", str(root / "records"))
    assert code == 0 and out.splitlines()[-1] == "3 published, 0 unchanged"
    assert umr(ws, "publish", str(root / "records"), "--format", "json")[1].count("unchanged") == 1
    assert umr(ws, "audit", "acme-chat")[0] == 0
    assert umr(ws, "advisory", "add", str(root / "adv.yaml"))[0] == 0
    code, out, _ = umr(ws, "audit", "acme-chat")
    assert code == 1
    assert out.splitlines()[:4] == [
        "UMR-2024-0003 high: Corpus X holds personal data",
        "  affected: corpus-x@2.0.0",
        "  1 route:",
        "    acme-chat@1.1.0 -finetuned_from-> llama-2-7b@1.0.0 -trained_on-> corpus-x@2.0.0",
    ]
    assert umr(ws, "audit", "acme-chat", "--fail-on", "high")[0] == 1
    assert umr(ws, "audit", "acme-chat", "--fail-on", "critical")[0] == 0
    code, out, _ = umr(ws, "audit", "acme-chat", "--format", "json", "--fail-on", "critical")
    assert json.loads(out)["findings"][0]["affected"] == ["corpus-x@2.0.0"]
    code, _, err = umr(ws, "audit", "nope")
    assert code == 2 and "no record named 'nope'" in err
    # route pages are bounded: a far page is refused at once, naming the last one
    code, _, err = umr(ws, "audit", "acme-chat", "--all-paths", "--page", "100000")
    assert code == 2 and "100000 is not in the range 1<=x<=201" in err
    assert umr(ws, "audit", "acme-chat", "--all-paths", "--page", "201")[0] == 1  # no routes there


def test_writes_print_json_and_fix_names_name_at_version(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    (root / "corpus3.yaml").write_text(
        "umr: 1\nname: corpus-x\nversion: 3.0.0\nkind: dataset\ntitle: Corpus X\n"
    )
    umr(ws, "publish", str(root / "corpus3.yaml"))
    code, out, _ = umr(ws, "advisory", "add", str(root / "adv.yaml"), "--format", "json")
    assert code == 0 and json.loads(out) == {"added": ["UMR-2024-0003"]}
    code, _, err = umr(ws, "advisory", "fix", "UMR-2024-0003", "corpus-x")
    assert code == 2 and "'corpus-x' is not NAME@VERSION" in err
    code, out, err = umr(ws, "advisory", "fix", "UMR-2024-0003", "corpus-x@3.0.0", "-f", "x")
    assert code == 2  # -f is no option of fix: nothing recorded
    code, out, err = umr(
        ws, "advisory", "fix", "UMR-2024-0003", "corpus-x@3.0.0", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out) == {"advisory": "UMR-2024-0003", "fixed": "corpus-x@3.0.0"}
    history = json.loads(umr(ws, "advisory", "history", "UMR-2024-0003", "--format", "json")[1])
    # the older spelling still works, with a note that names the new one
    code, out, err = umr(
        ws, "advisory", "fix", "UMR-2024-0003", "--name", "corpus-x", "--version", "3.0.0"
    )
    assert code == 0, err
    assert "--name NAME --version VERSION is deprecated" in err and "NAME@VERSION" in err
    assert "corpus-x@3.0.0 recorded as fixed" in out
    again = json.loads(umr(ws, "advisory", "history", "UMR-2024-0003", "--format", "json")[1])
    assert len(again) == len(history)  # the same fix again is no new revision
    code, out, _ = umr(ws, "yank", "acme-chat@1.1.0", "--reason", "bad weights", "--format", "json")
    assert code == 0 and json.loads(out) == {"yanked": "acme-chat@1.1.0", "reason": "bad weights"}
    code, out, _ = umr(
        ws, "advisory", "withdraw", "UMR-2024-0003", "--reason", "re-checked", "--format", "json"
    )
    assert code == 0 and json.loads(out)["withdrawn"] == "UMR-2024-0003"
    assert json.loads(out)["reason"] == "re-checked"


def test_immutability_and_yank(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    (root / "records" / "corpus.yaml").write_text(
        "umr: 1\nname: corpus-x\nversion: 2.0.0\nkind: dataset\ntitle: Other\n"
    )
    code, _, err = umr(ws, "publish", str(root / "records"))
    assert code == 2 and "already published with different content" in err and "umr bump" in err
    code, out, _ = umr(ws, "yank", "corpus-x@2.0.0", "--reason", "pulled")
    assert code == 0 and out.strip() == "yanked corpus-x@2.0.0: pulled"


def test_lineage_impact_search_advisories(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    umr(ws, "advisory", "add", str(root / "adv.yaml"))
    _, out, _ = umr(
        ws, "lineage", "acme-chat", "--relation", "finetuned_from", "--relation", "trained_on"
    )
    assert out.splitlines()[1] == "  -finetuned_from-> llama-2-7b@1.0.0 [model]"
    _, out, _ = umr(ws, "lineage", "corpus-x", "--down", "--format", "json")
    data = json.loads(out)
    assert [(r["name"], r["version"]) for r in data["hits"]] == [
        ("llama-2-7b", "1.0.0"),
        ("acme-chat", "1.1.0"),
    ]
    assert "digraph" in umr(ws, "lineage", "acme-chat", "--format", "dot")[1]
    _code, out, _ = umr(ws, "impact", "corpus-x@<3")
    assert "acme-chat@1.1.0 -finetuned_from-> llama-2-7b@1.0.0 -trained_on-> corpus-x@2.0.0" in out
    assert (
        json.loads(umr(ws, "impact", "corpus-x", "--format", "json")[1])["hits"][0]["name"]
        == "llama-2-7b"
    )
    assert umr(ws, "search", "corpus")[1].startswith("corpus-x@2.0.0 [dataset]")
    assert json.loads(umr(ws, "search", "meta", "--format", "json")[1])[0]["publisher"] == "Meta"
    assert umr(ws, "advisory", "list", "--name", "corpus-x")[1].startswith("UMR-2024-0003 [high]")
    assert (
        json.loads(umr(ws, "advisory", "show", "UMR-2024-0003", "--format", "json")[1])["severity"]
        == "high"
    )


def test_show_falls_back_to_the_registry(ws: tuple[Path, str], tmp_path: Path) -> None:
    umr(ws, "publish", str(ws[0] / "records"))
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    result = CliRunner().invoke(
        app,
        [
            "--workspace",
            str(empty),
            "--registry",
            ws[1],
            "show",
            "acme-chat",
            "--resolved",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["publisher"] == "Meta"


def test_demo_load_is_idempotent(url: str, tmp_path: Path) -> None:
    run = CliRunner().invoke
    first = run(app, ["--workspace", str(tmp_path), "demo", "load", "--registry", url])
    assert first.exit_code == 0, first.stderr
    shipped = len(list(iter_yaml_files(advisories_dir())))  # the demo grows; count what ships
    assert f"0 unchanged, {shipped} advisories" in first.stdout
    again = run(app, ["--workspace", str(tmp_path), "demo", "load", "--registry", url])
    assert again.stdout.startswith("0 record(s) published")
    code = run(
        app, ["--registry", url, "audit", "stable-diffusion-v1-5", "--fail-on", "critical"]
    ).exit_code
    assert code == 1


def test_reading_commands_never_create_a_registry(tmp_path: Path) -> None:
    typo = tmp_path / "regsitry.db"
    for args in (
        ["audit", "x"],
        ["lineage", "x"],
        ["impact", "x"],
        ["versions", "x"],
        ["search", "x"],
        ["advisory", "list"],
        ["serve"],
        ["site", str(tmp_path / "out")],
    ):
        result = CliRunner().invoke(
            app, ["--workspace", str(tmp_path), "--registry", f"sqlite:///{typo}", *args]
        )
        assert result.exit_code == 2, (args, result.output)
        assert f"no registry at 'sqlite:///{typo}'" in result.stderr, args
        assert "umr publish FILE" in result.stderr
        assert not typo.exists(), args


def test_did_you_mean_names_fields_relations_and_commands(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    code, _, err = umr(ws, "audit", "corpusx")
    assert code == 2 and "no record named 'corpusx'" in err and "did you mean 'corpus-x'?" in err
    code, _, err = umr(ws, "versions", "lama-2-7b")
    assert code == 2 and "did you mean 'llama-2-7b'?" in err
    _, out, _ = umr(ws, "search", "corpux")
    assert out.strip() == "nothing matches 'corpux'; did you mean 'corpus-x'?"
    # an advisory for a name nobody published would reach nothing: refused, unless forced
    (root / "typo.yaml").write_text(
        "id: T-1\nsummary: s\nseverity: high\naffected: [{name: corpusx, versions: '*'}]\n"
    )
    code, _, err = umr(ws, "advisory", "add", str(root / "typo.yaml"))
    assert code == 2
    assert "no published record is named 'corpusx' (did you mean 'corpus-x'?)" in err
    assert "--force" in err
    assert umr(ws, "advisory", "list")[1].strip() == "no advisories"
    assert umr(ws, "advisory", "add", str(root / "typo.yaml"), "--force")[0] == 0
    # fields and relations in a record, and commands
    (root / "bad.yaml").write_text(
        "umr: 1\nname: b\nversion: 1.0.0\nkind: model\ntitel: B\n"
        "upstream: [{ref: corpus-x, relation: trainedon}]\n"
    )
    _, _, err = umr(ws, "validate", str(root / "bad.yaml"))
    assert "unknown field 'titel'; did you mean 'title'?" in err
    assert "(got 'trainedon'); did you mean 'trained_on'?" in err
    code, _, err = umr(ws, "publsh", "x")
    assert code == 2 and "Did you mean 'publish'?" in err


def test_versions_lists_marks(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    (root / "v3.yaml").write_text("umr: 1\nname: corpus-x\nversion: 3.0.0\nkind: dataset\n")
    (root / "rc.yaml").write_text("umr: 1\nname: corpus-x\nversion: 4.0.0-rc.1\nkind: dataset\n")
    umr(ws, "publish", str(root / "v3.yaml"), str(root / "rc.yaml"))
    (root / "adv.yaml").write_text(
        "id: A-1\nsummary: s\nseverity: high\naffected: [{name: corpus-x, versions: '<3'}]\n"
        "fixed: [{name: corpus-x, version: 3.0.0}]\n"
    )
    umr(ws, "advisory", "add", str(root / "adv.yaml"))
    umr(ws, "yank", "corpus-x@2.0.0", "--reason", "pulled")
    _, out, _ = umr(ws, "versions", "corpus-x")
    assert out.splitlines() == [
        "corpus-x@4.0.0-rc.1",
        "corpus-x@3.0.0       latest; fixed for A-1",
        "corpus-x@2.0.0       yanked (pulled); affected by A-1; superseded by corpus-x@3.0.0",
    ]
    _, out, _ = umr(ws, "versions", "acme-chat")
    assert out.strip() == "acme-chat@1.1.0  latest; reached by A-1"
    data = json.loads(umr(ws, "versions", "corpus-x", "--format", "json")[1])
    assert data["latest"] == "3.0.0"  # a prerelease is not latest while a release is live
    assert data["versions"][2]["superseded_by"] == "corpus-x@3.0.0"


def test_lineage_down_names_the_other_versions(ws: tuple[Path, str]) -> None:
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    (root / "v3.yaml").write_text("umr: 1\nname: corpus-x\nversion: 3.0.0\nkind: dataset\n")
    umr(ws, "publish", str(root / "v3.yaml"))
    _, out, _ = umr(ws, "lineage", "corpus-x", "--down")
    assert out.splitlines() == [
        "corpus-x@3.0.0",
        "  (nothing downstream)",
        "(this is corpus-x@3.0.0; other versions have downstream records too: corpus-x@2.0.0 "
        "(2); 'umr impact corpus-x' covers every version)",
    ]


def test_bump_diff_and_show_against_the_published_record(ws: tuple[Path, str]) -> None:
    """A published file edited in place: publish refuses it, bump compares it with the
    published record and proposes the next free version, diff and show say what they read."""
    root = ws[0]
    umr(ws, "publish", str(root / "records"))
    corpus = root / "records" / "corpus.yaml"
    corpus.write_text(corpus.read_text().replace("Corpus X", "Corpus X, cleaned"))
    code, _, err = umr(ws, "publish", str(corpus))
    assert code == 2 and f"run 'umr bump {corpus} --write'" in err
    code, out, _ = umr(ws, "bump", str(corpus))
    assert code == 1
    assert "patch change from the published 2.0.0 (published versions are immutable)" in out
    assert "next version 2.0.1" in out
    code, out, err = umr(ws, "diff", "corpus-x@2.0.0", str(corpus))
    assert out.splitlines()[-1] == "no changes"  # the workspace file shadows the record...
    assert "the workspace's corpus-x@2.0.0 differs from the published one" in err  # ...loudly
    code, out, _ = umr(ws, "diff", "corpus-x@2.0.0", str(corpus), "--source", "registry")
    lines = out.splitlines()
    assert lines[0].startswith("--- corpus-x@2.0.0 (registry ") and "cleaned" in lines[-1]
    _, out, err = umr(ws, "show", "corpus-x@2.0.0", "--source", "registry")
    assert "title: Corpus X\n" in out and err.startswith("# corpus-x@2.0.0 from registry")
    assert umr(ws, "bump", str(corpus), "--write")[0] == 0
    code, out, _ = umr(ws, "publish", str(corpus))
    assert code == 0 and "published corpus-x@2.0.1" in out


def test_the_last_route_page_does_not_offer_one_past_it(
    ws: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from umr._commands import registry as commands

    root = ws[0]
    lines = ["umr: 1\nname: d0\nversion: 1.0.0\nkind: dataset\n"]
    node = "d0"
    for i in range(6):  # six diamonds: 64 routes from the top to d0
        a, b, top = f"n{3 * i + 1}", f"n{3 * i + 2}", f"n{3 * i + 3}"
        for side in (a, b):
            lines.append(
                f"umr: 1\nname: {side}\nversion: 1.0.0\nkind: model\n"
                f"upstream: [{{ref: {node}@^1, relation: trained_on}}]\n"
            )
        lines.append(
            f"umr: 1\nname: {top}\nversion: 1.0.0\nkind: model\nupstream: "
            f"[{{ref: {a}@^1, relation: merged_from}}, {{ref: {b}@^1, relation: merged_from}}]\n"
        )
        node = top
    chain = root / "chain"
    chain.mkdir()
    for i, text in enumerate(lines):
        (chain / f"r{i}.yaml").write_text(text)
    (root / "d0.yaml").write_text(
        "id: UMR-2024-0009\nsummary: d0 is poisoned\nseverity: high\n"
        "published: 2024-05-01\naffected: [{name: d0, versions: '*'}]\n"
    )
    assert umr(ws, "publish", str(chain))[0] == 0
    assert umr(ws, "advisory", "add", str(root / "d0.yaml"))[0] == 0
    code, out, _ = umr(ws, "audit", "n18", "--all-paths", "--page", "1")
    assert code == 1 and "more routes: add --page 2" in out
    monkeypatch.setattr(commands, "MAX_ROUTE_PAGE", 1)  # as if page 1 were the last allowed
    code, out, _ = umr(ws, "audit", "n18", "--all-paths", "--page", "1")
    assert "--page 2" not in out and "more routes past the first 50 are not listed" in out


def test_list_options_refuse_an_empty_value_and_count_a_repeat_once(
    ws: tuple[Path, str],
) -> None:
    import click

    from umr._commands._common import repeatable

    code, _, err = umr(ws, "demo", "load", "--with", ",")
    assert code == 2 and "',' names nothing" in err
    param = click.Option(["--with"], multiple=True)
    assert repeatable(click.Context(click.Command("x")), param, ("timm", "hf", "timm")) == [
        "timm",
        "hf",
    ]


def test_a_relation_no_edge_has_and_a_bad_fix_name_are_located_errors(
    ws: tuple[Path, str],
) -> None:
    root = ws[0]
    assert umr(ws, "publish", str(root / "records"))[0] == 0
    assert umr(ws, "advisory", "add", str(root / "adv.yaml"))[0] == 0
    code, _, err = umr(ws, "lineage", "acme-chat", "--relation", "traind_on")
    assert code != 0 and "relation 'traind_on' is not an edge relation" in err
    assert "trained_on" in err  # the hint lists the relations
    code, _, err = umr(ws, "advisory", "fix", "UMR-2024-0003", "Acme-Chat@1.1.0")
    assert code not in (0, 70) and "not a slug" in err and "try 'acme-chat'" in err
