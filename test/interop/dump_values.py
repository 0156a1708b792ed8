"""Print a table's rows as PyIceberg reads them, every value as its exact text, for tests that
check values a JSON round trip would blur: the sign of -0.0, integers beyond 2^53, decimals.

    .cache/venv/bin/python test/interop/dump_values.py job.json
    job: {"catalog": {"name", "db", "warehouse"}, "table": "ns.tbl"}
stdout: {"schema": {column: iceberg type}, "rows": [{column: text or null or nested}]}
floats: repr() (-0.0, 1e+308); ints: str; Decimal: str; strings as they are.
"""

from __future__ import annotations

import decimal
import json
import sys
from typing import Any

from interop_common import CatalogSpec, emit_result, guard_stdout


def text(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (int, decimal.Decimal)):
        return str(v)
    if isinstance(v, dict):
        return {k: text(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [text(x) for x in v]
    return str(v)


def main(path: str) -> int:
    with open(path) as f:
        job = json.load(f)
    out = guard_stdout()
    catalog = CatalogSpec.from_job(job).pyiceberg(read_only=True)
    table = catalog.load_table(job["table"])
    rows = table.scan().to_arrow().to_pylist()
    schema = {f.name: str(f.field_type) for f in table.schema().fields}
    emit_result(out, {"schema": schema, "rows": [{k: text(v) for k, v in r.items()} for r in rows]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
