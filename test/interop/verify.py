"""Verify Iceberg tables with independent readers (PyIceberg and Spark) - one process, one JVM.

Run by hand (from the repo root; the venv comes from `bash scripts/setup-python.sh`):
    .cache/venv/bin/python test/interop/verify.py job.json > result.json
    # logs (Ivy, Spark, tracebacks) go to stderr; the JSON result is the only thing on stdout.
    # FLOE_IVY_CACHE overrides the Ivy jar cache (default <repo>/.cache/ivy);
    # FLOE_SPARK_DRIVER_MEMORY overrides the driver memory (default 1g).

Job (JSON file, argv[1]):
    {
      "catalog": {"name": "floe", "db": "/abs/catalog.db", "warehouse": "/abs/warehouse"},
      "engines": ["pyiceberg", "spark"],                  # default both
      "tables": [{
        "identifier": "ns.tbl",
        "label": "ns.tbl",                  # optional result key; default identifier (+ "@<snapshot_id>")
        "engines": ["pyiceberg"],           # optional per-table override (e.g. Spark cannot read `time`)
        "expected_rows": "/abs/expected.jsonl",           # optional, canonical JSON rows (see below)
        "snapshot_id": null,                               # optional time travel
        "aggregates": {"count": 25, "min": {"id": 1}, "max": {"id": 99},
                       "require_pushdown": false},         # optional; Spark: count(*)/min/max (from
                                                           # manifest stats when Iceberg can push them down)
        "pruning": [{"filter": "id >= 10", "expected_count": 5, "expected_files_at_most": 2}]
      }]                                                   # optional; PyIceberg row_filter syntax. PyIceberg
    }                                                      # counts plan_files() and rows; Spark counts rows.

Result (stdout):
    {"ok": bool, "errors": [job-level errors], "timings_s": {"pyiceberg": s, "spark_start": s, "spark": s},
     "tables": {"<label>": {"<engine>": {
         "ok": bool, "rows": n, "errors": ["..."], "files_planned": n (pyiceberg), "delete_files": n (pyiceberg),
         "aggregates": {"count": n, "min": {...}, "max": {...}, "pushed_down": {col: bool}} (if asked),
         "pruning": [{"filter": "...", "rows": n, "files_planned": n}] (if asked), "seconds": s }}}}
Exit code: 0 everything ok, 1 some check failed (result still on stdout), 2 bad job / fatal.

Canonical JSON rows (what the TypeScript side writes): int/long -> number; float/double -> number,
NaN -> "NaN", +-inf -> "Infinity"/"-Infinity"; decimal(P,S) -> string with exactly S fractional digits;
date -> "YYYY-MM-DD"; time -> "HH:MM:SS.ffffff"; timestamp -> "YYYY-MM-DDTHH:MM:SS.ffffff";
timestamptz -> "YYYY-MM-DDTHH:MM:SS.ffffff+00:00"; string/uuid -> string; binary/fixed -> lowercase hex;
struct -> object; list -> array; map -> array of [key, value] pairs in stored order; null -> null.
Engine values are converted using the table's Iceberg schema (the snapshot's schema for time travel).
Rows compare as multisets; doubles compare exactly (but -0.0 == 0.0, which JSON from JavaScript cannot
tell apart), floats (32-bit) at float32 precision (1.100000023841858 == 1.1), 1 == 1.0 for float/double
columns; object key order is ignored; map entry order and list order matter.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from typing import Any

from interop_common import (
    CatalogSpec,
    IType,
    ListT,
    MapT,
    Primitive,
    StructT,
    canonical,
    compare_rows,
    emit_result,
    guard_stdout,
    log,
    normalize,
    parse_struct,
    read_jsonl,
    read_metadata_json,
    schema_from_metadata,
    spark_ident,
    start_spark,
    type_str,
)

ENGINES = ("pyiceberg", "spark")


class TableJob:
    def __init__(self, raw: dict[str, Any], default_engines: list[str]) -> None:
        if not isinstance(raw.get("identifier"), str) or "." not in raw["identifier"]:
            raise ValueError(f"table.identifier must be 'namespace.table', got {raw.get('identifier')!r}")
        self.identifier: str = raw["identifier"]
        sid = raw.get("snapshot_id")
        self.snapshot_id: int | None = int(sid) if sid is not None else None
        self.label: str = raw.get("label") or (
            self.identifier + (f"@{self.snapshot_id}" if self.snapshot_id is not None else "")
        )
        self.engines: list[str] = list(raw.get("engines") or default_engines)
        for e in self.engines:
            if e not in ENGINES:
                raise ValueError(f"{self.label}: unknown engine {e!r}")
        self.expected_rows: str | None = raw.get("expected_rows")
        self.aggregates: dict[str, Any] | None = raw.get("aggregates")
        self.pruning: list[dict[str, Any]] = list(raw.get("pruning") or [])
        for p in self.pruning:
            if not isinstance(p.get("filter"), str):
                raise ValueError(f"{self.label}: pruning entries need a 'filter' string")
        if self.expected_rows is not None and not os.path.isfile(self.expected_rows):
            raise ValueError(f"{self.label}: expected_rows file {self.expected_rows} does not exist")


def field_types(schema: StructT) -> dict[str, IType]:
    return {f.name: f.type for f in schema.fields}


def check_aggregates(
    want: dict[str, Any], got: dict[str, Any], schema: StructT, errors: list[str]
) -> None:
    types = field_types(schema)
    if "count" in want and int(want["count"]) != int(got["count"]):
        errors.append(f"count(*): expected {want['count']}, got {got['count']}")
    for kind in ("min", "max"):
        for col, exp in (want.get(kind) or {}).items():
            act = got[kind].get(col)
            t = types[col]
            if normalize(exp, t) != normalize(act, t):
                errors.append(f"{kind}({col}): expected {json.dumps(exp)}, got {json.dumps(act)}")


def agg_columns(want: dict[str, Any], schema: StructT) -> list[str]:
    types = field_types(schema)
    cols: list[str] = []
    for kind in ("min", "max"):
        for col in want.get(kind) or {}:
            if col not in types:
                raise ValueError(f"aggregate column {col!r} not in schema")
            if not isinstance(types[col], Primitive):
                raise ValueError(f"aggregate column {col!r} is {type_str(types[col])}: min/max need a primitive")
            if col not in cols:
                cols.append(col)
    return cols


def check_columns(actual: list[str], schema: StructT, errors: list[str]) -> None:
    names = [f.name for f in schema.fields]
    if actual != names:
        errors.append(f"column mismatch: engine returned {actual}, Iceberg schema has {names}")


def has_time(t: IType) -> bool:
    if isinstance(t, Primitive):
        return t.name == "time"
    if isinstance(t, StructT):
        return any(has_time(f.type) for f in t.fields)
    if isinstance(t, ListT):
        return has_time(t.element)
    if isinstance(t, MapT):
        return has_time(t.key) or has_time(t.value)
    return False


# ---------------------------------------------------------------------------------------------
# PyIceberg
# ---------------------------------------------------------------------------------------------


def verify_pyiceberg(catalog: Any, job: TableJob) -> dict[str, Any]:
    import pyarrow.compute as pc

    res: dict[str, Any] = {"ok": False, "errors": []}
    errors: list[str] = res["errors"]
    table = catalog.load_table(job.identifier)
    scan = table.scan(snapshot_id=job.snapshot_id) if job.snapshot_id is not None else table.scan()
    schema = parse_struct(json.loads(scan.projection().model_dump_json()))
    tasks = list(scan.plan_files())
    res["files_planned"] = len(tasks)
    res["delete_files"] = len({d.file_path for t in tasks for d in t.delete_files})
    arrow = scan.to_arrow()
    check_columns(arrow.column_names, schema, errors)
    rows = [canonical(r, schema) for r in arrow.to_pylist()]
    res["rows"] = len(rows)
    if job.expected_rows:
        errors.extend(compare_rows(read_jsonl(job.expected_rows), rows, schema))
    if job.aggregates is not None:
        cols = agg_columns(job.aggregates, schema)
        types = field_types(schema)
        got: dict[str, Any] = {"count": arrow.num_rows, "min": {}, "max": {}}
        for c in cols:
            mm = pc.min_max(arrow.column(c))
            got["min"][c] = canonical(mm["min"].as_py(), types[c])
            got["max"][c] = canonical(mm["max"].as_py(), types[c])
        res["aggregates"] = got
        check_aggregates(job.aggregates, got, schema, errors)
    if job.pruning:
        res["pruning"] = []
        for p in job.pruning:
            kw: dict[str, Any] = {"row_filter": p["filter"]}
            if job.snapshot_id is not None:
                kw["snapshot_id"] = job.snapshot_id
            fscan = table.scan(**kw)
            n_files = sum(1 for _ in fscan.plan_files())
            n_rows = fscan.to_arrow().num_rows
            res["pruning"].append({"filter": p["filter"], "rows": n_rows, "files_planned": n_files})
            if "expected_count" in p and n_rows != int(p["expected_count"]):
                errors.append(f"filter {p['filter']!r}: expected {p['expected_count']} rows, got {n_rows}")
            if "expected_files_at_most" in p and n_files > int(p["expected_files_at_most"]):
                errors.append(
                    f"filter {p['filter']!r}: planned {n_files} files, expected at most {p['expected_files_at_most']}"
                )
    res["ok"] = not errors
    return res


# ---------------------------------------------------------------------------------------------
# Spark
# ---------------------------------------------------------------------------------------------


def has_map(t: IType) -> bool:
    if isinstance(t, MapT):
        return True
    if isinstance(t, StructT):
        return any(has_map(f.type) for f in t.fields)
    if isinstance(t, ListT):
        return has_map(t.element)
    return False


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def map_safe_expr(expr: str, t: IType, depth: int = 0) -> str:
    """PySpark collects maps through a java.util.HashMap, losing the stored order: turn every map
    (at any depth) into its array of (key, value) entries with map_entries, which keeps the order."""
    if not has_map(t):
        return expr
    if isinstance(t, MapT):
        e = f"e{depth}"
        k = map_safe_expr(f"{e}.key", t.key, depth + 1)
        v = map_safe_expr(f"{e}.value", t.value, depth + 1)
        return f"transform(map_entries({expr}), {e} -> named_struct('key', {k}, 'value', {v}))"
    if isinstance(t, ListT):
        x = f"x{depth}"
        return f"transform({expr}, {x} -> {map_safe_expr(x, t.element, depth + 1)})"
    assert isinstance(t, StructT)
    parts = ", ".join(
        f"'{f.name}', {map_safe_expr(f'{expr}.{_q(f.name)}', f.type, depth + 1)}" for f in t.fields
    )
    return f"IF({expr} IS NULL, NULL, named_struct({parts}))"


def spark_select_list(schema: StructT) -> str:
    return ", ".join(
        _q(f.name) if not has_map(f.type) else f"{map_safe_expr(_q(f.name), f.type)} AS {_q(f.name)}"
        for f in schema.fields
    )


def verify_spark(spark: Any, cat: CatalogSpec, job: TableJob) -> dict[str, Any]:
    res: dict[str, Any] = {"ok": False, "errors": []}
    errors: list[str] = res["errors"]
    # The schema comes from the metadata JSON the SQLite catalog points at - not from PyIceberg.
    meta = read_metadata_json(cat.metadata_location(job.identifier))
    schema = schema_from_metadata(meta, job.snapshot_id)
    if has_time(schema):
        raise RuntimeError(
            "Spark 3.5 cannot read Iceberg tables with a `time` column ('Spark does not support time fields'); "
            "verify this table with engines: ['pyiceberg'] only"
        )
    t = spark_ident(cat.name, job.identifier)
    src = t + (f" VERSION AS OF {job.snapshot_id}" if job.snapshot_id is not None else "")
    df = spark.sql(f"SELECT {spark_select_list(schema)} FROM {src}")
    check_columns(list(df.columns), schema, errors)
    rows = [canonical(r, schema) for r in df.collect()]
    res["rows"] = len(rows)
    if job.expected_rows:
        errors.extend(compare_rows(read_jsonl(job.expected_rows), rows, schema))
    if job.aggregates is not None:
        cols = agg_columns(job.aggregates, schema)
        types = field_types(schema)
        pushed: dict[str, bool] = {}

        def run(sql: str) -> tuple[Any, bool]:
            q = spark.sql(sql)
            out = q.collect()[0]
            plan = q._jdf.queryExecution().executedPlan().toString()
            # Iceberg answers pushed-down aggregates from manifest stats with a local scan.
            return out, ("LocalTableScan" in plan and "BatchScan" not in plan)

        # One query for everything; Iceberg pushes down all of it or nothing, so only when it could
        # not, ask per column to tell which ones lack usable stats.
        select = ", ".join(["count(*) AS c"] + [f"min(`{c}`) AS `mn_{c}`, max(`{c}`) AS `mx_{c}`" for c in cols])
        r, all_pushed = run(f"SELECT {select} FROM {src}")
        got: dict[str, Any] = {"count": int(r["c"]), "min": {}, "max": {}}
        for c in cols:
            got["min"][c] = canonical(r[f"mn_{c}"], types[c])
            got["max"][c] = canonical(r[f"mx_{c}"], types[c])
        if all_pushed:
            pushed = {k: True for k in ["count(*)", *cols]}
        else:
            pushed["count(*)"] = run(f"SELECT count(*) FROM {src}")[1]
            for c in cols:
                pushed[c] = run(f"SELECT min(`{c}`), max(`{c}`) FROM {src}")[1]
        got["pushed_down"] = pushed
        res["aggregates"] = got
        check_aggregates(job.aggregates, got, schema, errors)
        if job.aggregates.get("require_pushdown"):
            not_pushed = [k for k, v in pushed.items() if not v]
            if not_pushed:
                errors.append(f"aggregates not answered from manifest stats: {not_pushed}")
    if job.pruning:
        res["pruning"] = []
        for p in job.pruning:
            n = int(spark.sql(f"SELECT count(*) AS c FROM {src} WHERE {p['filter']}").collect()[0]["c"])
            res["pruning"].append({"filter": p["filter"], "rows": n})
            if "expected_count" in p and n != int(p["expected_count"]):
                errors.append(f"filter {p['filter']!r}: expected {p['expected_count']} rows, got {n}")
    res["ok"] = not errors
    return res


# ---------------------------------------------------------------------------------------------


def failed(e: BaseException) -> dict[str, Any]:
    log(traceback.format_exc())
    msg = str(e)
    return {"ok": False, "rows": None, "errors": [f"{type(e).__name__}: {msg[:2000]}"]}


def main(argv: list[str]) -> int:
    out = guard_stdout()
    if len(argv) != 2:
        log("usage: verify.py job.json")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as fh:
            job = json.load(fh)
        cat = CatalogSpec.from_job(job)
        if not os.path.isfile(cat.db):
            raise ValueError(f"catalog database {cat.db} does not exist")
        engines = list(job.get("engines") or ENGINES)
        for e in engines:
            if e not in ENGINES:
                raise ValueError(f"unknown engine {e!r}; known: {list(ENGINES)}")
        tables = [TableJob(t, engines) for t in job.get("tables") or []]
        if not tables:
            raise ValueError("job.tables is empty")
        labels = [t.label for t in tables]
        if len(set(labels)) != len(labels):
            raise ValueError(f"duplicate table labels {labels}; set 'label' to tell them apart")
    except Exception as e:
        log(f"fatal: bad job: {e}")
        return 2

    result: dict[str, Any] = {"ok": True, "errors": [], "timings_s": {}, "tables": {t.label: {} for t in tables}}

    py_tables = [t for t in tables if "pyiceberg" in t.engines]
    if py_tables:
        t0 = time.monotonic()
        try:
            catalog = cat.pyiceberg(read_only=True)
        except Exception as e:
            for t in py_tables:
                result["tables"][t.label]["pyiceberg"] = failed(e)
        else:
            for t in py_tables:
                t1 = time.monotonic()
                try:
                    r = verify_pyiceberg(catalog, t)
                except Exception as e:
                    r = failed(e)
                r["seconds"] = round(time.monotonic() - t1, 2)
                result["tables"][t.label]["pyiceberg"] = r
                log(f"pyiceberg {t.label}: ok={r['ok']} rows={r.get('rows')} {r['errors'][:3]}")
            catalog.engine.dispose()
        result["timings_s"]["pyiceberg"] = round(time.monotonic() - t0, 2)

    sp_tables = [t for t in tables if "spark" in t.engines]
    if sp_tables:
        work = tempfile.mkdtemp(prefix="floe-spark-")
        t0 = time.monotonic()
        spark = None
        try:
            spark = start_spark(cat, work, read_only=True)
        except Exception as e:
            for t in sp_tables:
                result["tables"][t.label]["spark"] = failed(e)
        result["timings_s"]["spark_start"] = round(time.monotonic() - t0, 2)
        if spark is not None:
            t0 = time.monotonic()
            try:
                for t in sp_tables:
                    t1 = time.monotonic()
                    try:
                        r = verify_spark(spark, cat, t)
                    except Exception as e:
                        r = failed(e)
                    r["seconds"] = round(time.monotonic() - t1, 2)
                    result["tables"][t.label]["spark"] = r
                    log(f"spark {t.label}: ok={r['ok']} rows={r.get('rows')} {r['errors'][:3]}")
            finally:
                spark.stop()
            result["timings_s"]["spark"] = round(time.monotonic() - t0, 2)
        shutil.rmtree(work, ignore_errors=True)

    result["ok"] = all(r["ok"] for per in result["tables"].values() for r in per.values())
    emit_result(out, result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
