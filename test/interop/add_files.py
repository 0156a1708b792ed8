"""Add a plain Parquet file (no Iceberg field ids, as any non-Iceberg tool writes it) to a table
with PyIceberg's `Table.add_files`, the way files from a Hive table or another pipeline join an
Iceberg table. Readers must then read it through the table's name mapping.

    .cache/venv/bin/python test/interop/add_files.py job.json
    job: {"catalog": {"name", "db", "warehouse"}, "table": "ns.tbl", "path": "/abs/file.parquet",
          "rows": [{column: value}], "types": {column: "int64" | "string"}}
stdout: {"added": <rows>, "snapshot_id": "<id>"}
"""

from __future__ import annotations

import json
import sys

from interop_common import CatalogSpec, emit_result, guard_stdout


def main(path: str) -> int:
    with open(path) as f:
        job = json.load(f)
    out = guard_stdout()
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"int64": pa.int64(), "string": pa.string()}
    schema = pa.schema([(name, types[t]) for name, t in job["types"].items()])
    table_data = pa.Table.from_pylist(job["rows"], schema=schema)
    pq.write_table(table_data, job["path"])  # plain Parquet: no field ids
    catalog = CatalogSpec.from_job(job).pyiceberg(read_only=False)
    table = catalog.load_table(job["table"])
    table.add_files([job["path"]])
    table = catalog.load_table(job["table"])
    emit_result(out, {"added": len(job["rows"]), "snapshot_id": str(table.current_snapshot().snapshot_id)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
