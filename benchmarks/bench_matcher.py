"""Throughput of the multi-pattern matcher on real SMS, per backend.

    .venv/bin/python benchmarks/bench_matcher.py [--quick] [--repeat N]

Builds ~300 rulebook-like patterns (loan and fraud keywords with homophone variants, English
spam terms, a few true regexes), loads the Chinese and English corpora from shared/data (read
in place, never copied) and prints messages per second, single core, for:

* ``re alternation``: one big ``(?:p1)|(?:p2)|…`` ``finditer`` per message, the naive
  baseline (it does not even report overlapping patterns);
* the matcher's ``re`` backend, ``scan`` per message and ``scan_batch``;
* the ``hyperscan`` backend, ``scan`` per message and ``scan_batch``.

Before timing, it checks that every backend returns identical hits on every message.
"""

from __future__ import annotations

import argparse
import csv
import functools
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from smsguard.screening.matcher import (
    Hit,
    Matcher,
    PatternSpec,
    compile_matcher,
    hyperscan_available,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # beside the repository
CORPORA = {  # mudou is real SMS; the 80万 subset's ham is short web text with digits masked
    "Chinese, mudou unseen": "mudou_spam_cn/mudou_spam_test_unseen.tsv",
    "Chinese, 80万 subset": "sms80w_cn_subset/sms80w_subset.tsv",
    "English, UCI": "uci_sms_spam_collection/sms_spam_collection.tsv",
}


def words(block: str) -> list[str]:
    """Whitespace-separated terms of a text block (keeps the term lists compact)."""
    return block.split()


# Homophones and look-alikes that evaders swap in; each character of a term that has an
# entry becomes an alternation, e.g. 贷款 -> (?:贷|代|袋)(?:款|宽).
HOMOPHONES = {
    "贷": "贷代袋",
    "款": "款宽",
    "秒": "秒妙",
    "批": "批披",
    "信": "信芯",
    "征": "征争",
    "息": "息媳",
    "额": "额頟",
    "押": "押鸭",
    "借": "借藉",
    "卡": "卡咔",
    "微": "微薇",
    "套": "套淘",
    "现": "现见",
}
PINYIN = {"秒批": "miaopi", "贷款": "daikuan", "征信": "zhengxin", "套现": "taoxian"}

LOAN_TERMS = words(
    """
秒批 秒到 秒下 包下款 包过 必下款 当天放款 当日到账 极速放款 快速放款 马上到账
无需审核 免审核 不看征信 不查征信 征信不好 黑户可贷 白户可贷 无视黑白 无视征信 无抵押
免抵押 无担保 免担保 信用贷款 小额贷款 大额贷款 低息贷款 无息贷款 免息贷款 贷款额度
额度提升 提额 提升额度 最高额度 授信额度 预授信 预审批 日息 月息 年息 年化利率
综合年化 日利率 月利率 利息低 低利息 零利息 手续费 服务费 砍头息 先息后本 等额本息
随借随还 分期还款 逾期 催收 上征信 网贷 网黑 多头借贷 以贷养贷 债务重组 债务优化
停息挂账 信用卡代还 代还信用卡 信用卡套现 套现 刷卡 pos机 办卡 提额包过 大额信用卡
秒办信用卡 花呗 借呗 白条 微粒贷 备用金 应急金 周转金 过桥资金 垫资 车贷 房贷 房抵贷
车抵贷 保单贷 公积金贷 社保贷 税贷 发票贷 学生贷 校园贷 裸贷 身份证贷款 凭身份证
只需身份证 手机号贷款 芝麻分 回租 工资条 流水 刷流水 包装流水
"""
)

FRAUD_TERMS = words(
    """
解冻费 保证金 验证金 激活费 刷单 刷信誉 安全账户 资金核查 涉嫌洗钱 冻结账户 账户冻结
账户异常 公检法 通缉令 逮捕令 验证码 动态码 短信验证码 校验码 屏幕共享 远程协助
注销账户 注销校园贷 学籍注销 退款 理赔 快递丢失 客服退款 中奖 恭喜您中奖 领取奖品 抽奖
红包 返利 返现 兼职 日结 高薪 在家兼职 打字员 内部渠道 内部名额 内部消息 内幕 荐股
牛股 带单 导师 老师带 稳赚 保本 高回报 高收益 理财产品 虚拟币 数字货币 博彩 彩票
百家乐 棋牌 网投 裸聊 办证 刻章 代开发票 发票 枪支 迷药 窃听 定位 查开房 查通话
"""
)

ENGLISH_TERMS = words(
    """
free winner won prize claim urgent congratulations cash award guaranteed loan credit debt
approved bonus voucher gift txt reply stop unsubscribe call now click here verify account
suspended password bank security alert refund tax ringtone mobile offer deal discount limited
expires apply today investment bitcoin crypto lottery selected exclusive subscription premium
rate per min
"""
)

REGEXES = [
    r"年化[^，。]{0,6}\d",
    r"日息[^，。]{0,4}\d",
    r"月息[^，。]{0,4}\d",
    r"\d+(?:\.\d+)?%",
    r"\d+(?:\.\d+)?厘",
    r"额度\D{0,4}\d+万",
    r"最高(?:可)?(?:贷|借)\D{0,3}\d+",
    r"1[3-9]\d{9}",
    r"(?:加|\+)(?:微信|v|vx|薇|q)[:：]?\s*[a-z0-9_-]{5,}",
    r"https?://[^\s]+",
    r"www\.[a-z0-9-]+\.[a-z]+",
    r"[a-z0-9-]+\.(?:cn|com|net|top|xyz|vip)\b",
    r"回复?\s*(?:td|t|退订)",
    r"退订回?t",
    r"^【[^】]{1,12}】",
    r"【[^】]{1,12}】$",
    r"\b(?:call|txt|text)\s+\d{5,}",
    r"£\d+",
    r"\$\d+",
    r"\d{4,}\s*(?:pounds|dollars)",
    r"\bu\s+(?:have|r)\s+(?:won|been selected)",
    r"(?:点击|戳)(?:链接|下方)",
    r"(?:下载|打开)[^，。]{0,6}app",
    r"(?:不|无)(?:需|用)(?:面签|抵押|担保)",
    r"(?:当|同)天(?:放款|到账|下款)",
    r"\d{1,2}(?:分钟|小时)(?:放款|到账|下款)",
]


def variants(term: str) -> str:
    """One regex for a term: homophone alternation per character, plus a pinyin spelling."""
    body = "".join(
        f"(?:{'|'.join(HOMOPHONES[c])})" if c in HOMOPHONES else re.escape(c) for c in term
    )
    pinyin = PINYIN.get(term)
    return f"{body}|{pinyin}" if pinyin else body


def build_specs() -> list[PatternSpec]:
    """~300 patterns shaped like a compiled rulebook's keyword groups and regexes."""
    regexes = [variants(term) for term in LOAN_TERMS + FRAUD_TERMS]
    regexes += [rf"\b{re.escape(term)}\b" if len(term) <= 4 else term for term in ENGLISH_TERMS]
    regexes += REGEXES
    regexes += [  # grouped keyword alternations, like a rule's term group
        "|".join(variants(term) for term in LOAN_TERMS[i : i + 6])
        for i in range(0, len(LOAN_TERMS), 6)
    ]
    unique = list(dict.fromkeys(regexes))
    return [PatternSpec(id=i, regex=regex) for i, regex in enumerate(unique)]


def load(path: Path, limit: int | None) -> list[str]:
    """Lower-cased texts (the matcher sees normalised text), read in place."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        texts = [row["text"].lower() for row in reader]
    return texts[:limit] if limit else texts


def best_rate(run: Callable[[], object], count: int, repeat: int) -> float:
    """Messages per second of the fastest of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return count / best


def contenders(specs: list[PatternSpec], texts: list[str]) -> dict[str, Callable[[], object]]:
    """Name -> a function that scans all ``texts`` once."""
    alternation = re.compile("|".join(f"(?:{spec.regex})" for spec in specs))
    backends: list[Literal["re", "hyperscan"]] = ["re"]
    if hyperscan_available():
        backends.append("hyperscan")
    matchers: dict[str, Matcher] = {}
    for backend in backends:
        start = time.perf_counter()
        matchers[backend] = compile_matcher(specs, backend=backend)
        print(f"  compile {backend}: {1000 * (time.perf_counter() - start):.0f} ms")
    check_parity(matchers, texts)
    runs: dict[str, Callable[[], object]] = {
        "re alternation (baseline)": lambda: [list(alternation.finditer(t)) for t in texts]
    }
    for name, matcher in matchers.items():
        runs[f"{name} scan()"] = functools.partial(scan_each, matcher, texts)
        runs[f"{name} scan_batch()"] = functools.partial(matcher.scan_batch, texts)
    return runs


def scan_each(matcher: Matcher, texts: list[str]) -> list[list[Hit]]:
    """One ``scan`` call per message, as a caller without batches would."""
    return [matcher.scan(text) for text in texts]


def check_parity(matchers: dict[str, Matcher], texts: list[str]) -> None:
    """Every backend, per message and batched, must agree exactly."""
    reference = [matchers["re"].scan(text) for text in texts]
    for name, matcher in matchers.items():
        if matcher.scan_batch(texts) != reference or [matcher.scan(t) for t in texts] != reference:
            sys.exit(f"backend {name} disagrees with the re backend")


def bench(label: str, texts: list[str], specs: list[PatternSpec], repeat: int) -> None:
    """Print one table for one corpus."""
    chars = sum(map(len, texts)) / max(len(texts), 1)
    hits = sum(map(len, compile_matcher(specs, backend="re").scan_batch(texts))) / len(texts)
    print(f"\n{label}: {len(texts)} messages, {chars:.0f} chars and {hits:.2f} hits on average")
    baseline = 0.0
    for name, run in contenders(specs, texts).items():
        rate = best_rate(run, len(texts), repeat)
        baseline = baseline or rate
        speed = f"{rate:>10,.0f} msg/s  {1e6 / rate:7.2f} µs/msg"
        print(f"  {name:<28} {speed}  x{rate / baseline:.1f}")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run both corpora."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,000 messages, 2 runs")
    parser.add_argument("--repeat", type=int, default=5, help="runs per row (best is kept)")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared/data folder")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        sys.exit(f"no corpora at {args.data}; pass --data path/to/shared/data")
    limit, repeat = (2000, 2) if args.quick else (None, args.repeat)
    specs = build_specs()
    print(f"{len(specs)} patterns; hyperscan available: {hyperscan_available()}")
    for label, name in CORPORA.items():
        bench(label, load(args.data / name, limit), specs, repeat)


if __name__ == "__main__":
    main()
