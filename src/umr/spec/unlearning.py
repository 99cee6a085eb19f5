"""Evidence of an unlearning that needs no oracle: ``extensions.unlearning.evidence``.

A model owner who removes a forget set's influence usually cannot afford to retrain from
scratch, so the remediation record carries what can be measured without doing so:

- ``forget_vs_heldout``: accuracy on the forget set against accuracy on held-out data of the
  same kind (drawn and labelled the way the forget set was), before and after. A model that
  never saw the forget set scores about the same on both.
- ``membership``: a loss-threshold membership-inference attack, the ROC AUC of −loss
  separating the forget set from that held-out data; 0.5 means the forget examples look like
  data the model never saw.
- ``retain_acc`` and ``test_acc`` before and after; ``parameters_changed`` (fraction of
  parameter entries); ``compute`` in examples passed forward and backward, in epochs of the
  retain set (the unit of a retraining) and in wall seconds; ``retrain_budget``, the same
  units for retraining with the recorded recipe (from the recipe, not measured).
- ``oracle``: the retrained model's figures and the Tug-of-War, present exactly when an
  oracle was run (``oracle_run: true``).

The spec layer validates this section on every input path (the record model calls
:func:`check_extensions`) without importing :mod:`umr.unlearn` or torch; :func:`verdict` turns
it into the short text the record page and the model card show, from the numbers alone.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from umr.spec.limits import field_path, format_path

SECTION = "unlearning"  # extensions.<SECTION>.evidence
EVIDENCE_SPEC = 1

Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Change(_Part):
    """One figure before and after the unlearning."""

    before: Fraction
    after: Fraction


class ForgetVsHeldout(_Part):
    # what the held-out data is: one line (it is a list item on the card)
    heldout: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
    forget_size: Annotated[int, Field(ge=1)]
    heldout_size: Annotated[int, Field(ge=1)]
    forget_acc: Change
    heldout_acc: Change


class Membership(_Part):
    attack: Literal["loss_auc"]  # ROC AUC of −loss, forget (positives) vs held-out
    auc: Change  # 0.5 = the forget set looks like held-out data


class Compute(_Part):
    examples: Count  # examples passed forward and backward
    epochs: Amount  # examples / retain-set size
    wall_s: Amount | None = None  # None for a budget that was not measured


class Oracle(_Part):
    compute: Compute
    forget_acc: Fraction
    retain_acc: Fraction
    test_acc: Fraction
    tow: Fraction
    tow_mia: Fraction | None = None


class Evidence(_Part):
    spec: Literal[1]
    forget_vs_heldout: ForgetVsHeldout
    membership: Membership | None = None  # None when the attack was not run
    retain_acc: Change
    test_acc: Change
    parameters_changed: Fraction
    compute: Compute
    retrain_budget: Compute | None = None  # retraining with the recipe, in the same units
    oracle_run: bool
    oracle: Oracle | None = None

    @model_validator(mode="after")
    def _oracle_only_when_run(self) -> Evidence:
        if self.oracle_run != (self.oracle is not None):
            raise ValueError(
                "oracle_run is "
                f"{str(self.oracle_run).lower()} but oracle is "
                f"{'absent' if self.oracle is None else 'present'}: oracle figures (ToW) are "
                "recorded exactly when an oracle was run"
            )
        return self

    @classmethod
    def from_dict(cls, data: Any) -> Evidence:
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def check_extensions(extensions: dict[str, Any] | None) -> dict[str, Any] | None:
    """Validate ``extensions.unlearning.evidence`` where a record carries one.

    The rest of ``extensions.unlearning`` stays free-form (older records wrote it without a
    schema, and the renderers read it defensively); ``evidence`` follows :class:`Evidence`.
    """
    section = (extensions or {}).get(SECTION)
    if not isinstance(section, dict) or "evidence" not in section:
        return extensions
    try:
        Evidence.from_dict(section["evidence"])
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = field_path(tuple(err["loc"]), section["evidence"])
        where = format_path((SECTION, "evidence", *loc))
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ValueError(
            f"{where}: {msg} (see docs/guide/remediation.md, 'Evidence without an oracle')"
        ) from None
    return extensions


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``extensions.unlearning.evidence``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://umr.dev/schema/unlearning-evidence-1.json",
        **Evidence.model_json_schema(),
    }


def _auc_se(auc: float, n1: int, n2: int) -> float:
    """Standard error of a ROC AUC (Hanley and McNeil, 1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n2 - 1) * (q2 - auc**2)) / (n1 * n2)
    return math.sqrt(max(var, 0.0))


def _acc_se(p: float, n: int) -> float:
    return math.sqrt(max(p * (1 - p), 1.0 / n) / n)


def verdict(ev: Evidence) -> list[str]:
    """A short verdict, one line per claim, each with its numbers.

    "Meets" means within two standard errors (binomial for accuracies, Hanley-McNeil for the
    AUC), so a small forget set needs a large gap before umr calls it distinguishable.
    """
    f = ev.forget_vs_heldout
    fa, ha = f.forget_acc.after, f.heldout_acc.after
    tol = 2 * math.hypot(_acc_se(fa, f.forget_size), _acc_se(ha, f.heldout_size))
    meets = abs(fa - ha) <= tol
    lines = [
        f"Forget-set accuracy {fa:.3f} against {ha:.3f} on held-out data of the same kind "
        f"({f.heldout}; before: {f.forget_acc.before:.3f} against {f.heldout_acc.before:.3f}): "
        + ("they meet, as for data never trained on" if meets else "they still differ")
        + f" (|gap| {abs(fa - ha):.3f}, 2 s.e. {tol:.3f})."
    ]
    if ev.membership is not None:
        auc = ev.membership.auc.after
        se2 = 2 * _auc_se(auc, f.forget_size, f.heldout_size)
        looks = abs(auc - 0.5) <= se2
        lines.append(
            f"Membership inference (loss AUC, forget vs held-out) {auc:.3f}, before "
            f"{ev.membership.auc.before:.3f}: the forget set "
            + ("looks like held-out data" if looks else "is still told apart from held-out data")
            + f" (0.5 ± {se2:.3f})."
        )
    r, t = ev.retain_acc, ev.test_acc
    lines.append(
        f"Test accuracy {t.before:.3f} -> {t.after:.3f} "
        f"({100 * (t.after - t.before):+.1f} points), "
        f"retain {r.before:.3f} -> {r.after:.3f}; {100 * ev.parameters_changed:.1f}% of "
        "parameters changed."
    )
    c = ev.compute
    cost = f"Compute: {c.examples:,} examples ({c.epochs:.2f} retain epochs)"
    if c.wall_s is not None:
        cost += f", {c.wall_s:.1f} s"
    b = ev.retrain_budget
    if b is not None and b.examples:
        cost += f"; retraining with the recipe: {b.examples:,} ({c.examples / b.examples:.0%})"
    lines.append(cost + ".")
    o = ev.oracle
    if o is not None:
        lines.append(
            f"Oracle (retrained from scratch, {o.compute.examples:,} examples"
            + (f", {o.compute.wall_s:.1f} s" if o.compute.wall_s is not None else "")
            + f"): forget {o.forget_acc:.3f}, test {o.test_acc:.3f}; Tug-of-War {o.tow:.3f}."
        )
    else:
        lines.append("No oracle was run: the figures above are all measured without retraining.")
    return lines


def evidence_of(data: dict[str, Any]) -> Evidence | None:
    """The validated evidence of plain record data, or None when it has none (or a bad one)."""
    section = (data.get("extensions") or {}).get(SECTION)
    if not isinstance(section, dict) or "evidence" not in section:
        return None
    try:
        return Evidence.from_dict(section["evidence"])
    except ValidationError:
        return None


__all__ = [
    "EVIDENCE_SPEC",
    "SECTION",
    "Change",
    "Compute",
    "Evidence",
    "ForgetVsHeldout",
    "Membership",
    "Oracle",
    "check_extensions",
    "evidence_of",
    "json_schema",
    "verdict",
]
