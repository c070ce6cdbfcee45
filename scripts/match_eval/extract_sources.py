#!/usr/bin/env python3
"""Extracts the public tables the owner-match evaluation is built from into
tests/match_eval/sources/ (committed, with NOTICE.md). Run once by hand; the inputs:

  SRC/ssa/yob1880.txt .. yob2020.txt   US SSA national baby names (public domain), from the
                                       snapshot in github.com/hackerb9/ssa-baby-names raw-data/
  SRC/census_surnames_top1000.csv      US Census 2010 surnames (public domain), first 1000 rows
  SRC/x_<pkg>/                         unpacked wheels: usaddress-scourgify 0.7.1, phonenumbers
                                       9.0.43, cleanco 2.3, nameparser 2.6.0 (pip download)
  SRC/libpostal/<lang>_street_types.txt, en_personal_titles.txt
                                       openvenues/libpostal resources/dictionaries (MIT)

usage: extract_sources.py SRC OUT
"""
import collections
import csv
import glob
import os
import re
import runpy
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def write(name, header, rows):
    with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{name}: {len(rows)} rows")


# SSA: births per name and sex, 1880-2020, names with at least 1000 births.
births = collections.defaultdict(lambda: [0, 0])
for path in sorted(glob.glob(os.path.join(src, "ssa", "yob*.txt"))):
    for line in open(path, encoding="ascii"):
        name, sex, n = line.strip().split(",")
        births[name][0 if sex == "F" else 1] += int(n)
rows = [(n, f, m) for n, (f, m) in births.items() if f + m >= 1000]
rows.sort(key=lambda r: (-(r[1] + r[2]), r[0]))
write("ssa_name_sex.csv", ["name", "female", "male"], rows)

# Census 2010 surnames: name, rank, count.
with open(os.path.join(src, "census_surnames_top1000.csv"), encoding="ascii") as f:
    r = csv.DictReader(f)
    rows = [(d["name"], d["rank"], d["count"]) for d in r]
write("census_surnames.csv", ["name", "rank", "count"], rows[:1000])

# USPS Publication 28 street suffixes, unit designators, directionals (via scourgify).
text = open(os.path.join(src, "x_usaddress_scourgify", "scourgify", "address_constants.py"), encoding="utf-8").read()
text = text.replace("from yamlconf import Config, ConfigError", "Config = ConfigError = None")
ns = {}
exec(compile(text.split("ADDRESS_KEYS")[0], "address_constants", "exec"), ns)
rows = sorted((v, std, ns["LONGHAND_STREET_TYPES"].get(std, "")) for v, std in ns["STREET_TYPE_ABBREVIATIONS"].items())
write("usps_street_suffixes.csv", ["written", "standard", "longhand"], rows)
rows = sorted((k, v) for k, v in ns["OCCUPANCY_TYPE_ABBREVIATIONS"].items() if k != "#")
write("usps_unit_designators.csv", ["longhand", "standard"], rows)
rows = sorted((k, v) for k, v in ns["DIRECTIONAL_REPLACEMENTS"].items())
write("usps_directionals.csv", ["longhand", "standard"], rows)
rows = sorted((k, v) for k, v in ns["STATE_ABBREVIATIONS"].items())
write("usps_states.csv", ["written", "standard"], rows)

# libpostal street types (de, fr, es): canonical|abbreviation|...
rows = []
for lang in ("de", "fr", "es"):
    for line in open(os.path.join(src, "libpostal", f"{lang}_street_types.txt"), encoding="utf-8"):
        forms = [p.strip() for p in line.strip().split("|") if p.strip()]
        if len(forms) >= 2:
            rows.append((lang, forms[0], "|".join(forms[1:])))
write("libpostal_street_types.csv", ["lang", "canonical", "variants"], rows)

# phonenumbers: example fixed-line and mobile numbers per region, in three formats.
sys.path.insert(0, os.path.join(src, "x_phonenumbers"))
import phonenumbers as pn  # noqa: E402
from phonenumbers import PhoneNumberFormat as F, PhoneNumberType as T  # noqa: E402

REGIONS = ["US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "ES", "PT", "IT", "SE",
           "NO", "DK", "FI", "PL", "MX", "BR", "AR", "CO", "IN", "AU", "NZ", "JP", "KR", "SG",
           "ZA", "NG", "PH"]
rows = []
for region in REGIONS:
    for kind, t in (("fixed_line", T.FIXED_LINE), ("mobile", T.MOBILE)):
        n = pn.example_number_for_type(region, t)
        if n is None:
            continue
        rows.append((region, kind, pn.format_number(n, F.E164), pn.format_number(n, F.NATIONAL),
                     pn.format_number(n, F.INTERNATIONAL)))
write("phone_examples.csv", ["region", "kind", "e164", "national", "international"], rows)

# cleanco legal forms per type (term as written).
ns = runpy.run_path(os.path.join(src, "x_cleanco", "cleanco", "termdata.py"))
rows = sorted({(t, term.strip()) for t, terms in ns["terms_by_type"].items() for term in terms if term.strip()})
write("cleanco_legal_forms.csv", ["type", "term"], rows)

# nameparser: titles (single words of letters) and generation/other suffixes.
sys.path.insert(0, os.path.join(src, "x_nameparser"))
from nameparser.config import _compiled as np_c  # noqa: E402

# Titles both nameparser and libpostal's English personal titles list (every written form).
libpostal_titles = set()
for line in open(os.path.join(src, "libpostal", "en_personal_titles.txt"), encoding="utf-8"):
    libpostal_titles.update(p.strip() for p in line.strip().split("|") if p.strip())
rows = sorted((t,) for t in np_c.TITLES if re.fullmatch(r"[a-z]{2,}", t) and t in libpostal_titles)
write("titles.csv", ["title"], rows)
rows = sorted((s,) for s in np_c.SUFFIX_WORDS if re.fullmatch(r"[a-z]+", s))
write("nameparser_suffixes.csv", ["suffix"], rows)
