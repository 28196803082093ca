#!/usr/bin/env python3
"""Writes N synthetic, clearly fictional incidents as a CSV that `vigil import incidents` reads.

Countries are ISO 3166 user-assigned codes (XA-XZ), so no row can be mistaken for a real report.
Usage: make_csv.py N OUT.csv [--bad-lines 7,42]   (bad lines get an invalid date)
"""
import csv
import random
import sys

VIOLATIONS = ["arbitrary_detention", "torture", "enforced_disappearance", "ill_treatment", "extortion",
              "forced_displacement", "restriction_of_expression", "denial_of_fair_trial"]
GROUPS = ["journalists", "human_rights_defenders", "ethnic_minority", "political_opposition", "lgbtiq"]
PLACES = ["market", "stadium", "checkpoint", "university", "bus station", "court house", "river bridge"]


def main():
    count = int(sys.argv[1])
    out = sys.argv[2]
    bad = set()
    if "--bad-lines" in sys.argv:
        bad = {int(x) for x in sys.argv[sys.argv.index("--bad-lines") + 1].split(",")}
    rng = random.Random(1)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["title", "summary", "occurred", "country", "admin1", "lat", "lon", "geo_precision",
                         "violation_types", "targeted_groups", "victims_min", "victims_max", "verification",
                         "confidentiality", "tags"])
        for line in range(1, count + 1):
            year = rng.randint(2000, 2024)
            month = rng.randint(1, 12)
            occurred = f"{year}-{month:02d}" if line not in bad else f"{year}-13"
            victims = rng.randint(1, 200)
            place = rng.choice(PLACES)
            writer.writerow([
                f"Incident {line} near the {place}",
                f"Witnesses described detentions near the {place}; families were not told where people were held.",
                occurred,
                "X" + chr(ord("A") + rng.randint(0, 25)) if rng.random() < 0.98 else "XK",
                f"Region {rng.randint(1, 40)}",
                f"{rng.uniform(-60, 60):.4f}", f"{rng.uniform(-150, 150):.4f}", "locality",
                "|".join(rng.sample(VIOLATIONS, rng.randint(1, 3))),
                "|".join(rng.sample(GROUPS, rng.randint(0, 2))),
                victims, victims + rng.randint(0, 20),
                rng.choice(["unverified", "under_review", "corroborated"]),
                rng.choice(["public", "public", "restricted"]),
                "synthetic",
            ])


if __name__ == "__main__":
    main()
