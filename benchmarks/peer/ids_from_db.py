#!/usr/bin/env python3
"""Rebuilds load.py's id map for a Vigil database loaded before load.py wrote one.

load.py imports the export's rows in file order, so the n-th incident (allegation) Vigil stored, by
its row number, is the n-th line of incidents.ndjson (allegations.ndjson). This pairs them up, checks
every pair (incidents: title and occurred; allegations: claim and alleged_on) and writes the
incidents and allegations lines of the map ("table<TAB>source_ref<TAB>vigil_id"). Rows whose title
starts with "Benchmark write " (the write benchmark's) are skipped. Opens the database read-only.

Usage: ids_from_db.py VIGIL_DB EXPORT_DIR ID_MAP
"""
import json
import os
import sqlite3
import sys

TABLES = {  # table: (vigil columns, export fields they must equal)
    "incidents": (("title", "occurred"), ("title", "occurred_on")),
    "allegations": (("claim", "alleged_on"), ("summary", "published_on")),
}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("Usage: ")[1])
    db, export, out = sys.argv[1:]
    conn = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
    lines = 0
    with open(out + ".part", "w", encoding="utf-8") as handle:
        handle.write("table\tsource_ref\tvigil_id\n")
        for table, (cols, fields) in TABLES.items():
            where = "WHERE title NOT LIKE 'Benchmark write %'" if table == "incidents" else ""
            stored = conn.execute(f"SELECT id, {', '.join(cols)} FROM {table} {where} ORDER BY pk")
            with open(os.path.join(export, f"{table}.ndjson"), encoding="utf-8") as rows:
                for n, line in enumerate(rows, 1):
                    row, got = json.loads(line), stored.fetchone()
                    if got is None:
                        sys.exit(f"{db}: {table} has fewer rows than the export ({n - 1})")
                    if list(got[1:]) != [row[f] for f in fields]:
                        sys.exit(f"{db}: {table} row {n} is not export line {n}: {got[1:]} vs "
                                 f"{[row[f] for f in fields]} (not loaded by load.py from {export}?)")
                    handle.write(f"{table}\t{row['source_ref']}\t{got[0]}\n")
                    lines += 1
            if stored.fetchone() is not None:
                sys.exit(f"{db}: {table} has more rows than the export")
    os.replace(out + ".part", out)
    print(f"wrote {lines:,} ids to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
