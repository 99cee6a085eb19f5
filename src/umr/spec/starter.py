"""``umr init``: a new workspace with an example record to edit."""

from __future__ import annotations

from pathlib import Path

from umr.errors import UmrError

EXAMPLE = """\
umr: 1
name: my-model
version: 0.1.0
kind: model
title: My Model
summary: One sentence on what this model does and for whom.
publisher: My Team
license: {id: apache-2.0, url: https://www.apache.org/licenses/LICENSE-2.0}
# inherits: base-model@^1      # take the fields you leave out from a base record
upstream: []
#  - {ref: base-model@^1, relation: finetuned_from}
#  - {ref: my-dataset@^1, relation: trained_on}
references:
  - {url: https://example.org/my-model, title: Project page}
"""


def init_workspace(directory: Path) -> list[Path]:
    """Create ``records/``, an example record, a .gitignore and ``.umr/`` (which marks the
    folder as a workspace, read when umr runs in it); never overwrite anything."""
    records = directory / "records"
    example = records / "my-model.yaml"
    ignore = directory / ".gitignore"
    if example.exists():
        raise UmrError(f"{example} already exists", hint="edit it, or choose an empty folder")
    records.mkdir(parents=True, exist_ok=True)
    (directory / ".umr").mkdir(exist_ok=True)
    example.write_text(EXAMPLE, encoding="utf-8")
    created = [example]
    if not ignore.exists():
        ignore.write_text(".umr/\n", encoding="utf-8")
        created.append(ignore)
    return created
