"""Print a table's layout as PyIceberg reads it: the default sort order, every data file of the
current snapshot (path, record count, size, sort_order_id and the key column's lower and upper
bounds, from the manifests) and the rows.

    .cache/venv/bin/python test/interop/table_layout.py job.json
    job: {"catalog": {"name", "db", "warehouse"}, "table": "ns.tbl", "key": "id"}
stdout: {"sort_order": {"order_id", "fields": [{"source_id", "transform", "direction", "null_order"}]},
         "files": [{"path", "records", "size", "sort_order_id", "key_lower", "key_upper"}],
         "keys": [key values as text]}
"""

from __future__ import annotations

import json
import sys

from interop_common import CatalogSpec, emit_result, guard_stdout


def main(path: str) -> int:
    with open(path) as f:
        job = json.load(f)
    out = guard_stdout()
    from pyiceberg.conversions import from_bytes

    catalog = CatalogSpec.from_job(job).pyiceberg(read_only=True)
    table = catalog.load_table(job["table"])
    order = table.sort_order()
    key_field = table.schema().find_field(job["key"])

    def bound(bounds: dict | None) -> str | None:
        raw = (bounds or {}).get(key_field.field_id)
        return None if raw is None else str(from_bytes(key_field.field_type, raw))

    files = []
    for task in table.scan().plan_files():
        df = task.file
        files.append(
            {
                "path": df.file_path,
                "records": df.record_count,
                "size": df.file_size_in_bytes,
                "sort_order_id": df.sort_order_id,
                "key_lower": bound(df.lower_bounds),
                "key_upper": bound(df.upper_bounds),
            }
        )
    keys = table.scan(selected_fields=(job["key"],)).to_arrow().column(job["key"]).to_pylist()
    emit_result(
        out,
        {
            "sort_order": {
                "order_id": order.order_id,
                "fields": [
                    {
                        "source_id": f.source_id,
                        "transform": str(f.transform),
                        "direction": f.direction.value,
                        "null_order": f.null_order.value,
                    }
                    for f in order.fields
                ],
            },
            "files": files,
            "keys": [str(k) for k in keys],
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
