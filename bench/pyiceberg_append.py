"""PyIceberg's side of the append benchmark (peer of bench/iceberg-append-floe.ts).

Usage:
    .cache/venv/bin/python bench/pyiceberg_append.py DIR [ROWS=1000000] [SMALL_APPENDS=200] [SMALL_ROWS=100]
    .cache/venv/bin/python bench/pyiceberg_append.py job.json
        job: {"catalog": {"name": "bench", "db": "/abs/x.db", "warehouse": "/abs/wh"},
              "rows": 1000000, "small_appends": 200, "small_rows": 100}
With DIR, the SQLite catalog is DIR/pyiceberg.db (catalog name "bench"), the warehouse DIR/pyiceberg-wh.

Prints one JSON object on stdout:
    {"append_1m_s": s, "small_appends_s": [s per commit, ...], "peak_rss_mb": mb,
     "rows": n, "small_appends": n, "small_rows": n, "pyiceberg": "0.12.0"}
(append_1m_s is the single append of ROWS rows, whatever ROWS is.) Data generation happens before
each timer starts and is not counted; peak RSS (resource.getrusage) covers the whole process.

Tables bench.big (one append of ROWS rows) and bench.small (SMALL_APPENDS appends of SMALL_ROWS rows,
batch k holding rows k*SMALL_ROWS ...), unpartitioned, all columns optional.

The 10 columns, for row number i (identical to benchRows() in bench/gen-rows.ts):
    id       long           i
    qty      int            i % 1000
    price    double         (i % 10000) / 7
    name     string         "name-" + i
    active   boolean        i % 3 == 0
    day      date           2024-01-01 + (i % 365) days
    ts       timestamp      2024-01-01T00:00:00 + i seconds   (no zone, microsecond precision)
    amount   decimal(18,4)  floor(i / 10) + (i % 10000) / 10000   e.g. i=12345 -> 1234.2345
    category string         ["alpha","beta","gamma","delta","epsilon","zeta","eta","theta"][i % 8]
    ref      long           i * 7
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

CATEGORIES = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
BASE_MS = 1_704_067_200_000  # Date.UTC(2024, 0, 1)
BASE_DAY = 19_723  # 2024-01-01 in days since the epoch


def iceberg_schema() -> Any:
    from pyiceberg.schema import Schema
    from pyiceberg.types import (
        BooleanType,
        DateType,
        DecimalType,
        DoubleType,
        IntegerType,
        LongType,
        NestedField,
        StringType,
        TimestampType,
    )

    return Schema(
        NestedField(1, "id", LongType()),
        NestedField(2, "qty", IntegerType()),
        NestedField(3, "price", DoubleType()),
        NestedField(4, "name", StringType()),
        NestedField(5, "active", BooleanType()),
        NestedField(6, "day", DateType()),
        NestedField(7, "ts", TimestampType()),
        NestedField(8, "amount", DecimalType(18, 4)),
        NestedField(9, "category", StringType()),
        NestedField(10, "ref", LongType()),
    )


def _mod(a: pa.Array, m: int) -> pa.Array:
    # i >= 0 throughout, so truncating integer division gives the floor
    return pc.subtract(a, pc.multiply(pc.divide(a, m), m))


def bench_table(count: int, start: int, target: pa.Schema) -> pa.Table:
    """Rows start .. start+count-1, vectorised with pyarrow (no per-row Python objects)."""
    i = pa.array(range(start, start + count), pa.int64())
    unscaled = pc.add(pc.multiply(pc.divide(i, 10), 10_000), _mod(i, 10_000))
    as_dec0 = pc.cast(unscaled, pa.decimal128(19, 0))  # int64 needs 19 digits; same 16-byte layout
    amount = pa.Array.from_buffers(pa.decimal128(18, 4), count, as_dec0.buffers())  # same unscaled ints
    cols = {
        "id": i,
        "qty": pc.cast(_mod(i, 1000), pa.int32()),
        "price": pc.divide(pc.cast(_mod(i, 10_000), pa.float64()), 7.0),
        "name": pc.binary_join_element_wise("name-", pc.cast(i, pa.string()), ""),
        "active": pc.equal(_mod(i, 3), 0),
        "day": pc.cast(pc.cast(pc.add(_mod(i, 365), BASE_DAY), pa.int32()), pa.date32()),
        "ts": pc.cast(pc.multiply(pc.add(pc.multiply(i, 1000), BASE_MS), 1000), pa.timestamp("us")),
        "amount": amount,
        "category": pc.take(pa.array(CATEGORIES, pa.string()), _mod(i, 8)),
        "ref": pc.multiply(i, 7),
    }
    return pa.Table.from_pydict(cols).cast(target)


def parse_args(argv: list[str]) -> dict[str, Any]:
    if len(argv) < 2:
        raise SystemExit(__doc__)
    if argv[1].endswith(".json"):
        with open(argv[1], encoding="utf-8") as fh:
            job = json.load(fh)
        cat = job["catalog"]
        return {
            "name": cat["name"],
            "db": cat["db"],
            "warehouse": cat["warehouse"],
            "rows": int(job.get("rows", 1_000_000)),
            "small_appends": int(job.get("small_appends", 200)),
            "small_rows": int(job.get("small_rows", 100)),
        }
    d = os.path.abspath(argv[1])
    return {
        "name": "bench",
        "db": os.path.join(d, "pyiceberg.db"),
        "warehouse": os.path.join(d, "pyiceberg-wh"),
        "rows": int(argv[2]) if len(argv) > 2 else 1_000_000,
        "small_appends": int(argv[3]) if len(argv) > 3 else 200,
        "small_rows": int(argv[4]) if len(argv) > 4 else 100,
    }


def main(argv: list[str]) -> int:
    import pyiceberg
    from pyiceberg.catalog.sql import SqlCatalog

    a = parse_args(argv)
    os.makedirs(a["warehouse"], exist_ok=True)
    catalog = SqlCatalog(a["name"], uri="sqlite:///" + a["db"], warehouse="file://" + a["warehouse"])
    catalog.create_namespace_if_not_exists("bench")
    schema = iceberg_schema()
    target = schema.as_arrow()

    big = catalog.create_table("bench.big", schema=schema)
    data = bench_table(a["rows"], 0, target)
    t0 = time.perf_counter()
    big.append(data)
    append_s = time.perf_counter() - t0
    del data

    small = catalog.create_table("bench.small", schema=schema)
    per_commit: list[float] = []
    for k in range(a["small_appends"]):
        batch = bench_table(a["small_rows"], k * a["small_rows"], target)
        t0 = time.perf_counter()
        small.append(batch)
        per_commit.append(time.perf_counter() - t0)

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    catalog.engine.dispose()
    print(
        json.dumps(
            {
                "append_1m_s": append_s,
                "small_appends_s": per_commit,
                "peak_rss_mb": peak_kb / 1024,
                "rows": a["rows"],
                "small_appends": a["small_appends"],
                "small_rows": a["small_rows"],
                "pyiceberg": pyiceberg.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
