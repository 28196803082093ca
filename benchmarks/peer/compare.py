#!/usr/bin/env python3
"""Checks the "same records" rule on a run_peer.sh results folder.

For each read endpoint saved by both systems (OUT_DIR/<peer>/<ep>.body and OUT_DIR/<vigil>/<ep>.body)
it checks that Vigil answered with the same records, in the same order, as datasette:

  a  the incident (by source id), and its title
  b  the page of incidents (ids in order)
  c  the facet counts (violation type -> count), exactly
  d  the full-text hits (ids in order)
  e  the incident, and its allegations (ids in order)

Datasette's bodies hold the source integer ids of incidents.db; Vigil's hold Vigil ids, which the id
map written by load.py (or ids_from_db.py) turns back into source ids: "table<TAB>source_ref<TAB>vigil_id"
lines. Prints one "SAME" / "DIFFERENT" line per endpoint with the first difference; exits 1 when an
endpoint differs or is missing.

Usage: compare.py OUT_DIR ID_MAP [--peer datasette-immutable] [--vigil vigil]
"""
import argparse
import json
import os
import sys


def load_map(path):
    """vigil id -> (table, source_ref)."""
    ids = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            table, ref, new = line.rstrip("\n").split("\t")
            if table == "table":
                continue
            ids[new] = (table, int(ref))
    return ids


def peer_rows(body):
    """datasette: _shape=array (a list of objects) or the default shape (rows + columns)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and "rows" in body:
        cols = body.get("columns")
        return [dict(zip(cols, r)) if cols and isinstance(r, list) else r for r in body["rows"]]
    raise ValueError("unrecognised datasette body")


def vigil_rows(body):
    """Vigil: a list under "data" (pages, searches) or one object."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body["data"]
    if isinstance(body, list):
        return body
    return [body]


class Compare:
    def __init__(self, ids):
        self.ids = ids

    def source(self, vigil_id, table):
        t, ref = self.ids.get(vigil_id, (None, None))
        if t != table:
            return f"{vigil_id} (not in the id map)"
        return ref

    def sequence(self, what, peer, vigil):
        """First difference between two id lists, or None."""
        same_set = sorted(map(str, peer)) == sorted(map(str, vigil))
        for i, (p, v) in enumerate(zip(peer, vigil)):
            if p != v:
                note = "same records, order differs" if same_set else "different records"
                return f"{what} #{i + 1}: datasette {p}, vigil {v} ({note})"
        if len(peer) != len(vigil):
            return f"{what}: datasette has {len(peer)}, vigil {len(vigil)}"
        return None

    def incidents(self, peer, vigil, what="incident"):
        p = [r["id"] for r in peer_rows(peer)]
        v = [self.source(r.get("id"), "incidents") for r in vigil_rows(vigil)]
        if not p:
            return "datasette answered no records", 0
        return self.sequence(what, p, v), len(p)

    def ep_a(self, peer, vigil):
        diff, n = self.incidents(peer, vigil)
        if diff is None:
            pt, vt = peer_rows(peer)[0].get("title"), vigil_rows(vigil)[0].get("title")
            if pt != vt:
                diff = f"title: datasette {pt!r}, vigil {vt!r}"
        return diff, f"{n} incident"

    def ep_b(self, peer, vigil):
        diff, n = self.incidents(peer, vigil)
        if diff:  # name the sort keys at the first difference (ties are ordered by id desc)
            for p, v in zip(peer_rows(peer), vigil_rows(vigil)):
                if p["id"] != self.source(v.get("id"), "incidents"):
                    diff += f"; occurred: datasette {p.get('occurred_on')}, vigil {v.get('occurred')}"
                    break
        return diff, f"{n} incidents in order"

    def ep_d(self, peer, vigil):
        diff, n = self.incidents(peer, vigil)
        return diff, f"{n} incidents in order"

    def ep_c(self, peer, vigil):
        p = {r["violation_type"]: r["count"] for r in peer_rows(peer)}
        facets = vigil.get("facets", {}).get("violation_types", []) if isinstance(vigil, dict) else []
        v = {f["value"]: f["count"] for f in facets}
        if not p:
            return "datasette answered no counts", "0 values"
        for key in sorted(set(p) | set(v)):
            if p.get(key) != v.get(key):
                return f"{key}: datasette {p.get(key)}, vigil {v.get(key)}", f"{len(p)} values"
        return None, f"{len(p)} values, total {sum(p.values())}"

    def ep_e(self, peer, vigil):
        diff, n = self.incidents(peer, vigil)
        if diff:
            return diff, f"{n} incident"
        pa = peer_rows(peer)[0].get("allegations")
        if isinstance(pa, str):  # without _json=allegations datasette sends the JSON as a string
            pa = json.loads(pa)
        va = vigil_rows(vigil)[0].get("allegations")
        if pa is None or va is None:
            return "allegations missing from " + ("datasette" if pa is None else "vigil"), "0 allegations"
        p = [a["id"] for a in pa]
        v = [self.source(a.get("id"), "allegations") for a in va]
        return self.sequence("allegation", p, v), f"1 incident + {len(p)} allegations in order"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("id_map")
    ap.add_argument("--peer", default="datasette-immutable")
    ap.add_argument("--vigil", default="vigil")
    a = ap.parse_args()
    cmp = Compare(load_map(a.id_map))
    failed = False
    for ep in "abcde":
        paths = [os.path.join(a.out_dir, s, f"{ep}.body") for s in (a.peer, a.vigil)]
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            print(f"{ep}  MISSING    no {', '.join(missing)}")
            failed = True
            continue
        try:
            peer, vigil = (json.load(open(p, encoding="utf-8")) for p in paths)
            diff, detail = getattr(cmp, f"ep_{ep}")(peer, vigil)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
            diff, detail = f"could not read the bodies: {err!r}", ""
        if diff:
            failed = True
            print(f"{ep}  DIFFERENT  {diff}")
        else:
            print(f"{ep}  SAME       {detail}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
