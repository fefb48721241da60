"""`mme.frames` and `mme batch` by RxCUI, row by row against `mme.rxnorm`'s scalar functions.

Rows are drawn over every RxCUI of the shipped product file (tablets, liquids, patches, sprays,
injections, combinations, opioids no table covers), with unknown codes, ingredient-level codes,
missing codes and the products with two opioid ingredients (two salts of oxycodone, read as one) among them.
"""

from __future__ import annotations

import json
import math
import warnings
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

pytest.importorskip("narwhals")

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_frames import CODES, DAYS, FREQUENCIES, NDC_CSV, QUANTITIES, cell, cli, close, make, rows_of, same

import mme
import mme.rxnorm as rx
from mme import frames

pytestmark = [pytest.mark.filterwarnings("ignore::mme.MMEWarning")]

TABLES = [t.slug for t in mme.list_tables()]
BACKENDS = ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb"]
PRODUCTS: dict[str, list[Any]] = json.loads(rx.SHIPPED.read_text(encoding="utf-8"))["products"]
EVERY_RXCUI = sorted(PRODUCTS)
TWO_OPIOIDS = [c for c, row in PRODUCTS.items() if sum(1 for i in row[5] if i[2]) > 1]
ODD_CODES = ["7052", "xyz", "", " 1049621 ", "0", None, *TWO_OPIOIDS]  # ingredient, unknown, blank, padded, missing
ROUTES = [None, None, "IV", "IM", "SC", "oral", "teleport"]
PACKAGES = [None, None, 5.0, 0.0]

assert len(TWO_OPIOIDS) == 2  # aspirin / oxycodone HCl / oxycodone terephthalate (Percodan's old formulation)

NONE = {"mme_per_day": None, "mme_factor": None, "mme_days_supply": None, "mme_excluded": None, "mme_error": None}


def expected(row: dict[str, Any], table: str) -> dict[str, Any]:
    """What `mme.rxnorm.dispensing_mme` says about one claim, in the frame's columns."""
    if row["rxcui"] is None:
        return NONE | {"mme_error": "RxCUI is missing"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)
            r = rx.dispensing_mme(row["rxcui"], quantity=cell(row["quantity"]), days_supply=cell(row["days_supply"]),
                                  package_ml=row.get("package_ml"), route=row.get("route"), table=table)  # fmt: skip
    except mme.MMEError as exc:
        return NONE | {"mme_error": str(exc)}
    assert not isinstance(r, mme.Total)
    if r.days_supply is not None and not math.isfinite(r.days_supply):
        return NONE | {"mme_error": "the daily amount overflows"}
    return NONE | {
        "mme_per_day": r.mme_per_day,
        "mme_factor": None if r.factor is None else float(r.factor),
        "mme_days_supply": r.days_supply,
        "mme_excluded": r.excluded,
    }


def check(out: Any, rows: list[dict[str, Any]], table: str) -> None:
    got = {r["id"]: r for r in rows_of(out)}
    assert sorted(got) == [r["id"] for r in rows], "rows were dropped or duplicated"
    for row in rows:
        want, have = expected(row, table), got[row["id"]]
        where = f"{table}: {row}"
        assert have["mme_error"] == want["mme_error"], where
        assert have["mme_excluded"] == want["mme_excluded"], where
        assert same(have["mme_per_day"], want["mme_per_day"]), (where, have, want)
        for c in ("mme_factor", "mme_days_supply"):
            assert close(have[c], want[c]), (c, where, have, want)


def claims(rows: list[dict[str, Any]], optional: list[str]) -> pa.Table:
    types = {"id": pa.int64(), "rxcui": pa.string(), "quantity": pa.float64(), "days_supply": pa.float64(),
             "route": pa.string(), "package_ml": pa.float64()}  # fmt: skip
    columns = ["id", "rxcui", "quantity", "days_supply", *optional]
    return pa.table({c: pa.array([r.get(c) for r in rows], types[c]) for c in columns})


@st.composite
def claim_frames(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str], str]:
    optional = [c for c in ("route", "package_ml") if draw(st.booleans())]
    pools: dict[str, list[Any]] = {"route": ROUTES, "package_ml": PACKAGES}
    row = st.fixed_dictionaries({
        "rxcui": st.one_of(st.sampled_from(EVERY_RXCUI), st.sampled_from(ODD_CODES)),
        "quantity": st.sampled_from(QUANTITIES), "days_supply": st.sampled_from(DAYS),
        **{c: st.sampled_from(pools[c]) for c in optional},
    })  # fmt: skip
    rows = draw(st.lists(row, min_size=1, max_size=30))
    for i, r in enumerate(rows):
        r["id"] = i
    return rows, optional, draw(st.sampled_from(TABLES))


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=claim_frames())
def test_claims_by_rxcui_equal_the_scalar_function(
    backend: str, case: tuple[list[dict[str, Any]], list[str], str]
) -> None:
    rows, optional, table = case
    columns: dict[str, Any] = {c: c for c in optional}
    out = frames.dispensing_mme(make(backend, claims(rows, optional)), table=table, rxcui="rxcui", **columns)
    check(out, rows, table)


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
def test_every_product_of_the_file_equals_the_scalar_function(backend: str) -> None:
    """Each RxCUI of the shipped file once: tablets, liquids (quantity in mL), patches, sprays, injections."""
    injection = {c: rx.product(c).route is None for c in EVERY_RXCUI}  # RxNorm states no route: the row says IV
    rows = [
        {"id": i, "rxcui": c, "quantity": 60.0, "days_supply": 30.0, "route": "IV" if injection[c] else None}
        for i, c in enumerate(EVERY_RXCUI)
    ]
    for table in ("cdc-2022", "cdc-ndc-2018"):
        out = frames.dispensing_mme(make(backend, claims(rows, ["route"])), table=table, rxcui="rxcui", route="route")
        check(out, rows, table)
    counted = [r for r in rows_of(out) if r["mme_per_day"] is not None]
    assert len(counted) > len(EVERY_RXCUI) * 2 // 3  # not a comparison of errors with errors (787 of 1044)


def test_a_product_the_table_does_not_cover_is_said_as_the_scalar_says_it() -> None:
    """Actiq under cdc-2022: the row said "say the product's route and form", which RxNorm gave; the scalar no more."""
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"rxcui": ["261106"], "quantity": [30.0], "days_supply": [10.0]})
    [error] = frames.dispensing_mme(df, rxcui="rxcui")["mme_error"].to_list()
    with pytest.raises(mme.NotCoveredError) as scalar:
        rx.dispensing_mme("261106", quantity=30, days_supply=10)
    assert error == str(scalar.value)
    assert "RxCUI 261106 states its route and form, which the table does not cover." in error


def test_a_pack_counts_its_units_together() -> None:
    """Was 108: Subsys 1200 MCG is a pack of two 0.6 mg sprays; a claim by its RxCUI reads as by its NDC (216)."""
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"rxcui": ["1740008", "1237066"], "quantity": [30.0, 30.0], "days_supply": [30.0, 30.0]})
    out = frames.dispensing_mme(df, rxcui="rxcui", table="cdc-ndc-2018")
    spray = rx.dispensing_mme("1237066", quantity=30, days_supply=30, table="cdc-ndc-2018").mme_per_day
    assert spray == 108.0  # the 0.6 mg spray itself: 600 mcg x 0.18
    assert out["mme_per_day"].to_list() == [216.0, spray]  # 1200 mcg x 0.18


def test_a_spray_claim_that_may_be_in_ml_or_bottles_warns_as_the_engine_does() -> None:
    """Butorphanol 1 MG/ACTUAT (886634): 2.5 (mL) and 1 (a bottle) over 30 days warn; 30 sprays do not; Lazanda
    (1729322) 1 over 2 days warns; a Subsys spray (1237066, single-dose) does not."""
    pl = pytest.importorskip("polars")
    claims_ = [("886634", 2.5, 30.0), ("886634", 1.0, 30.0), ("886634", 30.0, 30.0), ("1729322", 1.0, 2.0),
               ("1237066", 10.0, 30.0)]  # fmt: skip
    df = pl.DataFrame({"rxcui": [c for c, _, _ in claims_], "quantity": [q for _, q, _ in claims_],
                       "days_supply": [d for _, _, d in claims_]})  # fmt: skip
    out = frames.dispensing_mme(df, rxcui="rxcui", table="cdc-ndc-2018")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mme.ImplausibleDoseWarning)
        want = [rx.dispensing_mme(c, quantity=q, days_supply=d, table="cdc-ndc-2018") for c, q, d in claims_]
    assert out["mme_warning"].to_list() == [" | ".join(w.warnings) or None for w in want]
    assert [w is not None for w in out["mme_warning"]] == [True, True, False, True, False]
    assert out["mme_per_day"].to_list() == [w.mme_per_day for w in want]


def test_an_integer_column_of_codes() -> None:
    """RxCUIs read as numbers (a CSV column of digits; pandas makes floats of a column with nulls)."""
    pd = pytest.importorskip("pandas")
    codes = [1049621, None, 245134, 1049621.5, math.inf]  # was: the run failed (NaN cast to an integer)
    df = pd.DataFrame({"rxcui": codes, "quantity": [120] + [10] * 4, "days_supply": [30] * 5})
    out = frames.dispensing_mme(df, rxcui="rxcui")
    want = [rx.dispensing_mme(c, quantity=q, days_supply=30).mme_per_day for c, q in (("1049621", 120), ("245134", 10))]
    assert want == [30.0, 60.0]  # 5 mg x 120 / 30 x 1.5; 25 mcg/h x 2.4
    assert [out["mme_per_day"][0], out["mme_per_day"][2]] == want
    assert out["mme_per_day"][3:].isna().all()  # a fractional code is not rounded to a product's
    assert out["mme_error"][:3].fillna("").tolist() == ["", "RxCUI is missing", ""]
    assert out["mme_error"][3].startswith("RxCUI '1049621.5' is not in the RxNorm product file")


def test_an_ndc_column_of_floats_with_nulls(tmp_path: Path) -> None:
    """Was: the run failed on pandas (NaN cast to an integer); now the missing NDC fails its row, the others convert."""
    pd = pytest.importorskip("pandas")
    path = tmp_path / "cdc_ndc.csv"
    path.write_text(NDC_CSV)
    ndc_file = mme.read_ndc_file(path)
    df = pd.DataFrame({"ndc": [93690045.0, None], "quantity": [10, 10], "days_supply": [30, 30]})
    out = frames.dispensing_mme(df, ndc="ndc", ndc_file=ndc_file)
    want = mme.ndc_mme("93690045", quantity=10, days_supply=30, ndc_file=ndc_file).mme_per_day
    assert want == 60.0  # 25 mcg/h x 10 patches worn 3 days, over 30 days: x 7.2 / 3
    assert out["mme_per_day"][0] == want
    assert out["mme_error"].fillna("").tolist() == ["", "NDC is missing"]


def test_each_distinct_code_is_looked_up_once() -> None:
    pl = pytest.importorskip("polars")
    codes = ["1049621", "245134", "xyz"] * 1000
    df = pl.DataFrame({"rxcui": codes, "quantity": [30.0] * len(codes), "days_supply": [10.0] * len(codes)})
    with mock.patch.object(rx, "product", wraps=rx.product) as looked_up:
        out = frames.dispensing_mme(df, rxcui="rxcui")
    assert sorted(c.args[0] for c in looked_up.call_args_list) == ["1049621", "245134", "xyz"]
    assert out["mme_per_day"].null_count() == 1000  # "xyz": failed, never 0


def test_a_product_file_that_cannot_be_read_stops_the_run(tmp_path: Path) -> None:
    """A configuration error is the run's, once, not every row's."""
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"rxcui": ["1049621"], "quantity": [30.0], "days_supply": [10.0]})
    with pytest.raises(mme.TableError, match="no RxNorm product file"):
        frames.dispensing_mme(df, rxcui="rxcui", rxnorm=tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(mme.TableError, match="not an RxNorm product file"):
        frames.dispensing_mme(df, rxcui="rxcui", rxnorm=bad)


def test_a_product_file_of_ones_own(tmp_path: Path) -> None:
    """rxnorm=PATH is read instead of the shipped file: a code only it holds converts."""
    pl = pytest.importorskip("polars")
    data = json.loads(rx.SHIPPED.read_text(encoding="utf-8"))
    data["products"] = {"99999999": data["products"]["1049621"]}
    path = tmp_path / "products.json"
    path.write_text(json.dumps(data))
    df = pl.DataFrame({"rxcui": ["99999999", "1049621"], "quantity": [120.0, 120.0], "days_supply": [30.0, 30.0]})
    out = frames.dispensing_mme(df, rxcui="rxcui", rxnorm=path)
    assert out["mme_per_day"][0] == rx.dispensing_mme("99999999", quantity=120, days_supply=30, rxnorm=path).mme_per_day
    assert out["mme_per_day"][1] is None
    assert out["mme_error"][1].startswith("RxCUI '1049621' is not in the RxNorm product file")


def test_columns_that_the_product_gives_are_refused() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"rxcui": ["1049621"], "ndc": ["x"], "form": ["tablet"], "quantity": [1], "days_supply": [1]})
    for options in ({"form": "form"}, {"release": "form"}, {"ndc": "ndc", "ndc_file": mock.Mock()}):
        with pytest.raises(mme.ColumnError, match="come from the RxNorm product"):
            frames.dispensing_mme(df, rxcui="rxcui", **options)
    with pytest.raises(KeyError, match="'code'"):
        frames.dispensing_mme(df, rxcui="code")


# -- regimens -------------------------------------------------------------------------------------------------


def expected_regimen(row: dict[str, Any], table: str) -> dict[str, Any]:
    """What `mme.rxnorm.daily_mme` says of ``count`` units ``per_day`` times a day, in the frame's columns."""
    none = {k: v for k, v in NONE.items() if k != "mme_days_supply"}
    if row["rxcui"] is None:
        return none | {"mme_error": "RxCUI is missing"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mme.MMEWarning)
            r = rx.daily_mme(row["rxcui"], count=cell(row["count"]), per_day=row["per_day"], table=table)
    except mme.MMEError as exc:
        return none | {"mme_error": str(exc)}
    assert not isinstance(r, mme.Total)
    return none | {"mme_per_day": r.mme_per_day, "mme_factor": None if r.factor is None else float(r.factor),
                   "mme_excluded": r.excluded}  # fmt: skip


@pytest.mark.parametrize("backend", ["polars", "pandas", "duckdb"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codes=st.booleans(), table=st.sampled_from(TABLES), data=st.data())
def test_regimens_by_rxcui_equal_the_scalar_function(
    backend: str, codes: bool, table: str, data: st.DataObject
) -> None:
    strategy = st.fixed_dictionaries({
        "rxcui": st.one_of(st.sampled_from(EVERY_RXCUI), st.sampled_from(ODD_CODES)),
        "count": st.sampled_from([1.0, 2.0, 0.5, 0.0]), "per_day": st.sampled_from(CODES if codes else FREQUENCIES),
    })  # fmt: skip
    rows = data.draw(st.lists(strategy, min_size=1, max_size=25))
    native = make(backend, pa.table({
        "id": pa.array(range(len(rows)), pa.int64()), "rxcui": pa.array([r["rxcui"] for r in rows], pa.string()),
        "count": pa.array([r["count"] for r in rows], pa.float64()),
        "per_day": pa.array([r["per_day"] for r in rows], pa.string() if codes else pa.float64()),
    }))  # fmt: skip
    out = rows_of(frames.daily_mme(native, table=table, rxcui="rxcui", count="count"))
    got = {r["id"]: r for r in out}
    for i, row in enumerate(rows):
        want, have = expected_regimen(row, table), got[i]
        assert have["mme_error"] == want["mme_error"], (table, row)
        assert have["mme_excluded"] == want["mme_excluded"], (table, row)
        assert same(have["mme_per_day"], want["mme_per_day"]), (table, row, have, want)
        assert close(have["mme_factor"], want["mme_factor"]), (table, row)


def test_a_regimen_of_a_liquid_needs_its_volume() -> None:
    pl = pytest.importorskip("polars")
    liquid = next(c for c, row in PRODUCTS.items() if row[5][-1][4] == "MG/ML" and row[5][-1][2] == "morphine")
    out = frames.daily_mme(pl.DataFrame({"rxcui": [liquid], "per_day": [4.0]}), rxcui="rxcui")
    with pytest.raises(mme.DoseError) as scalar:
        rx.daily_mme(liquid, per_day=4)
    assert out["mme_error"].to_list() == [str(scalar.value)]
    assert "give the volume of a dose in mL, or the dose in mg" in str(scalar.value)


def test_a_regimen_of_prefilled_syringes_is_their_volume_as_the_scalar_function() -> None:
    """A count of a unit that holds one dose (1 ML morphine 10 MG/ML Prefilled Syringe) is its volume, in a frame
    as in `mme.rxnorm.daily_mme`; a vial's count is refused in both, with one message."""
    pl = pytest.importorskip("polars")
    codes = ["894912", "892489"]  # the syringe; a 10 ML vial (Duramorph), which may hold several doses
    df = pl.DataFrame({"rxcui": codes, "count": [2.0, 1.0], "per_day": [6.0, 6.0], "route": ["IV", "IV"]})
    out = frames.daily_mme(df, table="anzca-2021", rxcui="rxcui", count="count", per_day="per_day", route="route")
    syringe = rx.daily_mme("894912", count=2, per_day=6, route="IV", table="anzca-2021")
    assert out["mme_per_day"].to_list()[0] == syringe.mme_per_day == 360.0  # 2 x 10 mg x 6 x 3
    with pytest.raises(mme.DoseError) as vial:
        rx.daily_mme("892489", count=1, per_day=6, route="IV", table="anzca-2021")
    assert out["mme_error"].to_list()[1] == str(vial.value)


# -- summaries and the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["polars", "pandas"])  # DuckDB: the same keys as dispensing_mme, tested above
def test_summaries_by_rxcui_equal_those_by_drug_and_strength(backend: str) -> None:
    """The same fills written as the product's drug, strength, form, route and release give the same summary."""
    fills = [("a", "1049621", 120.0, 30.0), ("a", "245134", 10.0, 30.0), ("b", "1049640", 60.0, 15.0),
             ("b", "xyz", 10.0, 10.0), ("c", TWO_OPIOIDS[0], 10.0, 5.0)]  # fmt: skip
    rows = []
    for patient, code, quantity, days in fills:
        if code in PRODUCTS:
            product = rx.product(code)
            (ing,) = rx._read_as(product)  # Percodan's two oxycodone salts: one oxycodone of 4.88 mg
            strength, unit = rx._strength(product, ing, "cdc-2022", product.route)
            names = {"drug": ing.drug, "form": product.form, "route": product.route, "release": product.release}
        else:  # a row that fails by its name too
            strength, unit, names = 1.0, "mg", {"drug": "unobtainium"}
        rows.append({"patient_id": patient, "fill_date": date(2024, 1, 2), "rxcui": code, "strength": strength,
                     "strength_unit": unit, "quantity": quantity, "days_supply": days} | names)  # fmt: skip
    columns = {c: [r.get(c) for r in rows] for c in rows[0] | {"form": 0, "route": 0, "release": 0}}
    data = make(backend, pa.table(columns))
    start, end = date(2024, 1, 1), date(2024, 3, 31)
    by_code = rows_of(frames.summarize(data, start=start, end=end, table="cdc-2022", rxcui="rxcui"))
    by_name = rows_of(frames.summarize(data, start=start, end=end, table="cdc-2022", form="form", route="route",
                                       release="release"))  # fmt: skip
    by_code.sort(key=lambda r: r["patient_id"])
    by_name.sort(key=lambda r: r["patient_id"])
    for have, want in zip(by_code, by_name, strict=True):
        assert have["patient_id"] == want["patient_id"]
        for c in frames.SUMMARY_COLUMNS:
            if c == "failed_reason":
                assert (have[c] is None) == (want[c] is None), (have, want)
            else:
                assert close(have[c], want[c]) if isinstance(want[c], float) else have[c] == want[c], (c, have, want)
    failed = {r["patient_id"]: r["failed_reason"] for r in by_code}
    assert str(failed["b"]).startswith("RxCUI 'xyz'")
    assert failed["c"] is None  # it was refused: "2 opioid ingredients, which a frame's row does not add up"
    assert by_code[2]["total_mme"] == pytest.approx(4.88 * 10 * 1.5)
    assert by_code[0]["total_mme"] == 5 * 120 * 1.5 + 60 * 10 * 3  # a: oxycodone tablets and 10 patches worn 3 days


def test_cli_batch_reads_a_code_written_as_a_whole_float(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Was "may be newer than the file": a column of RxCUIs exported as floats ("1049621.0") names the integer; a
    code that is not whole is refused, saying so."""
    src = tmp_path / "claims.csv"
    src.write_text("code,qty,days\n1049621.0,120,30\n1049621.5,120,30\n")
    dst = tmp_path / "out.csv"
    code, _, err = cli(["batch", str(src), "-o", str(dst), "--rxcui-col", "code", "--quantity-col", "qty",
                        "--days-supply-col", "days"], capsys)  # fmt: skip
    assert code == 0, err
    import polars as pl

    out = pl.read_csv(dst)
    assert out["mme_per_day"].to_list() == [rx.dispensing_mme("1049621", quantity=120, days_supply=30).mme_per_day,
                                            None]  # fmt: skip
    assert out["mme_error"][1].endswith("an RxCUI is a whole number (e.g. '1049621').")


def test_cli_batch_and_summarize_by_rxcui(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "claims.csv"
    src.write_text(
        "patient,filled,code,qty,days\n"
        "a,2024-01-02,1049621,120,30\n"
        "a,2024-01-02,245134,10,30\n"
        "b,2024-01-05,7052,10,10\n"
    )
    dst = tmp_path / "out.csv"
    code, _, err = cli(["batch", str(src), "-o", str(dst), "--rxcui-col", "code", "--quantity-col", "qty",
                        "--days-supply-col", "days"], capsys)  # fmt: skip
    assert code == 0, err
    import polars as pl

    out = pl.read_csv(dst)
    assert out["mme_per_day"].to_list() == [30.0, 60.0, None]  # 5 mg x 120 / 30 x 1.5; 25 mcg/h x 2.4
    assert out["mme_error"][2].startswith("RxCUI '7052' is not in the RxNorm product file")
    assert "2 converted, 0 excluded, 1 failed" in err
    code, _, err = cli(["summarize", str(src), "-o", str(tmp_path / "summary.csv"), "--rxcui-col", "code",
                        "--quantity-col", "qty", "--days-supply-col", "days", "--patient-col", "patient",
                        "--fill-date-col", "filled", "--start", "2024-01-01", "--end", "2024-01-31",
                        "--rxnorm", str(rx.SHIPPED)], capsys)  # fmt: skip
    assert code == 0, err
    summary = pl.read_csv(tmp_path / "summary.csv")
    # a: 5 mg x 120 x 1.5, and 60 MME/day over 10 patches x 3 days worn (within the window); b: failed, no total
    assert summary["total_mme"].to_list() == [5 * 120 * 1.5 + 60 * 10 * 3, None]
    code, _, err = cli(["batch", str(src), "-o", str(dst), "--rxcui-col", "code", "--rxnorm",
                        str(tmp_path / "none.json")], capsys)  # fmt: skip
    assert code == 1
    assert "none.json" in err
