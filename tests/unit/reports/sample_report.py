"""A hand-made report (no database) for the format and signing tests, with a real signed
checkpoint so verification covers the quoted log state too."""

from __future__ import annotations

from smsguard.reports.logstate import checkpoint_state
from smsguard.reports.model import (
    Approvals,
    CampaignVolume,
    ComplaintCases,
    Complaints,
    MonitorAction,
    Monitoring,
    MonthlyReport,
    Tally,
    Volumes,
    Withdrawals,
)
from smsguard.tlog.log import TransparencyLog
from smsguard.tlog.note import Ed25519Signer
from smsguard.tlog.store import MemoryTileStore

DELIVERED = 12345
REFUSED_STUDENT = 321


def log_with_entries(signer: Ed25519Signer, entries: int = 5) -> TransparencyLog:
    log = TransparencyLog.open(MemoryTileStore(), signer, signer.name)
    log.append([f"entry {i}".encode() for i in range(entries)])
    return log


def sample_report(signer: Ed25519Signer) -> MonthlyReport:
    """A November at 好借银行 with every section filled."""
    log = log_with_entries(signer)
    states = {"delivered": DELIVERED, "refused": REFUSED_STUDENT + 40, "failed": 7}
    return MonthlyReport(
        institution="haojie",
        institution_name="好借银行",
        period="2026-11",
        timezone="Asia/Shanghai",
        starts="2026-11-01T00:00:00+08:00",
        ends="2026-12-01T00:00:00+08:00",
        generated_at="2026-12-02T01:00:00+00:00",
        volumes=Volumes(
            total=DELIVERED + REFUSED_STUDENT + 47, handed_over=DELIVERED, delivered=DELIVERED,
            refused=REFUSED_STUDENT + 40, failed=7, pending=0, segments_handed_over=DELIVERED * 2,
            by_state=tuple(Tally(k, v) for k, v in states.items()),
            refusal_reasons=(Tally("recipient is a student", REFUSED_STUDENT),
                             Tally("consent withdrawn", 40)),
            failure_reasons=(Tally("provider: 0x0B invalid destination", 7),),
            campaigns=(
                CampaignVolume(1, "双十一 提额活动", DELIVERED + 361, DELIVERED, DELIVERED, 361,
                               0, 0),
                CampaignVolume(None, "(single messages)", 7, 0, 0, 0, 7, 0),
            ),
        ),
        approvals=Approvals(4, 3, 1, 1, (Tally("缺少年化利率", 1),), 2),
        withdrawals=Withdrawals(58, (Tally("inbound-reply", 50), Tally("call-centre", 8)),
                                (Tally("loan_marketing", 58),)),
        complaints=Complaints(9, (Tally("complaint", 6), Tally("both", 3)), ComplaintCases(
            9, (Tally("sms_marketing", 9),), (Tally("resolved", 8), Tally("received", 1)),
            8, 7, 86400, 400000, 1,
        )),
        monitoring=Monitoring(1, (Tally("campaign.pause", 1),), (Tally("complaint_rate", 1),), (
            MonitorAction("2026-11-11T03:00:00+00:00", "campaign.pause", "campaign 1",
                          "complaint_rate", "act", "complaint rate 2.1% over 1 hour"),
        )),
        data_access=(Tally("customer.phones_revealed / delivery / batch", 30),),
        checkpoint=checkpoint_state(log.checkpoint().encode(), signer),
    )  # fmt: skip
