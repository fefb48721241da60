"""Median cost of one scalar conversion, next to a hand-written ``dose * factor`` baseline.

Run: ``python benchmarks/bench_scalar.py``. Targets: 20 microseconds or less per engine call; `convert` at
most 30 us for a typical expression and 50 us for a long EHR sig, on text it has never seen. `convert`
remembers its recent texts, so each kind of expression is timed twice: one text repeated (remembered, as an
EHR repeats its sigs) and a rotating set of distinct texts, more than the memo holds, so that each call reads
its text afresh (the words and numbers in it recur, as they do in real sigs). Times are CPU time of this process,
so that other work on a busy machine does not count as the library's.
"""

from __future__ import annotations

import itertools
import statistics
import time
import timeit
from collections.abc import Callable

import mme

REPEAT, NUMBER = 15, 2_000
LONG_SIG = (
    "acetaminophen-HYDROcodone 325 mg-7.5 mg oral tablet 1-2 tab(s) orally every 4 to 6 hours, "
    "as needed for breakthrough pain x 5 days"
)

#: Typical expressions: every combination of these parts (2,880 texts, about 30 characters each).
TYPICAL = [
    " ".join(part for part in parts if part)
    for parts in itertools.product(
        [f"{drug} {dose}" for drug, doses in {
            "oxycodone": ["5 mg", "10 mg", "15 mg"], "hydrocodone/acetaminophen": ["5/325 mg", "7.5/325 mg", "10/325 mg"],
            "morphine": ["15 mg", "30 mg"], "tramadol": ["50 mg", "100 mg"], "hydromorphone": ["2 mg", "4 mg"],
            "tapentadol": ["50 mg", "100 mg"], "oxymorphone": ["5 mg", "10 mg"], "codeine": ["30 mg", "60 mg"],
        }.items() for dose in doses],
        ["", "1 tab", "2 tabs", "1/2 tab"],
        ["q4h", "q6h", "q8h", "q12h", "bid", "tid", "qid", "daily", "every 6 hours", "twice a day"],
        ["", "po"],
        ["", "prn"],
    )
]  # fmt: skip

#: Long EHR sigs written as `LONG_SIG` is (2,520 texts, 85 to 131 characters).
LONG = [
    f"{product} {count} orally {every}, {why} x {days} days"
    for product, count, every, why, days in itertools.product(
        ["acetaminophen-HYDROcodone 325 mg-7.5 mg oral tablet", "acetaminophen-HYDROcodone 325 mg-5 mg oral tablet",
         "acetaminophen-oxyCODONE 325 mg-5 mg oral tablet", "oxyCODONE 5 mg oral tablet", "traMADol 50 mg oral tablet"],
        ["1-2 tab(s)", "1 tab(s)", "2 tab(s)"],
        ["every 4 to 6 hours", "every 6 hours", "every 4 hours", "every 8 hours"],
        ["as needed for breakthrough pain", "as needed for severe pain", "as needed for pain"],
        range(1, 15),
    )
]  # fmt: skip


def median_us(fn: Callable[[], object]) -> float:
    fn()  # warm caches (unit parsing, row matching) as a long-running caller would have them
    runs = timeit.repeat(fn, repeat=REPEAT, number=NUMBER, timer=time.process_time)
    return statistics.median(runs) / NUMBER * 1e6


def rotating(texts: list[str]) -> Callable[[], object]:
    """`convert` over distinct texts in turn, none of them remembered (more of them than the memo holds)."""
    turn = itertools.cycle(texts)
    return lambda: mme.convert(next(turn))


def main() -> None:
    factors = {"oxycodone": 1.5, "fentanyl": 2.4, "hydrocodone": 1.0}
    engine = [
        ("daily_mme('oxycodone', '10 mg', every='6 h')", lambda: mme.daily_mme("oxycodone", "10 mg", every="6 h"), lambda: 10.0 * (24 / 6) * factors["oxycodone"]),
        ("daily_mme('fentanyl', '25 mcg/h')", lambda: mme.daily_mme("fentanyl", "25 mcg/h"), lambda: 25.0 * factors["fentanyl"]),
        (
            "dispensing_mme('oxycodone', '10 mg', quantity=120, days_supply=30)",
            lambda: mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=30),
            lambda: 10.0 * 120 / 30 * factors["oxycodone"],
        ),
        (
            "dispensing_mme('methadone', '10 mg', 90, 30, table='cdc-2016')",
            lambda: mme.dispensing_mme("methadone", "10 mg", quantity=90, days_supply=30, table="cdc-2016"),
            lambda: 10.0 * 90 / 30 * 8,
        ),
    ]  # fmt: skip
    print(f"{'engine call (target 20 us)':<72} {'median CPU us':>14} {'baseline us':>12} {'ratio':>8}")
    for name, fn, base in engine:
        lib, hand = median_us(fn), median_us(base)
        flag = "" if lib <= 20 else "  (above the 20 us target)"
        print(f"{name:<72} {lib:>14.2f} {hand:>12.3f} {lib / hand:>7.0f}x{flag}")
    texts = [
        (f"typical expression ('oxycodone 10 mg q6h'; {len(TYPICAL)} texts)", "oxycodone 10 mg q6h", TYPICAL, 30),
        (f"long EHR sig ({len(LONG_SIG)} chars; {len(LONG)} texts)", LONG_SIG, LONG, 50),
    ]
    print(f"\n{'convert':<56} {'repeated us':>12} {'first-time us':>14} {'target us':>10} {'first/target':>13}")
    for name, one, distinct, target in texts:
        mme.clear_caches()
        repeated, first = median_us(lambda one=one: mme.convert(one)), median_us(rotating(distinct))
        flag = "" if first <= target else "  (above the target)"
        print(f"{name:<56} {repeated:>12.2f} {first:>14.2f} {target:>10} {first / target:>12.2f}x{flag}")


if __name__ == "__main__":
    main()
