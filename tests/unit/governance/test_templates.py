"""The template workflow on both backends: maker-checker, immutability, audit, tenancy."""

from __future__ import annotations

import pytest
from governance_helpers import BLOCK_BODY, PASS_BODY, REVIEW_BODY, World, person, seed
from sqlalchemy import select, update

from smsguard.errors import InputError, PermissionDenied, StorageError
from smsguard.governance import audit, templates
from smsguard.screening import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent
from smsguard.store.workflow_models import TemplateVersion


def _submitted(database: Database, world: World, screener: Screener, body: str) -> int:
    """A version written by mia, screened and submitted; returns its id."""
    with tenant_session(database, world.a) as session:
        mia = person(session, "mia")
        version = templates.create_draft(session, mia, f"t-{len(body)}", body)
        templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        return version.id


def _actions(database: Database, institution: int) -> list[str]:
    with tenant_session(database, institution) as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_clean_template_goes_through_and_every_step_is_audited(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, PASS_BODY)
    with tenant_session(database, world.a) as session:
        version = templates.approve(session, person(session, "olga"), version_id)
        trail = audit.trail(session, "template_version", version_id)
    assert (version.state, version.verdict, version.version) == ("approved", "pass", 1)
    assert version.rulebook_version == screener.screen("x").rulebook
    assert version.variables == {"name": "name", "amount": "amount", "due": "date"}
    assert [event.action for event in trail] == [
        "template.drafted",
        "template.screened",
        "template.submitted",
        "template.approved",
    ]
    assert trail[-1].actor == "olga"
    assert _actions(database, world.a)[0] == "template.created"


def test_the_author_cannot_approve_their_own_version(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    with tenant_session(database, world.a) as session:
        both = person(session, "olga")
        both.roles = ["marketer", "compliance_officer"]
        version = templates.create_draft(session, both, "own", PASS_BODY)
        templates.screen_version(session, both, version.id, screener)
        templates.submit(session, both, version.id)
        with pytest.raises(PermissionDenied, match="wrote this version"):
            templates.approve(session, both, version.id)
        assert version.state == "submitted"


def test_expired_officers_and_marketers_cannot_approve(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, PASS_BODY)
    for name, message in (("eve", "expired"), ("max", "needs: compliance_officer")):
        with (
            pytest.raises(PermissionDenied, match=message),
            tenant_session(database, world.a) as session,
        ):
            templates.approve(session, person(session, name), version_id)
    with tenant_session(database, world.a) as session:
        assert templates.get_version(session, version_id).state == "submitted"


def test_a_block_verdict_is_never_approvable(database: Database, screener: Screener) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, BLOCK_BODY)
    with tenant_session(database, world.a) as session:
        olga = person(session, "olga")
        assert templates.get_version(session, version_id).verdict == "block"
        with pytest.raises(InputError, match="can never be approved"):
            templates.approve(session, olga, version_id, justification="trust me")
    # Raw SQL cannot do it either: the CHECK constraint refuses the row.
    with pytest.raises(StorageError), tenant_session(database, world.a) as session:
        session.execute(
            update(TemplateVersion).where(TemplateVersion.id == version_id).values(state="approved")
        )


def test_review_needs_a_justification_which_is_kept(database: Database, screener: Screener) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, REVIEW_BODY)
    with tenant_session(database, world.a) as session:
        olga = person(session, "olga")
        with pytest.raises(InputError, match="justification"):
            templates.approve(session, olga, version_id, justification="   ")
        version = templates.approve(session, olga, version_id, justification="rate is disclosed")
    assert (version.verdict, version.justification) == ("review", "rate is disclosed")
    with tenant_session(database, world.a) as session:
        detail = audit.trail(session, "template_version", version_id)[-1].detail
    assert detail == {"verdict": "review", "justification": "rate is disclosed"}


def test_rejection_needs_a_reason_and_is_final(database: Database, screener: Screener) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, REVIEW_BODY)
    with tenant_session(database, world.a) as session:
        olga = person(session, "olga")
        with pytest.raises(InputError, match="reason"):
            templates.reject(session, olga, version_id, " ")
        version = templates.reject(session, olga, version_id, "promises approval")
        with pytest.raises(InputError, match="from 'rejected' to 'approved'"):
            templates.approve(session, person(session, "oscar"), version_id, justification="ok")
    assert version.rejection_reason == "promises approval"


def test_approved_versions_are_immutable_and_editing_adds_a_version(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, PASS_BODY)
    with tenant_session(database, world.a) as session:
        approved = templates.approve(session, person(session, "olga"), version_id)
        with pytest.raises(InputError, match="from 'approved' to 'screened'"):
            templates.screen_version(session, person(session, "mia"), version_id, screener)
        newer = templates.revise(
            session, person(session, "mia"), approved.template_id, "改了{name}"
        )
    assert (newer.version, newer.state, newer.template_id) == (2, "draft", approved.template_id)
    with pytest.raises(StorageError, match="cannot change"), tenant_session(database, world.a) as s:
        s.execute(update(TemplateVersion).where(TemplateVersion.id == version_id).values(body="x"))
    with tenant_session(database, world.a) as session:
        assert templates.get_version(session, version_id).body == PASS_BODY


def test_another_institution_cannot_see_or_decide_the_template(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, PASS_BODY)
    with tenant_session(database, world.b) as session:
        assert session.scalars(select(TemplateVersion)).all() == []
        with pytest.raises(InputError, match="no template version"):
            templates.submit(session, person(session, "mia"), version_id)


def test_a_failed_approval_leaves_no_partial_rows(
    database: Database, screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = seed(database)
    version_id = _submitted(database, world, screener, PASS_BODY)
    before = _actions(database, world.a)

    def broken_record(*_args: object, **_kwargs: object) -> None:
        raise StorageError("disk full")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(StorageError), tenant_session(database, world.a) as session:
        templates.approve(session, person(session, "olga"), version_id)
    monkeypatch.undo()
    with tenant_session(database, world.a) as session:
        version = templates.get_version(session, version_id)
        assert (version.state, version.decided_by_id, version.decided_at) == (
            "submitted",
            None,
            None,
        )
    assert _actions(database, world.a) == before


def test_bad_drafts_are_refused_without_rows(database: Database) -> None:
    world = seed(database)
    with tenant_session(database, world.a) as session:
        mia = person(session, "mia")
        for name, body in (("", "hi"), ("x", ""), ("x", "{url:link}")):
            with pytest.raises(InputError):
                templates.create_draft(session, mia, name, body)
    with pytest.raises(InputError, match="already exists"), tenant_session(database, world.a) as s:
        templates.create_draft(s, person(s, "mia"), "dup", "hi")
        templates.create_draft(s, person(s, "mia"), "dup", "hello")
    assert _actions(database, world.a) == []
