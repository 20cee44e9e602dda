"""The synthetic population: deterministic by seed, realistic shares and correlations
(checked on 20,000 people), minors and students present on purpose."""

from __future__ import annotations

import numpy as np

from smsguard.targeting.synthetic import fake_phone, is_fake_phone
from smsguard.targeting.synthetic_people import REGION_CODES, draw_block, response_logit

N = 20_000


def test_the_same_seed_draws_the_same_people_and_another_seed_others() -> None:
    first, again, other = (
        draw_block(7, 0, 500, 2026),
        draw_block(7, 0, 500, 2026),
        draw_block(8, 0, 500, 2026),
    )
    for name in ("age", "region", "income", "credit", "debt_ratio", "consent", "complaint_days"):
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    assert not np.array_equal(first.debt_ratio, other.debt_ratio)
    assert not np.array_equal(draw_block(7, 1, 500, 2026).age, first.age)  # blocks differ


def test_ages_regions_and_protected_groups_have_realistic_shares() -> None:
    p = draw_block(1, 0, N, 2026)
    assert p.age.min() >= 16 and p.age.max() <= 80
    assert 0.50 <= np.mean((p.age >= 25) & (p.age <= 45)) <= 0.60
    assert 0.01 <= np.mean(p.age < 18) <= 0.02  # minors, on purpose
    assert 0.05 <= np.mean(p.is_student) <= 0.10
    assert np.mean(p.is_student[p.age < 23]) > 0.4 and np.mean(p.is_student[p.age > 30]) < 0.01
    assert 0.005 <= np.mean(p.birth_year == 0) <= 0.02  # unknown age, fail-closed case
    shares = np.bincount(p.region, minlength=len(REGION_CODES)) / N
    guangdong, tibet = shares[REGION_CODES.index("44")], shares[REGION_CODES.index("54")]
    assert 0.08 <= guangdong <= 0.10 and tibet < 0.005  # by census population


def test_income_credit_and_debt_are_correlated_as_in_life() -> None:
    p = draw_block(2, 0, N, 2026)
    income_shares = np.bincount(p.income, minlength=5) / N
    credit_shares = np.bincount(p.credit, minlength=5) / N
    assert all(0.05 <= share <= 0.35 for share in (*income_shares, *credit_shares))
    assert np.corrcoef(p.income, -p.credit)[0, 1] > 0.2  # richer, better band (A = 0)
    shanghai, gansu = REGION_CODES.index("31"), REGION_CODES.index("62")
    assert p.income[p.region == shanghai].mean() > p.income[p.region == gansu].mean() + 0.8
    prime = (p.age >= 35) & (p.age <= 50) & ~p.is_student
    assert p.income[prime].mean() > p.income[p.age < 23].mean() + 0.5
    medians = [np.median(p.debt_ratio[p.credit == band]) for band in range(5)]
    assert medians == sorted(medians) and medians[0] >= 0.08 and medians[4] <= 0.8
    assert p.debt_ratio.min() >= 0 and p.debt_ratio.max() <= 5


def test_arrears_declines_consent_and_complaints() -> None:
    p = draw_block(3, 0, N, 2026)
    assert 0.02 <= np.mean(p.in_arrears) <= 0.045
    assert p.in_arrears[p.credit == 4].mean() > 3 * p.in_arrears[p.credit == 0].mean()
    assert 0.01 <= np.mean((p.declined_days >= 0) & (p.declined_days <= 90)) <= 0.05
    assert 0.55 <= np.mean((p.active_days >= 0) & (p.active_days <= 90)) <= 0.8
    consent = np.bincount(p.consent, minlength=3) / N
    assert consent[1] > 0.85 and 0.02 <= consent[2] <= 0.06 and 0.03 <= consent[0] <= 0.09
    assert np.all(p.withdrawn_days[p.consent == 2] <= p.consent_days[p.consent == 2])
    assert 0.002 <= np.mean(p.complaint_days >= 0) <= 0.007


def test_past_campaigns_reach_only_eligible_people_and_follow_the_planted_model() -> None:
    p = draw_block(4, 0, N, 2026)
    for responded, repaid in zip(p.responded, p.repaid, strict=True):
        reached = responded >= 0
        assert 0.02 <= reached.mean() <= 0.05
        assert not (reached & (p.is_student | p.in_arrears | (p.consent == 0))).any()
        assert not (reached & (p.age < 19)).any()
        assert np.all(repaid[~reached] == -1) and np.all(repaid[responded == 0] == -1)
    big = draw_block(4, 1, 200_000, 2026)
    answered = big.responded[0] >= 0
    logit = response_logit(big)[answered]
    high, low = logit > np.median(logit), logit <= np.median(logit)
    rate = big.responded[0][answered]
    assert rate[high].mean() > rate[low].mean() + 0.05  # the planted signal is there


def test_fake_numbers_are_unique_and_in_the_unallocated_154_segment() -> None:
    numbers = [fake_phone(n) for n in range(100_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(is_fake_phone(n) and n.startswith("+86154") and len(n) == 14 for n in numbers)
    assert not is_fake_phone("+8613812345678")
