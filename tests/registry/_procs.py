"""Child processes for the concurrency and crash tests (run as a script, not collected).

python _procs.py publish URL WORKER COUNT BATCH   # COUNT distinct records, BATCH per call
python _procs.py race URL TITLE START_FILE        # publish race@1.0.0 once START_FILE exists
python _procs.py crash URL COUNT MARKER           # a COUNT batch that stops after its inserts
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from umr.errors import ConflictError
from umr.registry import Registry
from umr.spec import Record


def record(name: str, title: str = "", upstream: str | None = "shared-data@^1") -> Record:
    data: dict[str, object] = {
        "umr": 1,
        "name": name,
        "version": "1.0.0",
        "kind": "model",
        "title": title or name,
    }
    if upstream:
        data["upstream"] = [{"ref": upstream, "relation": "trained_on"}]
    return Record.from_dict(data)


def main(argv: list[str]) -> int:
    cmd, url = argv[0], argv[1]
    if cmd == "publish":
        worker, count, batch = int(argv[2]), int(argv[3]), int(argv[4])
        records = [record(f"w{worker}-r{i}", f"Worker {worker} record {i}") for i in range(count)]
        with Registry(url) as reg:
            for i in range(0, count, batch):
                reg.publish(records[i : i + batch])
        return 0
    if cmd == "race":
        title, start = argv[2], Path(argv[3])
        with Registry(url) as reg:
            while not start.exists():
                time.sleep(0.001)
            try:
                reg.publish([record("race", title, upstream=None)])
            except ConflictError as exc:
                print(exc.message)
                return 3
        return 0
    if cmd == "crash":
        import umr.registry.publish as publish

        count, marker = int(argv[2]), Path(argv[3])

        def stall(*_: object) -> None:  # every row is inserted, nothing committed yet
            marker.write_text("inserted")
            time.sleep(600)

        publish.refresh_latest = stall  # type: ignore[assignment]
        with Registry(url) as reg:
            reg.publish([record(f"crash-{i}", upstream="shared-data@^1") for i in range(count)])
        return 0
    raise SystemExit(f"unknown command {cmd!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
