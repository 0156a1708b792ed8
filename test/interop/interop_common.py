"""Shared helpers for the floe interop scripts (verify.py, make_tables.py).

- Iceberg schema model parsed from the schema JSON (independent of any engine's type system).
- Canonical JSON conversion of engine values, driven by the Iceberg schema.
- Normalisation of canonical values for comparison (float32 tolerance, int/double parity).
- The Spark session builder (one JVM per process) and a stdout guard (the JVM and Ivy print to fd 1).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import re
import struct
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, Union

REPO_ROOT = Path(__file__).resolve().parents[2]

ICEBERG_SPARK_RUNTIME = "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.1"
SQLITE_JDBC = "org.xerial:sqlite-jdbc:3.51.1.0"


def log(*parts: object) -> None:
    print("[interop]", *parts, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# stdout guard: the JVM child (spark-submit, Ivy resolution) inherits fd 1 and prints to it.
# Keep a private duplicate of the real stdout for the JSON result and point fd 1 at stderr.
# --------------------------------------------------------------------------------------------


def guard_stdout() -> TextIO:
    sys.stdout.flush()
    real = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(real, "w", encoding="utf-8")


def emit_result(out: TextIO, result: dict[str, Any]) -> None:
    out.write(json.dumps(result, ensure_ascii=False, allow_nan=False))
    out.write("\n")
    out.flush()


# --------------------------------------------------------------------------------------------
# Iceberg schema model (from the table-metadata schema JSON)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Primitive:
    name: str  # boolean, int, long, float, double, decimal, date, time, timestamp, timestamptz, string, uuid, binary, fixed
    precision: int = 0
    scale: int = 0
    length: int = 0


@dataclass(frozen=True)
class Field:
    id: int
    name: str
    type: IType
    required: bool


@dataclass(frozen=True)
class StructT:
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class ListT:
    element: IType


@dataclass(frozen=True)
class MapT:
    key: IType
    value: IType


IType = Union[Primitive, StructT, ListT, MapT]

_DECIMAL = re.compile(r"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")
_FIXED = re.compile(r"^fixed\[\s*(\d+)\s*\]$")
_SIMPLE = {
    "boolean",
    "int",
    "long",
    "float",
    "double",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "string",
    "uuid",
    "binary",
}


def parse_type(t: Any) -> IType:
    if isinstance(t, str):
        s = t.strip()
        if s in _SIMPLE:
            return Primitive(s)
        if m := _DECIMAL.match(s):
            return Primitive("decimal", precision=int(m.group(1)), scale=int(m.group(2)))
        if m := _FIXED.match(s):
            return Primitive("fixed", length=int(m.group(1)))
        raise ValueError(f"unsupported Iceberg primitive type {t!r} (canonical JSON has no mapping for it)")
    if isinstance(t, dict):
        kind = t.get("type")
        if kind == "struct":
            return parse_struct(t)
        if kind == "list":
            return ListT(parse_type(t["element"]))
        if kind == "map":
            return MapT(parse_type(t["key"]), parse_type(t["value"]))
    raise ValueError(f"unsupported Iceberg type JSON {t!r}")


def parse_struct(schema_json: dict[str, Any]) -> StructT:
    return StructT(
        tuple(
            Field(int(f["id"]), str(f["name"]), parse_type(f["type"]), bool(f.get("required", False)))
            for f in schema_json["fields"]
        )
    )


def type_str(t: IType) -> str:
    if isinstance(t, Primitive):
        if t.name == "decimal":
            return f"decimal({t.precision},{t.scale})"
        if t.name == "fixed":
            return f"fixed[{t.length}]"
        return t.name
    if isinstance(t, StructT):
        return "struct<" + ",".join(f"{f.name}:{type_str(f.type)}" for f in t.fields) + ">"
    if isinstance(t, ListT):
        return f"list<{type_str(t.element)}>"
    return f"map<{type_str(t.key)},{type_str(t.value)}>"


def schema_from_metadata(metadata: dict[str, Any], snapshot_id: int | None = None) -> StructT:
    """The current schema, or the schema a snapshot was written with (time travel)."""
    schema_id = metadata.get("current-schema-id")
    if snapshot_id is not None:
        snaps = [s for s in metadata.get("snapshots", []) if int(s["snapshot-id"]) == int(snapshot_id)]
        if not snaps:
            raise ValueError(f"snapshot {snapshot_id} not in table metadata")
        if snaps[0].get("schema-id") is not None:
            schema_id = snaps[0]["schema-id"]
    for s in metadata.get("schemas", []):
        if s.get("schema-id") == schema_id:
            return parse_struct(s)
    raise ValueError(f"schema id {schema_id} not found in table metadata")


# --------------------------------------------------------------------------------------------
# Canonical JSON values
# --------------------------------------------------------------------------------------------

_EPOCH_DATE = dt.date(1970, 1, 1)
_EPOCH_TS = dt.datetime(1970, 1, 1)


def _float_special(x: float) -> Any:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _fmt_date(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _fmt_time(t: dt.time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}"


def _fmt_ts(v: dt.datetime) -> str:
    return f"{_fmt_date(v.date())}T{_fmt_time(v.time())}"


def _decimal_str(v: Any, scale: int) -> str:
    with decimal.localcontext() as ctx:
        ctx.prec = 100
        d = v if isinstance(v, decimal.Decimal) else decimal.Decimal(str(v))
        q = d.quantize(decimal.Decimal(1).scaleb(-scale))
        if q != d:
            raise ValueError(f"decimal {d} has more than {scale} fractional digits")
        s = format(q, "f")
        return s[1:] if s.startswith("-") and q == 0 else s


def canonical(value: Any, t: IType) -> Any:
    """Canonical JSON value of one engine value (pyarrow to_pylist or a Spark Row value)."""
    if value is None:
        return None
    if isinstance(t, Primitive):
        n = t.name
        if n == "boolean":
            return bool(value)
        if n in ("int", "long"):
            return int(value)
        if n in ("float", "double"):
            return _float_special(float(value))
        if n == "decimal":
            return _decimal_str(value, t.scale)
        if n == "date":
            if isinstance(value, int):
                value = _EPOCH_DATE + dt.timedelta(days=value)
            return _fmt_date(value)
        if n == "time":
            if isinstance(value, int):
                value = (dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=value)).time()
            return _fmt_time(value)
        if n == "timestamp":
            if isinstance(value, int):
                value = _EPOCH_TS + dt.timedelta(microseconds=value)
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return _fmt_ts(value)
        if n == "timestamptz":
            if isinstance(value, int):
                value = _EPOCH_TS + dt.timedelta(microseconds=value)
            # Spark hands back naive datetimes in the process' local zone: the scripts force TZ=UTC.
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return _fmt_ts(value) + "+00:00"
        if n == "string":
            return str(value)
        if n == "uuid":
            if isinstance(value, (bytes, bytearray)):
                return str(uuid.UUID(bytes=bytes(value)))
            return str(uuid.UUID(str(value)))
        if n in ("binary", "fixed"):
            return bytes(value).hex()
        raise ValueError(f"no canonical form for {n}")
    if isinstance(t, StructT):
        out: dict[str, Any] = {}
        for f in t.fields:
            if isinstance(value, dict):
                v = value.get(f.name)
            else:  # pyspark Row (tuple subclass addressable by name)
                v = value[f.name]
            out[f.name] = canonical(v, f.type)
        return out
    if isinstance(t, ListT):
        return [canonical(v, t.element) for v in value]
    # map: pyarrow gives [(k, v), ...]; Spark gives a dict (insertion order = stored order)
    pairs = value.items() if isinstance(value, dict) else value
    return [[canonical(k, t.key), canonical(v, t.value)] for k, v in pairs]


def canonical_row(row: Any, schema: StructT) -> dict[str, Any]:
    return canonical(row, schema)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# Normalisation for comparison: both the expected rows (written by another program) and the
# engine rows go through this, so 1 vs 1.0 for a double, or 1.1 vs 1.100000023841858 for a
# float32, compare equal. Doubles compare exactly; floats at float32 precision.
# --------------------------------------------------------------------------------------------


def float32_shortest(x: float) -> float:
    """The shortest decimal that round-trips to the same float32 as x (NumPy's float32 repr)."""
    bits = struct.pack("<f", x)
    for p in range(1, 10):
        cand = float(f"{x:.{p}g}")
        if struct.pack("<f", cand) == bits:
            return cand
    return struct.unpack("<f", bits)[0]  # type: ignore[no-any-return]


def normalize(value: Any, t: IType) -> Any:
    if value is None:
        return None
    if isinstance(t, Primitive):
        n = t.name
        if n in ("int", "long") and isinstance(value, float) and value.is_integer():
            return int(value)
        # -0.0 compares equal to 0.0: JSON written by JavaScript cannot carry the sign of zero.
        if n == "double" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) + 0.0
        if n == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return float32_shortest(float(value)) + 0.0
            except OverflowError:
                return value
        if n in ("binary", "fixed", "uuid") and isinstance(value, str):
            return value.lower()
        return value
    if isinstance(t, StructT):
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for f in t.fields:
            if f.name in out:
                out[f.name] = normalize(out[f.name], f.type)
        return out
    if isinstance(t, ListT):
        return [normalize(v, t.element) for v in value] if isinstance(value, list) else value
    if isinstance(value, list):
        return [
            [normalize(p[0], t.key), normalize(p[1], t.value)] if isinstance(p, list) and len(p) == 2 else p
            for p in value
        ]
    return value


def row_key(row: Any, schema: StructT) -> str:
    return json.dumps(normalize(row, schema), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def project_struct(schema: StructT, drop: set[str]) -> StructT:
    return StructT(tuple(f for f in schema.fields if f.name not in drop))


def drop_columns(row: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in drop} if drop else row


def compare_rows(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]], schema: StructT, sample: int = 5
) -> list[str]:
    """Multiset comparison; returns human-readable errors (empty = equal)."""
    exp_keys = sorted(row_key(r, schema) for r in expected)
    act_keys = sorted(row_key(r, schema) for r in actual)
    if exp_keys == act_keys:
        return []
    errors = [f"row mismatch: expected {len(exp_keys)} rows, engine returned {len(act_keys)}"]
    exp_c, act_c = Counter(exp_keys), Counter(act_keys)
    missing = sorted((exp_c - act_c).elements())
    unexpected = sorted((act_c - exp_c).elements())
    if missing:
        errors.append(f"{len(missing)} expected rows missing, first: " + " | ".join(missing[:sample]))
    if unexpected:
        errors.append(f"{len(unexpected)} unexpected rows, first: " + " | ".join(unexpected[:sample]))
    for i, (e, a) in enumerate(zip(exp_keys, act_keys)):
        if e != a:
            errors.append(f"first difference in sorted order at #{i}: expected {e} / got {a}")
            break
    return errors


def read_jsonl(path: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not JSON: {e}") from e
    return rows


def write_jsonl(path: str, rows: list[dict[str, Any]]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
            fh.write("\n")


# --------------------------------------------------------------------------------------------
# Catalog access
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogSpec:
    name: str
    db: str
    warehouse: str

    @staticmethod
    def from_job(job: dict[str, Any]) -> CatalogSpec:
        c = job.get("catalog")
        if not isinstance(c, dict):
            raise ValueError("job.catalog must be an object {name, db, warehouse}")
        for k in ("name", "db", "warehouse"):
            if not isinstance(c.get(k), str) or not c[k]:
                raise ValueError(f"job.catalog.{k} must be a non-empty string")
        if not os.path.isabs(c["db"]) or not os.path.isabs(c["warehouse"]):
            raise ValueError("job.catalog.db and job.catalog.warehouse must be absolute paths")
        return CatalogSpec(c["name"], c["db"], c["warehouse"].rstrip("/"))

    def pyiceberg(self, read_only: bool) -> Any:
        from pyiceberg.catalog.sql import SqlCatalog

        props: dict[str, str] = {"uri": "sqlite:///" + self.db, "warehouse": "file://" + self.warehouse}
        if read_only:
            # Never create or migrate the catalog tables of the catalog under test.
            props["init_catalog_tables"] = "false"
        else:
            props["schema_version"] = "v1"
        return SqlCatalog(self.name, **props)

    def metadata_location(self, identifier: str) -> str:
        """Current metadata location straight from the SQLite catalog (engine-independent)."""
        import sqlite3

        ns, _, name = identifier.rpartition(".")
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT metadata_location FROM iceberg_tables WHERE catalog_name=? AND table_namespace=? AND table_name=?",
                (self.name, ns, name),
            ).fetchall()
        finally:
            con.close()
        if not rows or not rows[0][0]:
            raise ValueError(f"table {identifier} not found in catalog {self.name!r} ({self.db})")
        return str(rows[0][0])


def read_metadata_json(location: str) -> dict[str, Any]:
    path = location
    if path.startswith("file://"):
        path = path[len("file://") :]
    elif path.startswith("file:"):
        path = path[len("file:") :]
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# Spark
# --------------------------------------------------------------------------------------------


def ivy_cache() -> str:
    return os.environ.get("FLOE_IVY_CACHE") or str(REPO_ROOT / ".cache" / "ivy")


def force_utc() -> None:
    """Spark returns timestamptz as naive datetimes in the Python process' zone: make that UTC."""
    import time

    os.environ["TZ"] = "UTC"
    time.tzset()


def start_spark(catalog: CatalogSpec, work_dir: str, read_only: bool) -> Any:
    """One local Spark session with an Iceberg JDBC catalog on the job's SQLite file."""
    force_utc()
    from pyspark.sql import SparkSession

    c = f"spark.sql.catalog.{catalog.name}"
    b = (
        SparkSession.builder.master("local[2]")
        .appName("floe-interop")
        .config("spark.jars.packages", f"{ICEBERG_SPARK_RUNTIME},{SQLITE_JDBC}")
        .config("spark.jars.ivy", ivy_cache())
        .config("spark.driver.memory", os.environ.get("FLOE_SPARK_DRIVER_MEMORY", "1g"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.warehouse.dir", os.path.join(work_dir, "spark-warehouse"))
        .config("spark.local.dir", os.path.join(work_dir, "spark-local"))
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config(c, "org.apache.iceberg.spark.SparkCatalog")
        .config(f"{c}.type", "jdbc")
        .config(f"{c}.uri", "jdbc:sqlite:" + catalog.db)
        .config(f"{c}.warehouse", "file://" + catalog.warehouse)
    )
    if read_only:
        b = b.config(f"{c}.jdbc.init-catalog-tables", "false")
    else:
        # Java creates V0 tables (no iceberg_type column) unless told V1; PyIceberg creates V1.
        b = b.config(f"{c}.jdbc.schema-version", "V1")
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def spark_ident(catalog: str, identifier: str) -> str:
    return ".".join(f"`{p}`" for p in [catalog, *identifier.split(".")])
