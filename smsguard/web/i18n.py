"""The dashboard's own words in Chinese (the default) and English.

Only the dashboard's labels live here; what the library says (rule messages, legal bases,
error messages, the verifier's summary) is shown as the library wrote it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

LANG_COOKIE = "lang"
LANGUAGES = ("zh", "en")
DEFAULT = "zh"

# key: (Chinese, English)
_WORDS: dict[str, tuple[str, str]] = {
    "app": ("短信合规卫士", "smsguard"),
    "nav.home": ("首页", "Home"),
    "nav.screen": ("文本检测", "Screening"),
    "nav.templates": ("模板", "Templates"),
    "nav.review": ("待审批", "Review"),
    "nav.campaigns": ("营销活动", "Campaigns"),
    "nav.alerts": ("监控告警", "Alerts"),
    "nav.complaints": ("投诉", "Complaints"),
    "nav.audit": ("审计日志", "Audit trail"),
    "nav.log": ("透明日志", "Transparency log"),
    "nav.verify": ("短信真伪查询", "Is this SMS real?"),
    "logout": ("退出登录", "Log out"),
    "login": ("登录", "Log in"),
    "login.title": ("登录短信合规卫士", "Log in to smsguard"),
    "login.failed": ("机构、用户名或密码错误", "The institution, username or password is wrong"),
    "field.institution": ("机构", "Institution"),
    "field.username": ("用户名", "Username"),
    "field.password": ("密码", "Password"),
    "field.name": ("名称", "Name"),
    "field.body": ("正文", "Body"),
    "field.text": ("短信内容", "SMS text"),
    "field.phone": ("接收号码", "Your phone number"),
    "field.justification": (
        "审批说明（检测结果为“复核”时必填）",
        "Justification (required for a 'review' verdict)",
    ),
    "field.reason": ("驳回理由", "Reason for rejection"),
    "field.template_version": ("已批准的模板版本", "Approved template version"),
    "field.rate": ("每分钟发送上限", "Rate limit per minute"),
    "field.starts_at": ("开始时间（可选，北京时间）", "Starts at (optional, China time)"),
    "field.variables": ("变量（每行 键=值）", "Variables (one key=value per line)"),
    "field.audience": ("受众：全部客户", "Audience: all customers"),
    "home.welcome": ("欢迎", "Welcome"),
    "home.roles": ("角色", "Roles"),
    "home.institution": ("机构编号", "Institution id"),
    "role.marketer": ("营销人员", "Marketer"),
    "role.compliance_officer": ("合规官", "Compliance officer"),
    "role.auditor": ("审计员", "Auditor"),
    "role.regulator": ("监管人员", "Regulator"),
    "role.admin": ("管理员", "Administrator"),
    "screen.title": ("短信文本检测", "Screen an SMS"),
    "screen.submit": ("检测", "Screen"),
    "verdict": ("检测结论", "Verdict"),
    "verdict.pass": ("通过", "pass"),
    "verdict.review": ("需人工复核", "needs review"),
    "verdict.block": ("禁止发送", "blocked"),
    "verdict.none": ("尚未检测", "not screened yet"),
    "findings": ("检测发现", "Findings"),
    "findings.none": ("没有发现问题", "No findings"),
    "basis": ("依据", "Basis"),
    "marked": ("标记后的文本", "Text with the offending spans marked"),
    "templates.title": ("短信模板", "Message templates"),
    "templates.new": ("新建草稿", "New draft"),
    "templates.create": ("创建并检测", "Create and screen"),
    "templates.none": ("还没有模板", "No templates yet"),
    "template": ("模板", "Template"),
    "version": ("版本", "Version"),
    "state": ("状态", "State"),
    "state.draft": ("草稿", "draft"),
    "state.screened": ("已检测", "screened"),
    "state.submitted": ("已提交", "submitted"),
    "state.approved": ("已批准", "approved"),
    "state.rejected": ("已驳回", "rejected"),
    "state.running": ("发送中", "running"),
    "state.paused": ("已暂停", "paused"),
    "state.completed": ("已完成", "completed"),
    "version.revise": ("修改（生成新版本）", "Revise (makes a new version)"),
    "version.revise_submit": ("保存新版本并检测", "Save new version and screen"),
    "version.submit": ("提交合规审批", "Submit for approval"),
    "version.approve": ("批准", "Approve"),
    "version.reject": ("驳回", "Reject"),
    "version.rejection": ("驳回理由", "Rejection reason"),
    "version.justification": ("审批说明", "Justification"),
    "version.sample": (
        "检测所用文本（变量已填入示例值）",
        "Screened text (variables filled with samples)",
    ),
    "review.title": ("待审批事项", "Awaiting approval"),
    "review.versions": ("待审批的模板版本", "Template versions submitted"),
    "review.campaigns": ("待审批的营销活动", "Campaigns awaiting approval"),
    "review.none": ("没有待审批事项", "Nothing is waiting"),
    "campaigns.title": ("营销活动", "Campaigns"),
    "campaigns.new": ("新建营销活动", "New campaign"),
    "campaigns.create": ("创建", "Create"),
    "campaigns.none": ("还没有营销活动", "No campaigns yet"),
    "campaigns.no_versions": ("没有已批准的模板版本", "No approved template version yet"),
    "campaign.approve": ("批准发送", "Approve"),
    "campaign.start": ("开始发送", "Start"),
    "campaign.pause": ("暂停", "Pause"),
    "campaign.resume": ("继续", "Resume"),
    "campaign.complete": ("结束", "Complete"),
    "campaign.counts": ("消息统计", "Messages by state"),
    "campaign.sent_total": ("已发送总数", "Sent in total"),
    "campaign.chart": ("最近 60 分钟（每分钟）", "Last 60 minutes (per minute)"),
    "campaign.rate": ("每分钟上限", "Rate limit per minute"),
    "campaign.starts": ("开始时间", "Starts at"),
    "series.sent": ("已发送", "sent"),
    "series.delivered": ("已送达", "delivered"),
    "series.failed": ("失败", "failed"),
    "series.opt_outs": ("退订", "opt-outs"),
    "series.complaints": ("投诉", "complaints"),
    "alerts.title": ("监控告警与自动处置", "Monitor alerts and actions"),
    "alerts.none": ("没有告警", "No alerts"),
    "alerts.detector": ("检测器", "Detector"),
    "alerts.severity": ("级别", "Severity"),
    "alerts.action": ("处置", "Action"),
    "alerts.target": ("对象", "Target"),
    "alerts.explanation": ("说明", "Explanation"),
    "alerts.in_force": ("仍在生效的自动处置", "Automatic actions in force"),
    "alerts.no_actions": ("没有生效中的自动处置", "No automatic action is in force"),
    "alerts.list": ("告警记录", "Alerts"),
    "alerts.reason": ("撤销理由", "Reason"),
    "alerts.reverse": ("撤销处置", "Reverse"),
    "complaints.title": ("投诉处理看板", "Complaints board"),
    "complaints.none": ("没有投诉", "No complaints"),
    "complaints.due": ("处理时限", "Due"),
    "complaints.left": ("剩余", "left"),
    "complaints.overdue": ("已超期", "overdue"),
    "complaints.history": ("处理记录", "History"),
    "complaints.category": ("类别", "Category"),
    "complaints.channel": ("渠道", "Channel"),
    "complaints.received": ("收到时间", "Received"),
    "days": ("天", "d"),
    "hours": ("小时", "h"),
    "audit.title": ("审计日志", "Audit trail"),
    "audit.at": ("时间", "Time"),
    "audit.actor": ("操作人", "Actor"),
    "audit.action": ("操作", "Action"),
    "audit.target": ("对象", "Target"),
    "audit.detail": ("详情", "Detail"),
    "page.newer": ("较新", "Newer"),
    "page.older": ("较早", "Older"),
    "log.title": ("透明日志状态", "Transparency log status"),
    "log.none": ("本机构尚无透明日志检查点", "This institution has no log checkpoint yet"),
    "log.origin": ("日志名称", "Origin"),
    "log.size": ("条目数", "Size"),
    "log.root": ("根哈希", "Root hash"),
    "log.time": ("时间", "Time"),
    "log.witnesses": ("见证人联署", "Witness cosignatures"),
    "log.no_witnesses": ("尚无见证人联署", "No witness has cosigned yet"),
    "verify.title": ("这条短信是真的吗？", "Is this SMS real?"),
    "verify.intro": (
        "输入收到的短信原文和您的手机号，查询它是否由该机构发出。",
        "Enter the SMS exactly as received and your number to check whether "
        "the institution sent it.",
    ),
    "verify.submit": ("查询", "Check"),
    "verify.genuine": ("该短信确由该机构发出", "This SMS was sent by the institution"),
    "verify.not_genuine": (
        "该机构的日志中没有这条短信，请谨防诈骗",
        "The institution's log does not hold this SMS: beware of fraud",
    ),
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回首页", "Back to the home page"),
    "error.400": ("请求无法处理", "The request cannot be done"),
    "error.401": ("请先登录", "Please log in"),
    "error.403": ("您没有权限执行此操作", "You may not do this"),
    "error.404": ("找不到该页面或记录", "Not found"),
    "error.422": ("表单内容不完整或格式不对", "The form is incomplete or malformed"),
    "error.429": ("请求过于频繁，请稍后再试", "Too many requests; try again later"),
    "error.500": ("服务内部错误，已记录", "An internal error; it has been logged"),
    "error.503": ("服务暂时不可用", "The service is unavailable for now"),
    "error.other": ("请求失败", "The request failed"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    "none": ("无", "none"),
    "submit": ("提交", "Submit"),
}

CATALOGUE: dict[str, dict[str, str]] = {
    lang: {key: words[i] for key, words in _WORDS.items()} for i, lang in enumerate(LANGUAGES)
}


def language(request: Request) -> str:
    """The language chosen by the ``lang`` cookie, Chinese otherwise."""
    chosen = request.cookies.get(LANG_COOKIE, DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


def translator(lang: str) -> Callable[[str], str]:
    """``_(key)`` for templates; an unknown key shows itself, so a gap is visible, not fatal."""
    words = CATALOGUE.get(lang, CATALOGUE[DEFAULT])

    def translate(key: str) -> str:
        return words.get(key, key)

    return translate
