"""Median cost of one scalar conversion, next to a hand-written ``dose * factor`` baseline.

Run: ``python benchmarks/bench_scalar.py``. Targets: 20 microseconds or less per engine call; `convert` at
most 30 us for a typical expression and 50 us for a long EHR sig. `convert` remembers its recent texts, so
each expression is timed twice: repeated (remembered, as an EHR repeats its sigs) and as a rotating set of
distinct texts, more than the memo holds (each read afresh).
"""

from __future__ import annotations

import itertools
import statistics
import timeit
from collections.abc import Callable

import mme

REPEAT, NUMBER = 15, 2_000
DISTINCT = 5_000  # more texts than `convert` remembers: every call reads its text afresh
LONG_SIG = (
    "acetaminophen-HYDROcodone 325 mg-7.5 mg oral tablet 1-2 tab(s) orally every 4 to 6 hours, "
    "as needed for breakthrough pain x 5 days"
)


def median_us(fn: Callable[[], object]) -> float:
    fn()  # warm caches (unit parsing, row matching) as a long-running caller would have them
    runs = timeit.repeat(fn, repeat=REPEAT, number=NUMBER)
    return statistics.median(runs) / NUMBER * 1e6


def rotating(texts: list[str]) -> Callable[[], object]:
    """`convert` over distinct texts in turn, none of them remembered."""
    turn = itertools.cycle(texts)
    return lambda: mme.convert(next(turn))


def main() -> None:
    factors = {"oxycodone": 1.5, "fentanyl": 2.4, "hydrocodone": 1.0}

    def baseline_regimen() -> float:
        return 10.0 * (24 / 6) * factors["oxycodone"]

    def baseline_dispensing() -> float:
        return 10.0 * 120 / 30 * factors["oxycodone"]

    short = [f"oxycodone {10 + k / 1000:g} mg q6h" for k in range(DISTINCT)]
    long = [LONG_SIG.replace("x 5 days", f"x {k + 1} days") for k in range(DISTINCT)]
    cases = [
        ("daily_mme('oxycodone', '10 mg', every='6 h')", lambda: mme.daily_mme("oxycodone", "10 mg", every="6 h"), baseline_regimen, 20),
        ("daily_mme('fentanyl', '25 mcg/h')", lambda: mme.daily_mme("fentanyl", "25 mcg/h"), lambda: 25.0 * factors["fentanyl"], 20),
        (
            "dispensing_mme('oxycodone', '10 mg', quantity=120, days_supply=30)",
            lambda: mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=30),
            baseline_dispensing,
            20,
        ),
        (
            "dispensing_mme('methadone', '10 mg', 90, 30, table='cdc-2016')",
            lambda: mme.dispensing_mme("methadone", "10 mg", quantity=90, days_supply=30, table="cdc-2016"),
            lambda: 10.0 * 90 / 30 * 8,
            20,
        ),
        ("convert('oxycodone 10 mg q6h'), repeated", lambda: mme.convert("oxycodone 10 mg q6h"), baseline_regimen, 30),
        (f"convert('oxycodone 10.xxx mg q6h'), {DISTINCT} distinct", rotating(short), baseline_regimen, 30),
        (
            f"convert(long EHR sig, {len(LONG_SIG)} chars), repeated",
            lambda: mme.convert(LONG_SIG),
            lambda: 7.5 * 2 * 6 * factors["hydrocodone"],
            50,
        ),
        (f"convert(long EHR sig), {DISTINCT} distinct", rotating(long), lambda: 7.5 * 2 * 6 * factors["hydrocodone"], 50),
    ]  # fmt: skip
    print(f"{'call':<72} {'median us':>10} {'baseline us':>12} {'ratio':>8}")
    for name, fn, base, target in cases:
        lib, hand = median_us(fn), median_us(base)
        flag = "" if lib <= target else f"  (above the {target} us target)"
        print(f"{name:<72} {lib:>10.2f} {hand:>12.3f} {lib / hand:>7.0f}x{flag}")


if __name__ == "__main__":
    main()
