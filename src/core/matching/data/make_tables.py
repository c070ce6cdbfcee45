#!/usr/bin/env python3
"""Derives the owner match's shipped tables (this folder) from their public sources; run by hand
when a source changes. DATA-NOTICE.md names each source and its licence.

usage: make_tables.py SOURCES_DIR COUNTRY_CODES_CSV PHONE_METADATA_XML
  SOURCES_DIR: tests/match_eval/sources (the SSA counts, USPS Pub 28 tables, libpostal street
  types, cleanco legal forms and the titles both nameparser and libpostal list);
  COUNTRY_CODES_CSV: data/country-codes.csv of github.com/datasets/country-codes (PDDL);
  PHONE_METADATA_XML: libphonenumber's resources/PhoneNumberMetadata.xml (Apache-2.0), the
  copy in the `phonenumber` crate's assets/ (the version Cargo.lock pins).
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
src, cc, phone_xml = sys.argv[1], sys.argv[2], sys.argv[3]


def copy(name, out=None):
    with open(os.path.join(src, name), encoding="utf-8") as f, \
            open(os.path.join(HERE, out or name), "w", encoding="utf-8") as g:
        g.write(f.read())


# Given names: lower case, sorted (binary search at run time), female and male births.
with open(os.path.join(src, "ssa_name_sex.csv"), encoding="utf-8") as f:
    rows = sorted((r["name"].lower(), r["female"], r["male"]) for r in csv.DictReader(f))
with open(os.path.join(HERE, "given_names_sex.csv"), "w", encoding="utf-8") as g:
    g.write("name,female,male\n")
    g.writelines(f"{n},{fe},{m}\n" for n, fe, m in rows)
for name in ("usps_street_suffixes.csv", "usps_unit_designators.csv", "libpostal_street_types.csv",
             "titles.csv"):
    copy(name)
copy("cleanco_legal_forms.csv", "legal_forms.csv")
# Countries: alpha-2, alpha-3 and English names (CLDR, ISO official, UN short without "(the)").
with open(cc, encoding="utf-8") as f, open(os.path.join(HERE, "countries.csv"), "w", encoding="utf-8") as g:
    g.write("alpha2,alpha3,names\n")
    for r in csv.DictReader(f):
        a2, a3 = r["ISO3166-1-Alpha-2"].strip(), r["ISO3166-1-Alpha-3"].strip()
        if not re.fullmatch(r"[A-Z]{2}", a2):
            continue
        names = []
        for k in ("CLDR display name", "official_name_en", "UNTERM English Short"):
            n = re.sub(r"\s*\(the\)$", "", r[k].strip())
            if n and n not in names and "|" not in n:
                names.append(n)
        g.write(f"{a2},{a3},{'|'.join(names)}\n")

# Phone metadata: the XML without comments, blank lines, the DTD and the formatting rules
# (`availableFormats`: parsing and validation do not read them, and building their patterns
# was most of a database's load time); loaded one calling code at a time.
with open(phone_xml, encoding="utf-8") as f:
    xml = re.sub(r"<!--.*?-->", "", f.read(), flags=re.S)
xml = re.sub(r"<availableFormats>.*?</availableFormats>", "", xml, flags=re.S)
xml = re.sub(r"<!DOCTYPE.*?\]>", "", xml, flags=re.S)
with open(os.path.join(HERE, "phone_metadata.xml"), "w", encoding="utf-8") as g:
    g.write("\n".join(line.rstrip() for line in xml.splitlines() if line.strip()) + "\n")
