"""The dlt peer of the L1 Wrike tasks sync (bench/dlt-peer.bench.ts): what a Python user would
write with dlt 1.x — the declarative `rest_api` source against the Wrike API (here the floe Wrike
simulator), the `filesystem` destination with `table_format="iceberg"`, merged on id (dlt's
`upsert` strategy, the one its Iceberg tables support), incremental on updatedDate.

Usage (the venv from bench/setup-dlt.sh):
    .cache/venv-dlt/bin/python bench/dlt_wrike.py BASE_URL TOKEN WORK_DIR
BASE_URL is the API base (http://127.0.0.1:PORT/api/v4). WORK_DIR holds the pipeline's state
(WORK_DIR/pipelines) and its lake (WORK_DIR/lake); run it again with the same WORK_DIR and the
pipeline resumes from its incremental state, like a nightly job.

FLOE_DLT_MAX_TABLE_NESTING, when set, is passed to rest_api_source as max_table_nesting (0: one
tasks table, nested values as JSON columns, like floe's one table with nested columns); unset,
dlt's default applies (every nested list becomes a child table, each merged on its own).

The request mirrors the floe pack's Wrike_Tasks item (src/connectors/wrike/l1/tasks.yaml): the
same `fields` list, 1000 tasks per page, paged by nextPageToken, `updatedDate={"start": …}` from
the last run's greatest updatedDate. The first run starts from 1970 (everything).

Prints one JSON object: {"seconds": pipeline.run wall time (imports and interpreter start
excluded), "rows": tasks rows normalized, "tables": {table: rows}, "table_rows": rows in the tasks
table after the run, "peak_rss_mb", "dlt": version}.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

# The same optional fields the floe pack asks Wrike for (src/connectors/wrike/l1/tasks.yaml).
FIELDS = [
    "authorIds",
    "hasAttachments",
    "attachmentCount",
    "parentIds",
    "superParentIds",
    "sharedIds",
    "responsibleIds",
    "description",
    "briefDescription",
    "recurrent",
    "superTaskIds",
    "subTaskIds",
    "dependencyIds",
    "metadata",
    "customFields",
    "effortAllocation",
    "billingType",
]


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        raise SystemExit(__doc__)
    base_url, token, work = argv[1], argv[2], os.path.abspath(argv[3])
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

    import dlt
    from dlt.sources.rest_api import rest_api_source

    nesting = os.environ.get("FLOE_DLT_MAX_TABLE_NESTING")
    source = rest_api_source(
        {
            "client": {
                "base_url": base_url.rstrip("/") + "/",
                "auth": {"type": "bearer", "token": token},
                "paginator": {
                    "type": "cursor",
                    "cursor_path": "nextPageToken",
                    "cursor_param": "nextPageToken",
                },
            },
            "resource_defaults": {
                "primary_key": "id",
                "write_disposition": {"disposition": "merge", "strategy": "upsert"},
                "table_format": "iceberg",
            },
            "resources": [
                {
                    "name": "tasks",
                    "endpoint": {
                        "path": "tasks",
                        "data_selector": "data",
                        "params": {
                            "pageSize": 1000,
                            "fields": json.dumps(FIELDS, separators=(",", ":")),
                            # str.format template: {{ }} are literal braces.
                            "updatedDate": '{{"start":"{incremental.start_value}"}}',
                        },
                        "incremental": {
                            "cursor_path": "updatedDate",
                            "initial_value": "1970-01-01T00:00:00Z",
                        },
                    },
                }
            ],
        },
        max_table_nesting=int(nesting) if nesting else None,
    )
    pipeline = dlt.pipeline(
        pipeline_name="wrike_tasks",
        pipelines_dir=os.path.join(work, "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url="file://" + os.path.join(work, "lake")),
        dataset_name="wrike_staging",
    )
    t0 = time.perf_counter()
    pipeline.run(source)
    seconds = time.perf_counter() - t0

    trace = pipeline.last_trace
    counts = dict(trace.last_normalize_info.row_counts) if trace and trace.last_normalize_info else {}
    tables = {k: v for k, v in counts.items() if not k.startswith("_dlt")}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the check below
    table_rows = -1
    try:
        from dlt.common.libs.pyiceberg import get_iceberg_tables

        tbl = get_iceberg_tables(pipeline, "tasks")["tasks"]
        snap = tbl.current_snapshot()
        if snap is not None and snap.summary is not None:
            table_rows = int(snap.summary["total-records"])
    except Exception as e:  # the figure is optional; say why it is missing
        print(f"[dlt_wrike] could not count the tasks table: {e}", file=sys.stderr)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": tables.get("tasks", 0),
                "tables": tables,
                "table_rows": table_rows,
                "peak_rss_mb": peak_mb,
                "dlt": dlt.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
