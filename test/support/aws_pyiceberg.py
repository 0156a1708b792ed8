"""PyIceberg's GlueCatalog on moto server, as an independent reader and writer of floe's Glue tables.

Usage: python aws_pyiceberg.py '<job json>'; prints one JSON document.
  {"op": "read", "endpoint": …, "tables": ["db.t", …]}
      -> {"db.t": {"rows": N, "ids": [...sorted], "columns": [...], "files": [...data file paths]}}
  {"op": "create", "endpoint": …, "table": "db.t", "location": "s3://…", "rows": [{…}], "columns": {"name": "string"}}
      -> {"metadata_location": …, "files": [...]}
"""
import json
import sys

import pyarrow as pa
from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

TYPES = {"string": (StringType(), pa.string()), "long": (LongType(), pa.int64())}


def catalog(endpoint):
    creds = {"access-key-id": "testing", "secret-access-key": "testing", "region": "us-east-1"}
    props = {"glue.endpoint": endpoint, "s3.endpoint": endpoint}
    for k, v in creds.items():
        props[f"glue.{k}"] = v
        props[f"s3.{k}"] = v
    return GlueCatalog("glue_catalog", **props)


def data_files(table):
    return sorted(t.file.file_path for t in table.scan().plan_files())


def main():
    job = json.loads(sys.argv[1])
    cat = catalog(job["endpoint"])
    if job["op"] == "read":
        out = {}
        for name in job["tables"]:
            t = cat.load_table(name)
            arrow = t.scan().to_arrow()
            ids = sorted(str(x) for x in arrow.column("id").to_pylist()) if "id" in arrow.column_names else []
            out[name] = {"rows": arrow.num_rows, "ids": ids, "columns": arrow.column_names, "files": data_files(t)}
        print(json.dumps(out))
    elif job["op"] == "create":
        db, name = job["table"].split(".")
        try:
            cat.create_namespace(db)
        except NamespaceAlreadyExistsError:
            pass
        cols = list(job["columns"].items())
        schema = Schema(*[NestedField(i + 1, c, TYPES[t][0], required=False) for i, (c, t) in enumerate(cols)])
        t = cat.create_table(job["table"], schema=schema, location=job["location"])
        arrow_schema = pa.schema([pa.field(c, TYPES[t][1], nullable=True) for c, t in cols])
        t.append(pa.Table.from_pylist(job["rows"], schema=arrow_schema))
        t = cat.load_table(job["table"])
        print(json.dumps({"metadata_location": t.metadata_location, "files": data_files(t)}))


if __name__ == "__main__":
    main()
