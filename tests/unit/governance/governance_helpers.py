"""Seeding helpers for the governance tests: two institutions and the workflow's cast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from store_helpers import two_institutions

from smsguard.store import Database
from smsguard.store.models import User
from smsguard.store.tenancy import tenant_session

PASS_BODY = "【某银行】{name}您好，您本期应还{amount}，请于{due:date}前还款。回复TD退订"
REVIEW_BODY = "【某银行】年化利率低至3.6%，欢迎申请。回复TD退订"
BLOCK_BODY = "【某银行】无视征信秒批，点击 http://x.cn 立即领取"

_CAST = {
    "mia": (["marketer"], None),
    "max": (["marketer"], None),
    "olga": (["compliance_officer"], 365),
    "oscar": (["compliance_officer"], 365),
    "eve": (["compliance_officer"], -1),
    "aud": (["auditor"], None),
}


@dataclass(frozen=True)
class World:
    """Two institutions; ``a`` has the whole cast, ``b`` one marketer named ``mia``."""

    a: int
    b: int


def seed(database: Database) -> World:
    a, b = two_institutions(database)
    now = datetime.now(UTC)
    with tenant_session(database, a) as session:
        for name, (roles, days) in _CAST.items():
            expires = None if days is None else now + timedelta(days=days)
            session.add(
                User(
                    username=name, display_name=name, roles=roles, certification_expires_at=expires
                )
            )
    with tenant_session(database, b) as session:
        session.add(User(username="mia", display_name="mia", roles=["marketer"]))
    return World(a=a, b=b)


def person(session: Session, username: str) -> User:
    """The user of the session's institution called ``username``."""
    return session.scalars(select(User).where(User.username == username)).one()
