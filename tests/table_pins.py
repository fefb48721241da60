"""Pinned checksums and row counts of the shipped conversion tables.

A published table never changes: these pins make any edit to a shipped file fail the tests.
When you add a table, append its sha256 (``sha256sum conversion_tables/<slug>.toml``) to `PINS`
and its number of ``[[rows]]`` to `ROW_COUNTS`; every shipped file must have a pin.
A correction is a new file with its own pin, never a new pin for an old file.
"""

PINS: dict[str, str] = {
    "anzca-2014": "8a6c2c75933416dd5bc73a243869688b8bd3a66452882d59196e9d04baf7a2bd",
    "anzca-2021": "ebdfccb82cd6341191de6ce475830c0ff819fa9f1a2ae1dfd2308cf8db69e80f",
    "cdc-2016": "014e2831b983057dc96516d2846390920ab935d7ce7a15d072a2b93a0221a9bc",
    "cdc-2022": "8e2efa324e842cfecb0cc40b44a303454449859271ad240caba13163313413c9",
    "cdc-ndc-2010": "be51ef6db88b17cb31bb0b3f09b0d2f8897ec3c83081e81b50a123ca3198bd81",
    "cdc-ndc-2013": "24c367a5b98268b7c44de9ab79d2001dfa0b00a6b3cc04a51f9888b460eb13ef",
    "cdc-ndc-2014": "47325bdaa68f7cf110ca0a5696f12bd81443f943b7be5dd4a7c322e60e311508",
    "cdc-ndc-2016": "10c60473db5b78c76d5e3017f169bf38da8891e39fc9c0c2a325d5cabfa162d3",
    "cdc-ndc-2017": "5c32739f749da8a92b0b36b79f5f82812069a30cfc31c31656c72e49bcda5e0f",
    "cdc-ndc-2018": "dfec39b95c36dd15f30cab9f65e79c4f7dea3a9483189aa7cf77177fc1c19204",
    "cms-2018": "759814c17d6a59b44da1d1dd726d3e10c561205adc9f1d313247cb24b9dbe2c1",
    "heal-2025": "a24098d1c8e8bc5c460c0714fe341a3b6af82403e7eaf98db7e369cbcc0f82c9",
}

ROW_COUNTS: dict[str, int] = {
    "anzca-2014": 18,
    "anzca-2021": 18,
    "cdc-2016": 9,
    "cdc-2022": 10,
    "cdc-ndc-2010": 37,
    "cdc-ndc-2013": 37,
    "cdc-ndc-2014": 39,
    "cdc-ndc-2016": 28,
    "cdc-ndc-2017": 26,
    "cdc-ndc-2018": 26,
    "cms-2018": 20,
    "heal-2025": 22,
}

#: The shipped RxNorm product file (src/mme/data/rxnorm-products.json), derived by scripts/build_rxnorm.py.
#: A rebuild from a newer source is a reviewed change: update this pin with it.
RXNORM_PIN = "81edad2febcfd5dcbe67696250137fd6141fdfe29660da5f1417891918f0d199"
