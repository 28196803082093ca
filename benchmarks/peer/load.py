#!/usr/bin/env python3
"""Loads the peer benchmark's data (shared/bench export_ndjson.py files) into a Vigil database.

Every row goes through `vigil import` (validated, audited, indexed), table by table, keeping a
map from each row's source_ref to the id Vigil gave it so that references resolve. Field mapping
(as the bench README suggests): description -> summary, occurred_on -> occurred, violation_type
-> violation_types [..], region -> admin1, victim_count -> victims_min/_max; allegations'
source_name becomes a source record; denials' official becomes speaker and speaker_position.
Everything is public, so a confidential-clearance token sees what datasette serves.

Usage: load.py VIGIL_BIN EXPORT_DIR VIGIL_DB [ID_MAP]
  -> prints VIGIL_TOKEN=... and VIGIL_ID_4242=... lines, and writes ID_MAP (default: VIGIL_DB
     without its extension + "-ids.tsv", e.g. vigil.db -> vigil-ids.tsv): one "table source_ref
     vigil_id" line (tab-separated) per imported row of detention_sites, incidents, allegations and
     denials, so that answers can be compared with datasette's (compare.py).
"""
import json
import os
import subprocess
import sys
import tempfile

SITE_TYPES = {"prison": "official_prison", "police_station": "police_station", "military_base": "military_base",
              "detention_camp": "camp", "unofficial_facility": "secret_facility",
              "intelligence_branch": "intelligence_facility", "immigration_centre": "immigration_centre"}
VERIFICATION = {"reported": "unverified", "under_review": "under_review", "verified": "confirmed",
                "closed": "corroborated"}
ASSESSMENT = {"unverified": "unassessed", "low": "disputed", "medium": "credible", "high": "corroborated"}


def rows(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# Rows per `vigil import` call. One call is one transaction; a transaction of millions of rows
# outgrows the page cache and makes SQLite search an ever longer write-ahead log, so the 1M-row
# sizes load in slices (each still validated, audited and indexed like any import).
CHUNK = int(os.environ.get("LOAD_CHUNK", "100000"))


def vigil_import(binary, db, kind, records):
    """Imports records (in order) and returns their new ids, in the same order."""
    records = list(records)
    ids = []
    for start in range(0, len(records), CHUNK):
        ids += import_chunk(binary, db, kind, records[start:start + CHUNK])
    print(f"imported {len(ids):,} {kind}", file=sys.stderr)
    return ids


def import_chunk(binary, db, kind, records):
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False, encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        name = handle.name
    try:
        result = subprocess.run([binary, "import", "--db", db, kind, name], capture_output=True, text=True)
    finally:
        os.unlink(name)
    if result.returncode != 0:
        sys.exit(f"import of {kind} failed: {result.stderr.strip()} {result.stdout[:500]}")
    answer = json.loads(result.stdout)
    created = sorted(answer["created"], key=lambda item: item["line"])
    if len(created) != len(records):
        sys.exit(f"import of {kind}: {len(created)} of {len(records)} rows created")
    return [item["id"] for item in created]


def count_rows(db, table):
    import sqlite3
    conn = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
    count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    conn.close()
    return count


def stored_ids(db, table, expected):
    """The ids of a table's rows in the order they were stored (for LOAD_RESUME)."""
    import sqlite3
    conn = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
    ids = [row[0] for row in conn.execute(f"SELECT id FROM {table} ORDER BY pk")]
    conn.close()
    if len(ids) != expected:
        sys.exit(f"LOAD_RESUME: {table} holds {len(ids)} rows, the export {expected}")
    print(f"kept {len(ids):,} {table}", file=sys.stderr)
    return ids


def id_map_path(db):
    return os.path.splitext(db)[0] + "-ids.tsv"


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.split("Usage: ")[1])
    binary, export, db = sys.argv[1], sys.argv[2], sys.argv[3]
    map_path = sys.argv[4] if len(sys.argv) == 5 else id_map_path(db)
    id_rows = []  # (table, source_ref, vigil id)
    path = lambda table: os.path.join(export, f"{table}.ndjson")

    # LOAD_RESUME=1: sites and incidents (and sources, when all are there) are already in the
    # database, in file order as this script imports them; read their ids back instead.
    resume = os.environ.get("LOAD_RESUME") == "1"
    # LOAD_ALLEGATIONS_FOR=N: allegations (and their denials) of incidents 1..N only, to bound
    # the load time of the largest sizes; every incident keeps all of its own.
    allegations_for = int(os.environ.get("LOAD_ALLEGATIONS_FOR", "0")) or None

    sites = list(rows(path("detention_sites")))
    site_ids = stored_ids(db, "sites", len(sites)) if resume else vigil_import(binary, db, "sites", [{
        "name": s["name"], "country": s["country"], "admin1": s["region"], "lat": s["lat"], "lon": s["lon"],
        "site_type": SITE_TYPES.get(s["site_type"], "other"), "status": s["status"], "confidentiality": "public",
    } for s in sites])
    site_map = {s["source_ref"]: new for s, new in zip(sites, site_ids)}
    id_rows += [("detention_sites", ref, new) for ref, new in site_map.items()]

    links = {}
    for link in rows(path("incident_sites")):
        links.setdefault(link["incident_ref"], []).append({"site_id": site_map[link["site_ref"]], "role": "held_at"})

    incidents = list(rows(path("incidents")))
    incident_ids = stored_ids(db, "incidents", len(incidents)) if resume else vigil_import(binary, db, "incidents", [{
        "title": i["title"], "summary": i["description"], "occurred": i["occurred_on"], "country": i["country"],
        "admin1": i["region"], "violation_types": [i["violation_type"]], "victims_min": i["victim_count"],
        "victims_max": i["victim_count"], "lat": i["lat"], "lon": i["lon"],
        "verification": VERIFICATION.get(i["status"], "unverified"), "confidentiality": "public",
        **({"sites": links[i["source_ref"]]} if i["source_ref"] in links else {}),
    } for i in incidents])
    incident_map = {i["source_ref"]: new for i, new in zip(incidents, incident_ids)}
    id_rows += [("incidents", ref, new) for ref, new in incident_map.items()]
    del incidents

    allegations = [a for a in rows(path("allegations")) if allegations_for is None or a["incident_ref"] <= allegations_for]
    names = sorted({a["source_name"] for a in allegations})
    if resume and count_rows(db, "sources") == len(names):
        source_ids = stored_ids(db, "sources", len(names))
    else:
        source_ids = vigil_import(binary, db, "sources", [{"name": n, "confidentiality": "public"} for n in names])
    source_map = dict(zip(names, source_ids))
    allegation_ids = vigil_import(binary, db, "allegations", [{
        "source_id": source_map[a["source_name"]], "incident_id": incident_map[a["incident_ref"]],
        "claim": a["summary"], "alleged_on": a["published_on"],
        "assessment": ASSESSMENT.get(a["credibility"], "unassessed"), "confidentiality": "public",
    } for a in allegations])
    allegation_map = {a["source_ref"]: new for a, new in zip(allegations, allegation_ids)}
    id_rows += [("allegations", ref, new) for ref, new in allegation_map.items()]
    del allegations

    denials = [d for d in rows(path("denials")) if d["allegation_ref"] in allegation_map]
    denial_ids = vigil_import(binary, db, "denials", [{
        "statement": d["statement"], "allegation_id": allegation_map[d["allegation_ref"]],
        "speaker": d["official_name"], "speaker_position": d["official_role"], "stated_on": d["stated_on"],
        "confidentiality": "public",
    } for d in denials])
    id_rows += [("denials", d["source_ref"], new) for d, new in zip(denials, denial_ids)]
    del denials

    with open(map_path + ".part", "w", encoding="utf-8") as handle:
        handle.write("table\tsource_ref\tvigil_id\n")
        handle.writelines(f"{table}\t{ref}\t{new}\n" for table, ref, new in id_rows)
    os.replace(map_path + ".part", map_path)
    print(f"wrote {len(id_rows):,} ids to {map_path}", file=sys.stderr)

    token = subprocess.run([binary, "token", "create", "--db", db, "--name", "bench", "--role", "editor",
                            "--clearance", "confidential"], capture_output=True, text=True, check=True).stdout.strip()
    print(f"VIGIL_TOKEN={token}")
    print(f"VIGIL_ID_4242={incident_map[4242]}")


if __name__ == "__main__":
    main()
