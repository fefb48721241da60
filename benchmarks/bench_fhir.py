"""FHIR NDJSON throughput: a bulk export of MedicationRequests through `mme.fhir.iter_convert`, next to
`mme.daily_mme` on the same regimens written by hand.

Run: ``python benchmarks/bench_fhir.py [N]`` (default N = 100,000 resources; a synthetic export of oral
tablets of the shipped RxNorm file, dosed in every way `mme.testing.timings` writes a frequency).
"""

from __future__ import annotations

import json
import random
import sys
import time

import mme
import mme.fhir
import mme.rxnorm
from mme.testing import FhirRegimen, medication_request

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
TIMINGS = [
    {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}},
    {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
    {"repeat": {"timeOfDay": ["08:00:00", "20:00:00"]}},
    {"code": {"coding": [{"code": "TID"}]}},
]
PER_DAY = [4, 2, 2, 3]


def export(n: int) -> tuple[list[str], list[tuple[str, str, float, int, str]]]:
    """N NDJSON lines and, for each, the same regimen as daily_mme arguments."""
    rng = random.Random(13)
    codes = json.loads(mme.rxnorm.SHIPPED.read_text(encoding="utf-8"))["products"]
    oral = []
    for code in codes:
        product = mme.rxnorm.product(code)
        opioids = product.opioids
        if (
            product.form == "tablet"
            and len(opioids) == 1
            and opioids[0].drug in ("oxycodone", "hydrocodone", "morphine")
        ):
            oral.append((code, opioids[0].drug or "", f"{opioids[0].strength} mg", product.form))
    lines, regimens = [], []
    for i in range(n):
        code, drug, strength, form = rng.choice(oral)
        which = rng.randrange(len(TIMINGS))
        count = rng.choice((1, 2))
        resource = medication_request(FhirRegimen(code, count, PER_DAY[which]), TIMINGS[which]) | {"id": str(i)}
        lines.append(json.dumps(resource))
        regimens.append((drug, strength, count, PER_DAY[which], form))
    return lines, regimens


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    lines, regimens = export(n)
    list(mme.fhir.iter_convert(lines[:100]))  # warm the caches (pint, units, rows), as a running service has them
    start = time.perf_counter()
    converted = sum(result is not None for _, result, _ in mme.fhir.iter_convert(lines))
    fhir_s = time.perf_counter() - start
    start = time.perf_counter()
    for drug, strength, count, per_day, form in regimens:
        mme.daily_mme(drug, strength, count=count, per_day=per_day, form=form)
    engine_s = time.perf_counter() - start
    print(f"{'path':<48} {'resources/s':>12} {'us each':>9}")
    print(f"{'mme.fhir.iter_convert (NDJSON lines)':<48} {n / fhir_s:>12,.0f} {fhir_s / n * 1e6:>9.1f}")
    print(f"{'mme.daily_mme (same regimens, by hand)':<48} {n / engine_s:>12,.0f} {engine_s / n * 1e6:>9.1f}")
    print(f"{converted:,} of {n:,} resources converted; FHIR costs {fhir_s / engine_s:.1f}x the engine call")


if __name__ == "__main__":
    main()
