"""Advisory ownership and revisions: a change needs scope over the old and the new affected
names, fixes are someone's own or the author's, and every change is kept."""

from __future__ import annotations

import pytest

from registry._helpers import advisory, rec
from umr.errors import ConflictError, ForbiddenError, NotFoundError, RecordError
from umr.registry import Registry
from umr.registry.tokens import Token


def _token(*scopes: str) -> Token:
    return Token(id="0123456789abcdef", label="acme", scopes=scopes)


ACME = _token("publish:acme-*", "advisory:acme-*")


def test_a_narrow_token_cannot_silence_an_advisory(chain: Registry) -> None:
    chain.add_advisory(advisory("UMR-1", "corpus-x", "^2"))
    assert not chain.audit("acme-chat@1.1.0").ok
    # the same id, now affecting only a record the token's owner publishes
    with pytest.raises(ForbiddenError, match="may not advisory corpus-x"):
        chain.add_advisory(advisory("UMR-1", "acme-chat", "*"), actor=ACME)
    assert not chain.audit("acme-chat@1.1.0").ok
    assert [r.action for r in chain.advisory_history("UMR-1")] == ["create"]
    with pytest.raises(ForbiddenError, match="may not advisory corpus-x"):
        chain.withdraw_advisory("UMR-1", "not ours", actor=ACME)
    # a token over both the old and the new names may change it
    both = _token("advisory:corpus-*", "advisory:acme-*")
    chain.add_advisory(advisory("UMR-1", "acme-chat", "*"), actor=both)
    assert chain.advisory("UMR-1").names() == {"acme-chat"}


def test_fixed_is_the_owners_or_the_authors(chain: Registry) -> None:
    chain.add_advisory(advisory("UMR-2", "corpus-x", "^2"))
    chain.add_advisory(advisory("UMR-3", "mt-bench", "*"))
    # acme-chat is downstream of corpus-x: its owner may declare it fixed
    owner = _token("publish:acme-chat")
    # (forced: acme-chat@1.1.0 still trains on corpus-x; who may fix is the point here)
    chain.fix_advisory("UMR-2", "acme-chat", "1.1.0", actor=owner, forced="test")
    assert "acme-chat@1.1.0" in chain.advisory("UMR-2").fixed_ids()
    # ...but not someone else's record, nor for an advisory that does not reach it
    with pytest.raises(ForbiddenError, match=r"may not mark llama-2-7b@1\.0\.0 fixed for UMR-2"):
        chain.fix_advisory("UMR-2", "llama-2-7b", "1.0.0", actor=owner)
    with pytest.raises(RecordError, match="neither a version of an affected name"):
        chain.fix_advisory("UMR-3", "corpus-x", "2.0.0")  # even for the author
    with pytest.raises(ForbiddenError):
        chain.fix_advisory("UMR-3", "mt-bench", "1.0.0", actor=ACME)
    # an author with scope over the affected names may name any version that it reaches
    chain.fix_advisory(
        "UMR-2", "llama-2-7b", "1.0.0", actor=_token("advisory:corpus-*"), forced="test"
    )


def test_every_change_is_a_revision_and_withdrawal_is_its_own(chain: Registry) -> None:
    author = _token("advisory:corpus-*")
    chain.add_advisory(advisory("UMR-4", "corpus-x", "^2", severity="low"), actor=author)
    assert chain.advisory("UMR-4").modified is None
    chain.add_advisory(advisory("UMR-4", "corpus-x", "^2", severity="low"), actor=author)  # same
    chain.add_advisory(advisory("UMR-4", "corpus-x", "^2", severity="high"), actor=author)
    chain.fix_advisory("UMR-4", "corpus-x", "2.0.0", actor=author, forced="re-released")
    assert chain.audit("acme-chat@1.1.0").ok  # cleared through the fixed version
    chain.withdraw_advisory("UMR-4", "  re-checked:   no match ", actor=author)
    revs = chain.advisory_history("UMR-4")
    assert [(r.rev, r.action, r.changed) for r in revs] == [
        (1, "create", ("id", "summary", "severity", "published", "affected")),
        (2, "modify", ("severity",)),
        (3, "fix", ("fixed",)),
        (4, "withdraw", ("withdrawn",)),
    ]
    assert {r.actor for r in revs} == {"token 0123456789abcdef (acme)"}
    assert revs[0].advisory.severity == "low" and revs[1].advisory.severity == "high"
    assert revs[3].reason == "re-checked: no match"
    now = chain.advisory("UMR-4")
    assert now.withdrawn and now.modified and now.withdrawn_reason == "re-checked: no match"
    assert "UMR-4" not in {f.advisory.id for f in chain.audit("acme-chat@1.1.0").cleared}
    assert [a.id for a in chain.advisories() if a.withdrawn] == ["UMR-4"]
    with pytest.raises(ConflictError, match="was withdrawn"):
        chain.add_advisory(advisory("UMR-4", "corpus-x", "*"), actor=author)
    with pytest.raises(RecordError, match="needs a reason"):
        chain.add_advisory(advisory("UMR-5", "corpus-x"))
        chain.withdraw_advisory("UMR-5", "   ")
    assert chain.withdraw_advisory("UMR-4", "again").withdrawn_reason == "re-checked: no match"
    assert len(chain.advisory_history("UMR-4")) == 4


def test_local_writes_name_the_local_user(chain: Registry) -> None:
    chain.add_advisory(advisory("UMR-6", "corpus-x"))
    (rev,) = chain.advisory_history("UMR-6")
    assert rev.actor.startswith("local ") and rev.to_dict()["advisory"]["id"] == "UMR-6"


def test_an_owner_never_fixes_an_affected_version(chain: Registry) -> None:
    """The owner route (``publish:`` scope alone) declares a remediated version fixed, never
    one the advisory's ranges cover, forced or not; the author may still force one."""
    chain.publish([rec("corpus-x@2.5.0", "dataset"), rec("corpus-x@3.0.0", "dataset")])
    chain.add_advisory(advisory("UMR-5", "corpus-x", "^2"))
    owner = _token("publish:corpus-*")
    for version in ("2.0.0", "2.5.0"):
        with pytest.raises(ForbiddenError, match=f"may not mark corpus-x@{version} fixed"):
            chain.fix_advisory("UMR-5", "corpus-x", version, actor=owner, forced="we say so")
        with pytest.raises(ForbiddenError, match="never an affected one"):
            chain.fix_advisory("UMR-5", "corpus-x", version, actor=owner)
    assert chain.advisory("UMR-5").fixed == ()
    assert not chain.audit("acme-chat@1.1.0").ok  # nothing was silenced
    # a version outside the ranges is the owner's to declare
    chain.fix_advisory("UMR-5", "corpus-x", "3.0.0", actor=owner)
    assert chain.advisory("UMR-5").fixed_ids() == {"corpus-x@3.0.0"}
    # the author may force an affected version, with its reason kept
    chain.fix_advisory(
        "UMR-5", "corpus-x", "2.5.0", actor=_token("advisory:corpus-*"), forced="re-checked"
    )
    assert "corpus-x@2.5.0" in chain.advisory("UMR-5").fixed_ids()


def test_fixed_entries_of_a_file_meet_the_rules_of_fix(chain: Registry) -> None:
    """An advisory created or changed with fixed entries checks them as ``advisory fix``
    does: published, and not still reaching the affected data unless they carry a reason."""
    chain.publish(
        [
            rec("acme-chat@2.0.0", upstream=[("llama-2-7b@1", "finetuned_from")]),
            rec("acme-chat@3.0.0", upstream=[("acme-chat@1.1.0", "unlearned_from")]),
        ]
    )
    unpublished = [{"name": "acme-chat", "version": "9.0.0"}]
    with pytest.raises(NotFoundError, match=r"fixed acme-chat@9\.0\.0 is not published"):
        chain.add_advisory(advisory("UMR-6", "corpus-x", "^2", fixed=unpublished))
    reaching = [{"name": "acme-chat", "version": "2.0.0"}]
    with pytest.raises(ConflictError, match=r"acme-chat@2\.0\.0 is not a fix for UMR-6"):
        chain.add_advisory(advisory("UMR-6", "corpus-x", "^2", fixed=reaching))
    with pytest.raises(ConflictError, match="itself: its version is affected"):
        chain.add_advisory(
            advisory("UMR-6", "corpus-x", "^2", fixed=[{"name": "corpus-x", "version": "2.0.0"}])
        )
    with pytest.raises(NotFoundError):
        chain.advisory("UMR-6")  # nothing was created
    # the same entries on a change of an existing advisory
    chain.add_advisory(advisory("UMR-6", "corpus-x", "^2"))
    for fixed in (unpublished, reaching):
        with pytest.raises((NotFoundError, ConflictError)):
            chain.add_advisory(advisory("UMR-6", "corpus-x", "^2", fixed=fixed))
    assert chain.advisory("UMR-6").fixed == ()
    assert not chain.audit("acme-chat@2.0.0").ok
    # a remediated version passes; a still-reaching one only with its reason, which is kept
    good = [{"name": "acme-chat", "version": "3.0.0"}]
    forced = [{"name": "acme-chat", "version": "2.0.0", "reason": "the rows were filtered"}]
    chain.add_advisory(advisory("UMR-6", "corpus-x", "^2", fixed=good + forced))
    (cleared,) = chain.audit("acme-chat@2.0.0").cleared
    assert (cleared.reason or "").endswith("(forced: the rows were filtered)")
