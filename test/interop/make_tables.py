"""Create Iceberg tables with PyIceberg and Spark for floe to read (the other interop direction).

Run by hand:
    .cache/venv/bin/python test/interop/make_tables.py job.json > result.json

Job (JSON file, argv[1]):
    {
      "catalog": {"name": "floe", "db": "/abs/catalog.db", "warehouse": "/abs/warehouse"},
      "namespace": "interop",                 # optional, default "interop"
      "out_dir": "/abs/dir",                  # where the expected-rows jsonl files go
      "cases": ["pyiceberg_partitioned", "spark_bucket", "spark_mor_delete", "spark_mor_merge",
                "spark_schema_evolution"]
    }                                         # cases optional: default all of them

Result (stdout, one JSON object; logs go to stderr):
    {
      "ok": true,
      "errors": [],
      "timings_s": {"pyiceberg": 1.2, "spark_start": 14.0, "spark": 20.1},
      "tables": {
        "<case>": {
          "identifier": "interop.py_partitioned", "writer": "pyiceberg" | "spark",
          "expected_rows": "/abs/dir/<case>.jsonl", "rows": 24,
          "snapshot_ids": [..],                # oldest first
          "time_travel": [{"snapshot_id": n, "expected_rows": "/abs/...jsonl", "rows": n}],
          "aggregates": {"count": n, "min": {col: canonical}, "max": {col: canonical}},
          "pruning": [{"filter": "...", "expected_count": n, "expected_files_at_most": n}],
          "info": {...}                        # case specific facts (e.g. delete-file counts)
        }
      }
    }
Exit code: 0 all cases made, 1 some case failed (see errors), 2 bad job / fatal.

The canonical JSON format of the expected rows is described in verify.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sys
import tempfile
import time
import traceback
from decimal import Decimal
from typing import Any, Callable

from interop_common import (
    CatalogSpec,
    StructT,
    canonical,
    emit_result,
    guard_stdout,
    log,
    parse_struct,
    spark_ident,
    start_spark,
    write_jsonl,
)

ALL_CASES = ["pyiceberg_partitioned", "spark_bucket", "spark_mor_delete", "spark_mor_merge", "spark_schema_evolution"]
UTC = dt.timezone.utc

CaseResult = dict[str, Any]


def agg_expect(rows: list[dict[str, Any]], schema: StructT, cols: list[str]) -> dict[str, Any]:
    """count(*), min(c), max(c) of the python values (nulls and NaN ignored), as canonical JSON."""
    types = {f.name: f.type for f in schema.fields}
    mins: dict[str, Any] = {}
    maxs: dict[str, Any] = {}
    for c in cols:
        vals = [r[c] for r in rows if r[c] is not None and not (isinstance(r[c], float) and math.isnan(r[c]))]
        mins[c] = canonical(min(vals), types[c]) if vals else None
        maxs[c] = canonical(max(vals), types[c]) if vals else None
    return {"count": len(rows), "min": mins, "max": maxs}


def canon_rows(rows: list[dict[str, Any]], schema: StructT) -> list[dict[str, Any]]:
    return [canonical(r, schema) for r in rows]


# ---------------------------------------------------------------------------------------------
# (a) PyIceberg: many types, partitioned by day(ts) + identity(category), two appends
# ---------------------------------------------------------------------------------------------


def py_rows(start: int, n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cats = ["alpha", "beta", "gamma"]
    base = dt.datetime(2024, 3, 1, 0, 0, 0)
    for i in range(start, start + n):
        ts = base + dt.timedelta(hours=7 * i, microseconds=i * 1001)
        rows.append(
            {
                "id": i,
                "i32": (i * 7919) % 1000 - 500 if i % 5 else None,
                "f32": [1.5, 0.1, -2.25, 3.4028234663852886e38, None][i % 5],
                "f64": [0.1 * i, float("nan"), float("-inf"), -0.0, 1e300][i % 5] if i != 3 else None,
                "dec": Decimal(f"{(i * 37) % 2000 - 1000}.{i % 100:02d}"),
                "s": ["", "héllo", "a\"quote", "line\nbreak", "日本語"][i % 5] + str(i),
                "flag": [True, False, None][i % 3],
                "d": dt.date(2024, 2, 28) + dt.timedelta(days=i),
                "ts": ts,
                "tstz": (ts + dt.timedelta(minutes=13)).replace(tzinfo=UTC),
                "bin": bytes([i % 256, 0, 255]) if i % 4 else None,
                "fx": bytes([i % 256, 1, 2, 3]),
                "category": cats[i % 3],
                "tags": [f"t{i}", f"u{i % 2}"] if i % 3 else [],
                "props": [("k1", i), ("k0", -i)] if i % 2 else None,
                "point": {"x": i / 4, "y": None if i % 2 else -i / 8} if i % 7 else None,
            }
        )
    return rows


def make_pyiceberg_partitioned(cat: CatalogSpec, ns: str, out_dir: str) -> CaseResult:
    import pyarrow as pa
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import DayTransform, IdentityTransform
    from pyiceberg.types import (
        BinaryType,
        BooleanType,
        DateType,
        DecimalType,
        DoubleType,
        FixedType,
        FloatType,
        IntegerType,
        ListType,
        LongType,
        MapType,
        NestedField,
        StringType,
        StructType,
        TimestampType,
        TimestamptzType,
    )

    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "i32", IntegerType()),
        NestedField(3, "f32", FloatType()),
        NestedField(4, "f64", DoubleType()),
        NestedField(5, "dec", DecimalType(10, 2)),
        NestedField(6, "s", StringType()),
        NestedField(7, "flag", BooleanType()),
        NestedField(8, "d", DateType()),
        NestedField(9, "ts", TimestampType()),
        NestedField(10, "tstz", TimestamptzType()),
        NestedField(11, "bin", BinaryType()),
        NestedField(12, "fx", FixedType(4)),
        NestedField(13, "category", StringType()),
        NestedField(14, "tags", ListType(17, StringType(), element_required=False)),
        NestedField(15, "props", MapType(18, StringType(), 19, LongType(), value_required=False)),
        NestedField(
            16,
            "point",
            StructType(NestedField(20, "x", DoubleType()), NestedField(21, "y", DoubleType())),
        ),
    )
    spec = PartitionSpec(
        PartitionField(source_id=9, field_id=1000, transform=DayTransform(), name="ts_day"),
        PartitionField(source_id=13, field_id=1001, transform=IdentityTransform(), name="category"),
    )
    catalog = cat.pyiceberg(read_only=False)
    try:
        catalog.create_namespace_if_not_exists(ns)
        ident = f"{ns}.py_partitioned"
        table = catalog.create_table(ident, schema=schema, partition_spec=spec)
        arrow_schema = schema.as_arrow()
        batches = [py_rows(1, 12), py_rows(13, 12)]
        snapshot_ids: list[int] = []
        for batch in batches:
            table.append(pa.Table.from_pylist(batch, schema=arrow_schema))
            table = catalog.load_table(ident)
            snapshot_ids.append(table.current_snapshot().snapshot_id)
        ischema = parse_struct(json.loads(table.schema().model_dump_json()))
        all_rows = batches[0] + batches[1]
        rows_path = os.path.join(out_dir, "pyiceberg_partitioned.jsonl")
        write_jsonl(rows_path, canon_rows(all_rows, ischema))
        tt_path = os.path.join(out_dir, "pyiceberg_partitioned.snap0.jsonl")
        write_jsonl(tt_path, canon_rows(batches[0], ischema))
        # one data file per (append, day, category): bound the files a category filter may plan
        beta_files = len({(b, r["ts"].date()) for b, batch in enumerate(batches) for r in batch if r["category"] == "beta"})
        beta_rows = sum(1 for r in all_rows if r["category"] == "beta")
        return {
            "identifier": ident,
            "writer": "pyiceberg",
            "expected_rows": rows_path,
            "rows": len(all_rows),
            "snapshot_ids": snapshot_ids,
            "time_travel": [{"snapshot_id": snapshot_ids[0], "expected_rows": tt_path, "rows": len(batches[0])}],
            "aggregates": agg_expect(all_rows, ischema, ["id", "i32", "dec", "d", "ts", "tstz"]),
            "pruning": [
                {"filter": "category == 'beta'", "expected_count": beta_rows, "expected_files_at_most": beta_files},
                {"filter": "id < 0", "expected_count": 0, "expected_files_at_most": 0},
            ],
            "info": {"data_files": sum(1 for _ in table.scan().plan_files())},
        }
    finally:
        catalog.engine.dispose()


# ---------------------------------------------------------------------------------------------
# Spark cases
# ---------------------------------------------------------------------------------------------


def spark_schema_of(spark: Any, cat: CatalogSpec, ident: str) -> StructT:
    """Iceberg schema of a Spark-made table, read from its current metadata JSON."""
    from interop_common import read_metadata_json, schema_from_metadata

    return schema_from_metadata(read_metadata_json(cat.metadata_location(ident)))


def spark_snapshots(spark: Any, cat: CatalogSpec, ident: str) -> list[dict[str, Any]]:
    rows = spark.sql(
        f"SELECT snapshot_id, operation, summary FROM {spark_ident(cat.name, ident)}.snapshots ORDER BY committed_at"
    ).collect()
    return [{"snapshot_id": int(r["snapshot_id"]), "operation": r["operation"], "summary": dict(r["summary"])} for r in rows]


def insert_rows(spark: Any, cat: CatalogSpec, ident: str, rows: list[dict[str, Any]], ddl_schema: str) -> None:
    df = spark.createDataFrame([tuple(r.values()) for r in rows], schema=ddl_schema)
    df.createOrReplaceTempView("floe_src")
    spark.sql(f"INSERT INTO {spark_ident(cat.name, ident)} SELECT * FROM floe_src")


BUCKET_DDL = (
    "id BIGINT, name STRING, amount DECIMAL(12,2), ts TIMESTAMP, ts_ntz TIMESTAMP_NTZ, d DATE, price DOUBLE, "
    "ratio FLOAT, qty INT, flag BOOLEAN, payload BINARY, tags ARRAY<STRING>, attrs MAP<STRING,INT>, "
    "info STRUCT<a: INT, b: STRING>"
)


def bucket_rows(start: int, n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(start, start + n):
        t = dt.datetime(2023, 12, 31, 23, 0, 0) + dt.timedelta(minutes=97 * i, microseconds=i)
        rows.append(
            {
                "id": i * 1_000_003 if i % 4 else -i,
                "name": f"name-{i}" if i % 6 else None,
                "amount": Decimal(f"{i * 13 - 40}.{(i * 7) % 100:02d}"),
                "ts": t,  # session zone and TZ are UTC: naive datetimes are UTC instants
                "ts_ntz": t + dt.timedelta(days=1),
                "d": (t + dt.timedelta(days=i)).date(),
                "price": [2.5, 0.1 + 0.2, float("nan"), float("inf"), None][i % 5],
                "ratio": [0.3, 1.0, None][i % 3],
                "qty": i * 3 - 10,
                "flag": i % 2 == 0,
                "payload": bytearray([i % 256, 16, 171]) if i % 3 else None,
                "tags": ["x", None, f"y{i}"] if i % 2 else [],
                "attrs": {"a": i, "b": None} if i % 5 else None,
                "info": (i, f"b{i}") if i % 4 != 1 else None,
            }
        )
    return rows


def bucket_canon(rows: list[dict[str, Any]], schema: StructT) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        r2 = dict(r)
        if r2["info"] is not None:
            r2["info"] = {"a": r2["info"][0], "b": r2["info"][1]}
        if r2["attrs"] is not None:
            r2["attrs"] = list(r2["attrs"].items())
        out.append(canonical(r2, schema))
    return out


def make_spark_bucket(spark: Any, cat: CatalogSpec, ns: str, out_dir: str) -> CaseResult:
    ident = f"{ns}.spark_bucket"
    t = spark_ident(cat.name, ident)
    spark.sql(f"CREATE TABLE {t} ({BUCKET_DDL}) USING iceberg PARTITIONED BY (bucket(4, id))")
    batches = [bucket_rows(1, 10), bucket_rows(11, 7), bucket_rows(18, 5)]
    for b in batches:
        insert_rows(spark, cat, ident, b, BUCKET_DDL)
    schema = spark_schema_of(spark, cat, ident)
    all_rows = [r for b in batches for r in b]
    path = os.path.join(out_dir, "spark_bucket.jsonl")
    write_jsonl(path, bucket_canon(all_rows, schema))
    snaps = spark_snapshots(spark, cat, ident)
    files = spark.sql(f"SELECT count(*) AS n FROM {t}.files").collect()[0]["n"]
    return {
        "identifier": ident,
        "writer": "spark",
        "expected_rows": path,
        "rows": len(all_rows),
        "snapshot_ids": [s["snapshot_id"] for s in snaps],
        "time_travel": [],
        "aggregates": agg_expect(all_rows, schema, ["id", "amount", "ts", "ts_ntz", "d", "qty"]),
        "pruning": [
            # bucket(4, id) = 4 partitions per INSERT at most: an id equality touches one bucket per INSERT
            {"filter": "id == 3000009", "expected_count": 1, "expected_files_at_most": len(batches)},
        ],
        "info": {"data_files": int(files)},
    }


MOR_DDL = "id BIGINT, name STRING, v DOUBLE, d DATE"


def make_spark_mor_delete(spark: Any, cat: CatalogSpec, ns: str, out_dir: str) -> CaseResult:
    ident = f"{ns}.spark_mor"
    t = spark_ident(cat.name, ident)
    spark.sql(
        f"CREATE TABLE {t} ({MOR_DDL}) USING iceberg PARTITIONED BY (d) TBLPROPERTIES "
        "('format-version'='2', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read')"
    )
    rows = [
        {"id": i, "name": f"n{i}", "v": i / 3, "d": dt.date(2024, 1, 1 + i % 2)} for i in range(1, 31)
    ]
    insert_rows(spark, cat, ident, rows, MOR_DDL)
    before = spark_snapshots(spark, cat, ident)
    spark.sql(f"DELETE FROM {t} WHERE id % 3 = 0")
    snaps = spark_snapshots(spark, cat, ident)
    delete_files = spark.sql(f"SELECT content, file_path, record_count FROM {t}.delete_files").collect()
    summary = snaps[-1]["summary"]
    added_pos = int(summary.get("added-position-delete-files", "0"))
    if not delete_files or added_pos == 0:
        raise RuntimeError(
            f"DELETE did not produce position delete files (delete_files={len(delete_files)}, summary={summary})"
        )
    if any(int(r["content"]) != 1 for r in delete_files):
        raise RuntimeError(f"unexpected delete file content types: {[r['content'] for r in delete_files]}")
    schema = spark_schema_of(spark, cat, ident)
    kept = [r for r in rows if r["id"] % 3 != 0]
    path = os.path.join(out_dir, "spark_mor_delete.jsonl")
    write_jsonl(path, canon_rows(kept, schema))
    tt_path = os.path.join(out_dir, "spark_mor_delete.before.jsonl")
    write_jsonl(tt_path, canon_rows(rows, schema))
    return {
        "identifier": ident,
        "writer": "spark",
        "expected_rows": path,
        "rows": len(kept),
        "snapshot_ids": [s["snapshot_id"] for s in snaps],
        "time_travel": [{"snapshot_id": before[-1]["snapshot_id"], "expected_rows": tt_path, "rows": len(rows)}],
        "aggregates": agg_expect(kept, schema, ["id", "d"]),
        "pruning": [
            {"filter": "d == '2024-01-02'", "expected_count": sum(1 for r in kept if r["d"].day == 2),
             "expected_files_at_most": 1},
        ],
        "info": {
            "position_delete_files": len(delete_files),
            "deleted_positions": int(sum(int(r["record_count"]) for r in delete_files)),
            "delete_snapshot_summary": summary,
        },
    }


def make_spark_mor_merge(spark: Any, cat: CatalogSpec, ns: str, out_dir: str) -> CaseResult:
    """MERGE INTO (update, delete, insert) and UPDATE in merge-on-read mode: position deletes."""
    ident = f"{ns}.spark_mor_merge"
    t = spark_ident(cat.name, ident)
    spark.sql(
        f"CREATE TABLE {t} ({MOR_DDL}) USING iceberg PARTITIONED BY (d) TBLPROPERTIES "
        "('format-version'='2', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read', "
        "'write.merge.mode'='merge-on-read')"
    )
    rows = {i: {"id": i, "name": f"n{i}", "v": i / 4, "d": dt.date(2024, 1, 1 + i % 2)} for i in range(1, 25)}
    insert_rows(spark, cat, ident, list(rows.values()), MOR_DDL)
    before = spark_snapshots(spark, cat, ident)
    # Source: ids 3..8 updated, 9 and 10 deleted, 100 and 101 inserted.
    src = [(i, f"m{i}", "u") for i in range(3, 9)] + [(9, None, "d"), (10, None, "d"), (100, "m100", "u"), (101, "m101", "u")]
    values = ", ".join(f"({i}, {('NULL' if n is None else repr(n))}, '{op}')" for i, n, op in src)
    spark.sql(
        f"MERGE INTO {t} t USING (SELECT * FROM VALUES {values} AS s(id, name, op)) s ON t.id = s.id "
        "WHEN MATCHED AND s.op = 'd' THEN DELETE "
        "WHEN MATCHED THEN UPDATE SET t.name = s.name, t.v = t.v + 1 "
        "WHEN NOT MATCHED THEN INSERT (id, name, v, d) VALUES (s.id, s.name, 0.5, DATE '2024-01-02')"
    )
    for i, n, op in src:
        if op == "d":
            rows.pop(i, None)
        elif i in rows:
            rows[i] = {**rows[i], "name": n, "v": rows[i]["v"] + 1}
        else:
            rows[i] = {"id": i, "name": n, "v": 0.5, "d": dt.date(2024, 1, 2)}
    spark.sql(f"UPDATE {t} SET name = 'upd' WHERE id IN (1, 2, 100)")
    for i in (1, 2, 100):
        rows[i] = {**rows[i], "name": "upd"}
    snaps = spark_snapshots(spark, cat, ident)
    delete_files = spark.sql(f"SELECT content, file_path, record_count FROM {t}.delete_files").collect()
    if not delete_files or any(int(r["content"]) != 1 for r in delete_files):
        raise RuntimeError(f"MERGE/UPDATE did not leave only position delete files: {delete_files}")
    schema = spark_schema_of(spark, cat, ident)
    kept = sorted(rows.values(), key=lambda r: r["id"])
    path = os.path.join(out_dir, "spark_mor_merge.jsonl")
    write_jsonl(path, canon_rows(kept, schema))
    return {
        "identifier": ident,
        "writer": "spark",
        "expected_rows": path,
        "rows": len(kept),
        "snapshot_ids": [s["snapshot_id"] for s in snaps],
        "time_travel": [],
        "aggregates": agg_expect(kept, schema, ["id", "d"]),
        "pruning": [],
        "info": {"position_delete_files": len(delete_files), "snapshots_before": len(before)},
    }


def make_spark_schema_evolution(spark: Any, cat: CatalogSpec, ns: str, out_dir: str) -> CaseResult:
    ident = f"{ns}.spark_evolved"
    t = spark_ident(cat.name, ident)
    spark.sql(f"CREATE TABLE {t} (id BIGINT, name STRING) USING iceberg")
    spark.sql(f"INSERT INTO {t} VALUES (1, 'one'), (2, 'two'), (3, NULL)")
    first = spark_snapshots(spark, cat, ident)[-1]["snapshot_id"]
    schema_before = spark_schema_of(spark, cat, ident)
    spark.sql(f"ALTER TABLE {t} ADD COLUMN score DOUBLE")
    spark.sql(f"ALTER TABLE {t} ADD COLUMN tags ARRAY<STRING>")
    spark.sql(f"INSERT INTO {t} VALUES (4, 'four', 4.5, array('a', 'b')), (5, NULL, NULL, NULL)")
    schema = spark_schema_of(spark, cat, ident)
    old = [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}, {"id": 3, "name": None}]
    new = [
        {"id": 4, "name": "four", "score": 4.5, "tags": ["a", "b"]},
        {"id": 5, "name": None, "score": None, "tags": None},
    ]
    all_rows = [{**r, "score": None, "tags": None} for r in old] + new
    path = os.path.join(out_dir, "spark_schema_evolution.jsonl")
    write_jsonl(path, canon_rows(all_rows, schema))
    tt_path = os.path.join(out_dir, "spark_schema_evolution.v1.jsonl")
    write_jsonl(tt_path, canon_rows(old, schema_before))
    snaps = spark_snapshots(spark, cat, ident)
    return {
        "identifier": ident,
        "writer": "spark",
        "expected_rows": path,
        "rows": len(all_rows),
        "snapshot_ids": [s["snapshot_id"] for s in snaps],
        "time_travel": [{"snapshot_id": first, "expected_rows": tt_path, "rows": len(old)}],
        "aggregates": agg_expect(all_rows, schema, ["id", "score"]),
        "pruning": [],
        "info": {"schema_fields": [f.name for f in schema.fields]},
    }


SPARK_CASES: dict[str, Callable[[Any, CatalogSpec, str, str], CaseResult]] = {
    "spark_bucket": make_spark_bucket,
    "spark_mor_delete": make_spark_mor_delete,
    "spark_mor_merge": make_spark_mor_merge,
    "spark_schema_evolution": make_spark_schema_evolution,
}


def main(argv: list[str]) -> int:
    out = guard_stdout()
    if len(argv) != 2:
        log("usage: make_tables.py job.json")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as fh:
            job = json.load(fh)
        cat = CatalogSpec.from_job(job)
        ns = str(job.get("namespace") or "interop")
        out_dir = job.get("out_dir")
        if not isinstance(out_dir, str) or not os.path.isabs(out_dir):
            raise ValueError("job.out_dir must be an absolute path")
        cases = job.get("cases") or ALL_CASES
        unknown = [c for c in cases if c not in ALL_CASES]
        if unknown:
            raise ValueError(f"unknown cases {unknown}; known: {ALL_CASES}")
        os.makedirs(out_dir, exist_ok=True)
        os.makedirs(cat.warehouse, exist_ok=True)
    except Exception as e:  # bad job: fail loudly
        log(f"fatal: {e}")
        return 2

    result: dict[str, Any] = {"ok": True, "errors": [], "timings_s": {}, "tables": {}}

    def fail(case: str, e: BaseException) -> None:
        log(f"case {case} failed:\n{traceback.format_exc()}")
        result["ok"] = False
        result["errors"].append(f"{case}: {type(e).__name__}: {e}")

    if "pyiceberg_partitioned" in cases:
        t0 = time.monotonic()
        try:
            result["tables"]["pyiceberg_partitioned"] = make_pyiceberg_partitioned(cat, ns, out_dir)
        except Exception as e:
            fail("pyiceberg_partitioned", e)
        result["timings_s"]["pyiceberg"] = round(time.monotonic() - t0, 2)

    spark_cases = [c for c in cases if c in SPARK_CASES]
    if spark_cases:
        work = tempfile.mkdtemp(prefix="floe-spark-")
        t0 = time.monotonic()
        try:
            spark = start_spark(cat, work, read_only=False)
        except Exception as e:
            for c in spark_cases:
                fail(c, e)
            spark = None
        result["timings_s"]["spark_start"] = round(time.monotonic() - t0, 2)
        if spark is not None:
            t1 = time.monotonic()
            try:
                spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {spark_ident(cat.name, ns)}")
                for c in spark_cases:
                    try:
                        result["tables"][c] = SPARK_CASES[c](spark, cat, ns, out_dir)
                    except Exception as e:
                        fail(c, e)
            finally:
                spark.stop()
            result["timings_s"]["spark"] = round(time.monotonic() - t1, 2)
        shutil.rmtree(work, ignore_errors=True)

    emit_result(out, result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
