"""The mandatory exclusions: customers no campaign may target, whatever its definition says.

Each exclusion has a stable id, an explanation in Chinese and English, its legal basis (the
section of the project's regulations note, /work/shared/docs/regulations.md, that grounds it)
and an SQL predicate that is true for a customer it removes. They are a fixed tuple, not a
setting: a campaign, a definition or a configuration file can change a threshold
(:class:`~smsguard.targeting.policy.ExclusionPolicy`) but never switch one off. Predicates are
two-valued (``EXISTS``, ``IS NULL``, columns that are never NULL), so a customer whose data is
missing is excluded or counted exactly, never silently dropped by SQL's ``NULL``.

Consent is decided the way the gateway decides it (:func:`smsguard.consent.policy.may_market`):
only ``loan_marketing`` rows recorded no later than the selection instant count, the latest
decides, a withdrawal wins a tie, and a grant without evidence is no consent. Here "latest
decides" is strict: if any row at the latest instant is a withdrawal or a grant without
evidence, the customer is out, so selection never admits someone the gateway would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from smsguard.consent.policy import ADULT_AGE, LOAN_MARKETING
from smsguard.store.complaint_models import Complaint
from smsguard.store.models import Consent, Customer
from smsguard.store.targeting_models import CustomerProfile, DoNotContact
from smsguard.targeting.compiler import Frame, latest_birth_year
from smsguard.targeting.policy import ExclusionPolicy

_BLANK = " \t\n\r\x0b\x0c"


@dataclass(frozen=True)
class Exclusion:
    """One mandatory exclusion and why it exists."""

    id: str
    zh: str
    en: str
    basis: str
    threshold: str | None  # the policy field that sets its number, if any
    test: Callable[[Frame, ExclusionPolicy], ColumnElement[bool]]

    def explanation(self, policy: ExclusionPolicy) -> tuple[str, str]:
        """(zh, en) with the policy's numbers filled in."""
        values = policy.model_dump()
        return self.zh.format(**values), self.en.format(**values)


def _consent_rows(frame: Frame, table: type[Consent] = Consent) -> ColumnElement[bool]:
    return and_(
        table.institution_id == frame.institution_id,
        table.customer_id == Customer.id,
        table.purpose == LOAN_MARKETING,
        table.recorded_at <= frame.now,
    )


def _latest_consent(frame: Frame) -> ColumnElement[bool]:
    """Rows of the customer's latest loan-marketing consent instant (there may be several)."""
    inner = aliased(Consent)
    latest = (
        select(func.max(inner.recorded_at))
        .where(_consent_rows(frame, inner))
        .correlate(Customer)
        .scalar_subquery()
    )
    return and_(_consent_rows(frame), Consent.recorded_at == latest)


def consent_withdrawn(frame: Frame, _policy: ExclusionPolicy) -> ColumnElement[bool]:
    """The latest decision is a withdrawal (an opt-out reply withdraws every purpose)."""
    return exists().where(_latest_consent(frame), Consent.status != "granted")


def no_consent(frame: Frame, policy: ExclusionPolicy) -> ColumnElement[bool]:
    """No consent row at all, or the latest grant carries no evidence (and not withdrawn)."""
    unevidenced = or_(Consent.evidence.is_(None), func.trim(Consent.evidence, _BLANK) == "")
    missing = not_(exists().where(_consent_rows(frame)))
    bare = exists().where(_latest_consent(frame), unevidenced)
    return and_(not_(consent_withdrawn(frame, policy)), or_(missing, bare))


def student(_frame: Frame, _policy: ExclusionPolicy) -> ColumnElement[bool]:
    return Customer.is_student.is_(True)


def minor(frame: Frame, _policy: ExclusionPolicy) -> ColumnElement[bool]:
    """Under 18 by the gateway's reading of a birth year, or no birth year (fail closed)."""
    born = Customer.birth_year
    return or_(born.is_(None), born > latest_birth_year(ADULT_AGE, frame.day))


def no_profile(_frame: Frame, _policy: ExclusionPolicy) -> ColumnElement[bool]:
    return CustomerProfile.id.is_(None)


def in_arrears(_frame: Frame, _policy: ExclusionPolicy) -> ColumnElement[bool]:
    return and_(CustomerProfile.id.is_not(None), CustomerProfile.in_arrears.is_(True))


def over_indebted(_frame: Frame, policy: ExclusionPolicy) -> ColumnElement[bool]:
    return and_(CustomerProfile.id.is_not(None), CustomerProfile.debt_ratio > policy.max_debt_ratio)


def recent_complaint(frame: Frame, policy: ExclusionPolicy) -> ColumnElement[bool]:
    return exists().where(
        Complaint.institution_id == frame.institution_id,
        Complaint.customer_id == Customer.id,
        Complaint.received_at >= frame.days_ago(policy.complaint_days),
    )


def recently_declined(frame: Frame, policy: ExclusionPolicy) -> ColumnElement[bool]:
    declined = CustomerProfile.declined_at
    return and_(declined.is_not(None), declined >= frame.days_ago(policy.declined_days))


def do_not_contact(frame: Frame, _policy: ExclusionPolicy) -> ColumnElement[bool]:
    return exists().where(
        DoNotContact.institution_id == frame.institution_id,
        DoNotContact.phone_index == Customer.phone_index,
    )


EXCLUSIONS: tuple[Exclusion, ...] = (
    Exclusion(
        "no_consent",
        "未取得贷款营销的明示同意（无同意记录，或最近的同意缺少可核查的凭证）",
        "no explicit consent to loan marketing (no record, or the latest grant has no evidence)",
        "§B1 工信部令第31号 (consent before commercial SMS); §A2 银发〔2019〕316号 五(七); "
        "§A3 《广告法》第43条; §C1 《个人信息保护法》第13、14条",
        None,
        no_consent,
    ),
    Exclusion(
        "consent_withdrawn",
        "已退订或撤回贷款营销同意",
        "opted out or withdrew consent to loan marketing",
        "§B3 《消费者权益保护法》第29条, 实施条例第24条; §A5 银保监会令2022年第9号; "
        "§C1 《个人信息保护法》第15条; §B1 工信部令第31号",
        None,
        consent_withdrawn,
    ),
    Exclusion(
        "student",
        "在校学生：不得向学生精准营销贷款",
        "a student: loans may not be marketed to students with precise targeting",
        "§A11 2021年五部门通知 (银保监办发〔2021〕28号 [U]), 银监发〔2017〕26号; §A12 NIFA 2024",
        None,
        student,
    ),
    Exclusion(
        "minor",
        f"未满{ADULT_AGE}周岁，或出生年份未知（按最年轻可能年龄计，未知即排除）",
        f"under {ADULT_AGE}, or birth year unknown (the youngest possible age counts; "
        "unknown is excluded)",
        "§A11 学生与未成年人不得作为营销对象; §F1 #12; §C1 《个人信息保护法》第28、31条",
        None,
        minor,
    ),
    Exclusion(
        "no_profile",
        "无客户画像：信用状况未知，按排除处理",
        "no customer profile: credit status unknown, so excluded (fail closed)",
        "§A15 银保监会消保局风险提示2020年第6号 (不向低收入等群体过度营销); §A7 不得诱导过度负债 "
        "— our reading: who cannot be shown to be eligible is not targeted",
        None,
        no_profile,
    ),
    Exclusion(
        "in_arrears",
        "当前有逾期",
        "currently in arrears",
        "§A15 风险提示2020年第6号、2022年第2号; §F2 以贷养贷/借新还旧 — our reading [U]",
        None,
        in_arrears,
    ),
    Exclusion(
        "over_indebted",
        "负债收入比超过 {max_debt_ratio}",
        "debt-to-income ratio above {max_debt_ratio}",
        "§A7 信用卡通知 (不得诱导过度使用分期); §A15 风险提示2020年第6号; §A12 NIFA 2024 "
        "— the limit is not fixed by any rule [U], configurable (max_debt_ratio)",
        "max_debt_ratio",
        over_indebted,
    ),
    Exclusion(
        "recent_complaint",
        "近 {complaint_days} 天内有投诉",
        "a complaint in the last {complaint_days} days",
        "§D1 《银行业保险业消费投诉处理管理办法》; §B3 《消费者权益保护法》第29条 (拒绝后不得发送) "
        "— the window is our choice [U], configurable (complaint_days)",
        "complaint_days",
        recent_complaint,
    ),
    Exclusion(
        "recently_declined",
        "近 {declined_days} 天内贷款申请被拒",
        "a credit application declined in the last {declined_days} days",
        "§A12 NIFA 2024 (不得以低门槛诱导); §A15 风险提示2020年第6号; §C2 《网络数据安全管理条例》"
        "第22条 (拒绝后不得频繁征求) — the window is our choice [U], configurable (declined_days)",
        "declined_days",
        recently_declined,
    ),
    Exclusion(
        "do_not_contact",
        "在本机构的免打扰名单上",
        "on one of the institution's do-not-contact lists",
        "§B6 退订号码须屏蔽; §B2 谢绝来电平台 (征求意见稿); §A5 银保监会令2022年第9号; "
        "§B3 《消费者权益保护法》第29条",
        None,
        do_not_contact,
    ),
)
EXCLUSION_IDS = tuple(e.id for e in EXCLUSIONS)


def predicates(frame: Frame, policy: ExclusionPolicy) -> dict[str, ColumnElement[bool]]:
    """Each exclusion's predicate for this frame and policy, by id."""
    return {e.id: e.test(frame, policy) for e in EXCLUSIONS}


def any_exclusion(frame: Frame, policy: ExclusionPolicy) -> ColumnElement[bool]:
    """True for a customer at least one exclusion removes."""
    return or_(*predicates(frame, policy).values())
