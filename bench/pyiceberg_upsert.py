"""PyIceberg's side of the upsert benchmark (peer of bench/merge-upsert-floe.ts).

Usage (one step per process, so the upsert's peak RSS is its own):
    .cache/venv/bin/python bench/pyiceberg_upsert.py load DIR
        creates bench.upsert in DIR/pyiceberg.db (warehouse DIR/pyiceberg-wh) and appends
        DIR/base.parquet (untimed by the bench)
    .cache/venv/bin/python bench/pyiceberg_upsert.py upsert DIR
        reads DIR/upsert.parquet into Arrow (before the timer), then times
        Table.upsert(df, join_cols=["id"]) (PyIceberg's MERGE: copy-on-write)

Prints one JSON object on stdout: {"seconds", "peak_rss_mb", ...}. The 20 columns are those of
bench/merge-data.ts (the Parquet files are written by DuckDB from that definition).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any


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

    cols = [
        ("id", LongType()),
        ("updated_at", TimestampType()),
        ("created_at", TimestampType()),
        ("title", StringType()),
        ("status", StringType()),
        ("importance", StringType()),
        ("account_id", StringType()),
        ("author_id", StringType()),
        ("parent_id", LongType()),
        ("priority", IntegerType()),
        ("qty", IntegerType()),
        ("price", DoubleType()),
        ("score", DoubleType()),
        ("amount", DecimalType(18, 4)),
        ("active", BooleanType()),
        ("recurrent", BooleanType()),
        ("due", DateType()),
        ("description", StringType()),
        ("permalink", StringType()),
        ("ref", LongType()),
    ]
    return Schema(
        *[NestedField(i + 1, name, t, required=(name == "id")) for i, (name, t) in enumerate(cols)],
        identifier_field_ids=[1],
    )


def main(argv: list[str]) -> int:
    import pyarrow.parquet as pq
    import pyiceberg
    from pyiceberg.catalog.sql import SqlCatalog

    if len(argv) < 3:
        raise SystemExit(__doc__)
    step, d = argv[1], os.path.abspath(argv[2])
    warehouse = os.path.join(d, "pyiceberg-wh")
    os.makedirs(warehouse, exist_ok=True)
    catalog = SqlCatalog(
        "bench", uri="sqlite:///" + os.path.join(d, "pyiceberg.db"), warehouse="file://" + warehouse
    )
    out: dict[str, Any] = {"pyiceberg": pyiceberg.__version__}
    if step == "load":
        catalog.create_namespace_if_not_exists("bench")
        schema = iceberg_schema()
        table = catalog.create_table("bench.upsert", schema=schema)
        data = pq.read_table(os.path.join(d, "base.parquet")).cast(schema.as_arrow())
        t0 = time.perf_counter()
        table.append(data)
        out["seconds"] = time.perf_counter() - t0
        out["records"] = data.num_rows
    elif step == "upsert":
        table = catalog.load_table("bench.upsert")
        df = pq.read_table(os.path.join(d, "upsert.parquet")).cast(table.schema().as_arrow())
        t0 = time.perf_counter()
        res = table.upsert(df, join_cols=["id"])
        out["seconds"] = time.perf_counter() - t0
        out["rows_updated"] = res.rows_updated
        out["rows_inserted"] = res.rows_inserted
        snap = table.current_snapshot()
        summary = snap.summary if snap is not None else None
        out["total_records"] = int(summary["total-records"]) if summary is not None else -1
    else:
        raise SystemExit(f"unknown step {step}")
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    catalog.engine.dispose()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
