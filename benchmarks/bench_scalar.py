"""Median cost of one scalar conversion, next to a hand-written ``dose * factor`` baseline.

Run: ``python benchmarks/bench_scalar.py`` (target: 20 microseconds or less per call).
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable

import mme

REPEAT, NUMBER = 15, 2_000
LONG_SIG = (
    "acetaminophen-HYDROcodone 325 mg-7.5 mg oral tablet 1-2 tab(s) orally every 4 to 6 hours, "
    "as needed for breakthrough pain x 5 days"
)


def median_us(fn: Callable[[], object]) -> float:
    fn()  # warm caches (unit parsing, row matching) as a long-running caller would have them
    runs = timeit.repeat(fn, repeat=REPEAT, number=NUMBER)
    return statistics.median(runs) / NUMBER * 1e6


def main() -> None:
    factors = {"oxycodone": 1.5, "fentanyl": 2.4, "hydrocodone": 1.0}

    def baseline_regimen() -> float:
        return 10.0 * (24 / 6) * factors["oxycodone"]

    def baseline_dispensing() -> float:
        return 10.0 * 120 / 30 * factors["oxycodone"]

    cases = [
        ("daily_mme('oxycodone', '10 mg', every='6 h')", lambda: mme.daily_mme("oxycodone", "10 mg", every="6 h"), baseline_regimen),
        ("daily_mme('fentanyl', '25 mcg/h')", lambda: mme.daily_mme("fentanyl", "25 mcg/h"), lambda: 25.0 * factors["fentanyl"]),
        (
            "dispensing_mme('oxycodone', '10 mg', quantity=120, days_supply=30)",
            lambda: mme.dispensing_mme("oxycodone", "10 mg", quantity=120, days_supply=30),
            baseline_dispensing,
        ),
        (
            "dispensing_mme('methadone', '10 mg', 90, 30, table='cdc-2016')",
            lambda: mme.dispensing_mme("methadone", "10 mg", quantity=90, days_supply=30, table="cdc-2016"),
            lambda: 10.0 * 90 / 30 * 8,
        ),
        (
            "convert('oxycodone 10 mg q6h')",
            lambda: mme.convert("oxycodone 10 mg q6h"),
            baseline_regimen,
        ),
        (
            f"convert(long EHR sig, {len(LONG_SIG)} chars)",
            lambda: mme.convert(LONG_SIG),
            lambda: 7.5 * 2 * 6 * factors["hydrocodone"],
        ),
    ]  # fmt: skip
    print(f"{'call':<72} {'median us':>10} {'baseline us':>12} {'ratio':>8}")
    for name, fn, base in cases:
        lib, hand = median_us(fn), median_us(base)
        flag = "" if lib <= 20 else "  (above the 20 us target)"
        print(f"{name:<72} {lib:>10.2f} {hand:>12.3f} {lib / hand:>7.0f}x{flag}")


if __name__ == "__main__":
    main()
