#!/usr/bin/env python3
"""Builds the owner-match evaluation (tests/match_eval/{tuning,heldout}.jsonl) from the public
tables in tests/match_eval/sources/ (see NOTICE.md there) and the nickname table the library
ships. Every pair is made by a rule applied to those tables, never written to fit the matcher;
the label is what a careful analyst says about the pair (tests/match_eval/README.md gives the
policy per category). Deterministic: a fixed seed, sorted inputs.

A pair: {"id", "category", "field" (name | email | phone | address), "label" (same: must score
>= 80; different: < 50; not_same: < 80), "claim" (claim_json), "owner" (an Owner object of a Get
Identity response), "why"}. The split: a pair is held out when the first byte of the SHA-256 of
its id is odd, so adding a category never moves existing pairs between the parts.

usage: build.py [--check]   (--check: fail when the committed files differ from a fresh build)
"""
import csv
import hashlib
import json
import os
import random
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "tests", "match_eval", "sources")
OUT = os.path.join(ROOT, "tests", "match_eval")
NICKNAMES = os.path.join(ROOT, "src", "core", "matching", "nicknames.csv")


def rows(name):
    with open(os.path.join(SRC, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


rng = random.Random(20261206)

# ------------------------------------------------------------------ tables
SEX = {}  # name (Title case) -> share of female births
BIRTHS = {}
for r in rows("ssa_name_sex.csv"):
    f, m = int(r["female"]), int(r["male"])
    SEX[r["name"]] = f / (f + m)
    BIRTHS[r["name"]] = f + m


def clear_sex(name, share=0.9, births=20000):
    """'F' or 'M' when the name is common and at least `share` of its births one sex."""
    if BIRTHS.get(name, 0) < births:
        return None
    s = SEX[name]
    return "F" if s >= share else "M" if s <= 1 - share else None


COMMON = sorted((n for n in SEX if BIRTHS[n] >= 50000), key=lambda n: (-BIRTHS[n], n))
FEMALE = [n for n in COMMON if clear_sex(n) == "F"]
MALE = [n for n in COMMON if clear_sex(n) == "M"]
SURNAMES = [r["name"].title() for r in rows("census_surnames.csv")]
SURNAME_SET = {s.upper() for s in SURNAMES}

NICK = set()
with open(NICKNAMES, encoding="utf-8") as f:
    for r in csv.DictReader(f):
        a, b = r["name1"].strip().title(), r["name2"].strip().title()
        NICK.add((a, b))
NICK_ANY = NICK | {(b, a) for a, b in NICK}

SUFFIX_STD = {}
for r in rows("usps_street_suffixes.csv"):
    SUFFIX_STD.setdefault(r["standard"], set()).add(r["written"])
    if r["longhand"]:
        SUFFIX_STD[r["standard"]].add(r["longhand"])
# USPS Publication 28, C2: the designators that take a secondary range (a number).
RANGED = {"APT", "BLDG", "DEPT", "FL", "HNGR", "KEY", "LOT", "PIER", "RM", "SLIP", "SPC", "STOP",
          "STE", "TRLR", "UNIT"}
UNITS = [r for r in rows("usps_unit_designators.csv") if r["standard"] in RANGED]
DIRECTIONALS = rows("usps_directionals.csv")
STATES = [r for r in rows("usps_states.csv") if len(r["written"]) > 2 and r["written"] != r["standard"]]
STREET_TYPES_INTL = rows("libpostal_street_types.csv")
PHONES = rows("phone_examples.csv")
LEGAL = rows("cleanco_legal_forms.csv")
TITLES = [r["title"] for r in rows("titles.csv")]
GEN_SUFFIXES = ["Jr", "Sr", "II", "III", "IV"]

# Streets, cities and ZIP codes: real US cities with a ZIP code each (public USPS data).
CITIES = [("Boston", "MA", "02116"), ("Chicago", "IL", "60614"), ("Denver", "CO", "80203"),
          ("Austin", "TX", "78701"), ("Seattle", "WA", "98101"), ("Portland", "OR", "97205"),
          ("Atlanta", "GA", "30303"), ("Miami", "FL", "33130"), ("Phoenix", "AZ", "85004"),
          ("Columbus", "OH", "43215"), ("Nashville", "TN", "37203"), ("Madison", "WI", "53703"),
          ("Richmond", "VA", "23219"), ("Omaha", "NE", "68102"), ("Tulsa", "OK", "74103"),
          ("Raleigh", "NC", "27601"), ("Boise", "ID", "83702"), ("Albany", "NY", "12207")]
# Cities written with an abbreviated first word (scourgify's CITY_ABBRS: ST, MT, FT).
ABBREV_CITIES = [("Saint Louis", "St. Louis", "MO", "63101"), ("Saint Paul", "St Paul", "MN", "55101"),
                 ("Saint Petersburg", "St. Petersburg", "FL", "33701"),
                 ("Saint Cloud", "St Cloud", "MN", "56301"), ("Mount Vernon", "Mt Vernon", "NY", "10550"),
                 ("Mount Pleasant", "Mt. Pleasant", "SC", "29464"),
                 ("Mount Prospect", "Mt Prospect", "IL", "60056"), ("Fort Worth", "Ft Worth", "TX", "76102"),
                 ("Fort Wayne", "Ft. Wayne", "IN", "46802"), ("Fort Collins", "Ft Collins", "CO", "80521"),
                 ("Fort Lauderdale", "Ft. Lauderdale", "FL", "33301"), ("Fort Myers", "Ft Myers", "FL", "33901")]
# ISO 3166-1 short names and alpha-2 / alpha-3 codes.
COUNTRIES = [("United States", "US", "USA"), ("Canada", "CA", "CAN"), ("Germany", "DE", "DEU"),
             ("France", "FR", "FRA"), ("Spain", "ES", "ESP"), ("Switzerland", "CH", "CHE"),
             ("Austria", "AT", "AUT"), ("Netherlands", "NL", "NLD"), ("Belgium", "BE", "BEL"),
             ("Italy", "IT", "ITA"), ("Portugal", "PT", "PRT"), ("Ireland", "IE", "IRL"),
             ("United Kingdom", "GB", "GBR"), ("Sweden", "SE", "SWE"), ("Norway", "NO", "NOR"),
             ("Denmark", "DK", "DNK"), ("Finland", "FI", "FIN"), ("Poland", "PL", "POL"),
             ("Mexico", "MX", "MEX"), ("Brazil", "BR", "BRA"), ("Japan", "JP", "JPN"),
             ("Australia", "AU", "AUS"), ("New Zealand", "NZ", "NZL"), ("India", "IN", "IND")]
INTL_CITY = {"de": ("Berlin", "BE", "10115", "DE"), "fr": ("Lyon", "", "69002", "FR"),
             "es": ("Madrid", "", "28013", "ES")}
INDUSTRY = ["Plumbing", "Consulting", "Bakery", "Logistics", "Dental Group", "Roofing",
            "Landscaping", "Capital", "Holdings", "Auto Repair", "Realty", "Printing",
            "Electric", "Construction", "Software", "Catering", "Trucking", "Design"]
# Spanish, French and German spellings with diacritics, and their plain forms as US records
# often carry them (name registers without accents).
ACCENTED = [("Jose", "José"), ("Maria", "María"), ("Jesus", "Jesús"), ("Ramon", "Ramón"),
            ("Raul", "Raúl"), ("Ines", "Inés"), ("Sofia", "Sofía"), ("Lucia", "Lucía"),
            ("Hector", "Héctor"), ("Cesar", "César"), ("Ruben", "Rubén"), ("Andres", "Andrés"),
            ("Joaquin", "Joaquín"), ("Tomas", "Tomás"), ("Nicolas", "Nicolás"), ("Rene", "René"),
            ("Andre", "André"), ("Zoe", "Zoë"), ("Noel", "Noël"), ("Jurgen", "Jürgen")]
ACCENTED_SURNAMES = [("Rodriguez", "Rodríguez"), ("Martinez", "Martínez"), ("Hernandez", "Hernández"),
                     ("Lopez", "López"), ("Gonzalez", "González"), ("Perez", "Pérez"),
                     ("Sanchez", "Sánchez"), ("Ramirez", "Ramírez"), ("Gomez", "Gómez"),
                     ("Diaz", "Díaz"), ("Jimenez", "Jiménez"), ("Munoz", "Muñoz"),
                     ("Alvarez", "Álvarez"), ("Gutierrez", "Gutiérrez"), ("Fernandez", "Fernández"),
                     ("Muller", "Müller"), ("Schroder", "Schröder")]
INVISIBLE = ["\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff"]
# Latin letters and their Cyrillic look-alikes (Unicode confusables.txt).
HOMOGLYPHS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440",
              "x": "\u0445", "y": "\u0443", "i": "\u0456"}
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "proton.me",
                 "example.com", "comcast.net"]
IDN_DOMAINS = ["bücher.de", "müller.de", "café.fr", "españa.es", "zürich.ch", "göteborg.se",
               "straße.de", "élan.fr", "mañana.mx", "øl.dk"]


def edit1(a, b):
    """True when a and b differ by one substitution, insertion or deletion."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# ------------------------------------------------------------------ pairs
PAIRS = []


def owner(names=(), emails=(), phones=(), addresses=()):
    return {"names": list(names),
            "emails": [{"address": e, "primary": True} for e in emails],
            "phone_numbers": [{"number": p, "type": "mobile", "primary": True} for p in phones],
            "addresses": list(addresses)}


def add(category, field, label, claim, own, why):
    PAIRS.append({"category": category, "field": field, "label": label, "claim": claim,
                  "owner": own, "why": why})


def person(sex=None):
    first = rng.choice(FEMALE if sex == "F" else MALE if sex == "M" else FEMALE + MALE)
    return first, rng.choice(SURNAMES)


def name_pair(category, label, claim_name, owner_name, why):
    add(category, "name", label, {"name": claim_name}, owner(names=[owner_name]), why)


def sample(seq, n):
    seq = list(seq)
    return rng.sample(seq, min(n, len(seq)))


def names():
    for _ in range(60):
        f, l = person()
        form = rng.choice(["upper", "lower", "comma", "spaces"])
        claim = {"upper": f"{f} {l}".upper(), "lower": f"{f} {l}".lower(),
                 "comma": f"{l}, {f}", "spaces": f"  {f}   {l} "}[form]
        name_pair("name.format", "same", claim, f"{f} {l}", f"{form} of the same name")
    for _ in range(60):
        f, l = person()
        m = rng.choice(FEMALE + MALE)
        claim = rng.choice([f"{f} {l}", f"{f} {m[0]}. {l}", f"{f} {m[0]} {l}"])
        name_pair("name.middle_given_or_initial", "same", claim, f"{f} {m} {l}",
                  "middle name left out or as its initial")
    for _ in range(60):
        f, l = person()
        m1, m2 = rng.sample(FEMALE + MALE, 2)
        if m1[0] == m2[0]:
            continue
        a, b = rng.choice([(m1, m2), (m1[0] + ".", m2[0] + "."), (m1, m2[0])])
        name_pair("name.middle_conflict", "not_same", f"{f} {a} {l}", f"{f} {b} {l}",
                  "conflicting middle names or initials")
    same_sex, cross_sex = [], []
    for a, b in sorted(NICK):
        sa, sb = clear_sex(a, births=5000), clear_sex(b, births=5000)
        if sa and sb and sa == sb:
            same_sex.append((a, b))
        sa, sb = clear_sex(a, 0.95, 5000), clear_sex(b, 0.95, 5000)
        if sa and sb and sa != sb:
            cross_sex.append((a, b))
    for a, b in sample(same_sex, 120):
        l = rng.choice(SURNAMES)
        x, y = (a, b) if rng.random() < 0.5 else (b, a)
        name_pair("name.nickname", "same", f"{x} {l}", f"{y} {l}",
                  "nickname relation between names of the same predominant sex (SSA)")
    for a, b in sample(cross_sex, 80):
        l = rng.choice(SURNAMES)
        name_pair("name.nickname_opposite_sex", "not_same", f"{a} {l}", f"{b} {l}",
                  "nickname-table link between names of opposite predominant sex (SSA)")
    near = [(a, b) for i, a in enumerate(COMMON) for b in COMMON[i + 1:]
            if edit1(a.lower(), b.lower()) and (a, b) not in NICK_ANY]
    for a, b in sample(near, 120):
        l = rng.choice(SURNAMES)
        name_pair("name.one_edit_common_names", "not_same", f"{a} {l}", f"{b} {l}",
                  "two common given names (>= 50,000 SSA births each) one edit apart")
    for _ in range(60):
        sex = rng.choice("FM")
        a, b = rng.sample(FEMALE if sex == "F" else MALE, 2)
        if lev(a.lower(), b.lower()) < 3 or (a, b) in NICK_ANY:
            continue
        l = rng.choice(SURNAMES)
        name_pair("name.different_given_same_surname", "not_same", f"{a} {l}", f"{b} {l}",
                  "different given names, same surname: a relative, not the owner")
    for _ in range(60):
        f = rng.choice(FEMALE + MALE)
        l1, l2 = rng.sample(SURNAMES, 2)
        if lev(l1.lower(), l2.lower()) < 3:
            continue
        name_pair("name.same_given_different_surname", "not_same", f"{f} {l1}", f"{f} {l2}",
                  "same given name, different surname")
    for _ in range(80):
        (f1, l1), (f2, l2) = person(), person()
        if lev(f1.lower(), f2.lower()) < 3 or lev(l1.lower(), l2.lower()) < 3 or (f1, f2) in NICK_ANY:
            continue
        name_pair("name.different_person", "different", f"{f1} {l1}", f"{f2} {l2}",
                  "different given name and surname")
    for _ in range(40):
        f, l = person("M")
        s1, s2 = rng.sample(GEN_SUFFIXES, 2)
        name_pair("name.generation_conflict", "not_same", f"{f} {l} {s1}", f"{f} {l} {s2}",
                  "conflicting generation suffixes: father and son")
    for _ in range(40):
        f, l = person("M")
        s = rng.choice(GEN_SUFFIXES)
        claim, own = rng.choice([(f"{f} {l}", f"{f} {l} {s}"), (f"{f} {l} {s}.", f"{f} {l}, {s}")])
        name_pair("name.generation_written_or_left_out", "same", claim, own,
                  "generation suffix left out or punctuated differently")
    # Titles that are not also given names, surnames or generation suffixes (Sr).
    gen = {s.lower() for s in GEN_SUFFIXES}
    titles = [t for t in TITLES if t.title() not in SEX and t.upper() not in SURNAME_SET and t not in gen]
    for t in sample(titles, 60):
        f, l = person()
        name_pair("name.title", "same", f"{t.title()} {f} {l}", f"{f} {l}",
                  "a title (in both nameparser's and libpostal's lists) before the name")
    for plain, accented in ACCENTED:
        l = rng.choice(SURNAMES)
        name_pair("name.diacritics", "same", f"{plain} {l}", f"{accented} {l}", "given name without its accent")
    for plain, accented in ACCENTED_SURNAMES:
        f = rng.choice(FEMALE + MALE)
        name_pair("name.diacritics", "same", f"{f} {accented}", f"{f} {plain}", "surname without its accent")
        if "ü" in accented or "ö" in accented:
            ue = accented.replace("ü", "ue").replace("ö", "oe")
            name_pair("name.diacritics", "same", f"{f} {ue}", f"{f} {accented}", "umlaut written as ue / oe")
    def split_at(n):
        """Where a name splits into two common given names of its own sex (Maryann: Mary +
        Ann), or None."""
        sex = clear_sex(n, births=2000)
        for i in range(2, len(n) - 1):
            a, b = n[:i], n[i:].title()
            if sex and clear_sex(a, births=50000) == sex == clear_sex(b, births=50000):
                return i
        return None

    compounds = sorted(n for n in SEX if BIRTHS[n] >= 2000 and split_at(n))
    for n in sample(compounds, 40):
        i = split_at(n)
        l = rng.choice(SURNAMES)
        split = rng.choice([f"{n[:i]} {n[i:].title()}", f"{n[:i]}-{n[i:].title()}"])
        name_pair("name.joined_or_split_given", "same", f"{split} {l}", f"{n} {l}",
                  "a compound given name joined, spaced or hyphenated")
    # Surnames that are a particle (nameparser's list of prefixes) + another surname or given
    # name: Mcdonald = Mc + Donald, Delacruz = De La + Cruz.
    for s in SURNAMES:
        for p in ("De La", "Del", "De", "Van", "Von", "Mac", "Mc", "La", "Le", "Di", "Du"):
            joined = p.replace(" ", "")
            rest = s[len(joined):].title()
            if s.lower().startswith(joined.lower()) and len(rest) >= 3 and (
                    rest.upper() in SURNAME_SET or BIRTHS.get(rest, 0) >= 5000):
                f = rng.choice(FEMALE + MALE)
                name_pair("name.particle_spacing", "same", f"{f} {p} {rest}", f"{f} {s}",
                          "surname particle written apart or joined")
                break
    for _ in range(40):
        f, l = person()
        full = f"{f} {l}"
        i = rng.randrange(1, len(f))
        claim = full[:i] + rng.choice(INVISIBLE) + full[i:]
        if rng.random() < 0.3:
            claim = claim.replace(" ", "\u00a0")
        name_pair("name.invisible_characters", "same", claim, full,
                  "zero-width or soft-hyphen character inside a word, or a no-break space")
    for _ in range(40):
        f, l = person()
        full = f"{f} {l}"
        spots = [i for i, c in enumerate(full) if c in HOMOGLYPHS]
        if not spots:
            continue
        i = rng.choice(spots)
        claim = full[:i] + HOMOGLYPHS[full[i]] + full[i + 1:]
        name_pair("name.homoglyph", "not_same", claim, full,
                  "a Latin letter replaced by its Cyrillic look-alike (a spoofed name)")


def businesses():
    forms = {}
    for r in LEGAL:
        forms.setdefault(r["type"], []).append(r["term"])
    same_type = [(t, terms) for t, terms in forms.items() if len(terms) >= 2]
    for _ in range(60):
        base = f"{rng.choice(SURNAMES)} {rng.choice(INDUSTRY)}"
        t, terms = rng.choice(same_type)
        a = rng.choice(terms)
        claim, own = rng.choice([(base, f"{base} {a.upper()}"), (f"{base} {a}", f"{base} {a.upper()}")])
        add("business.legal_form", "name", "same", {"name": claim}, owner(names=[own]),
            f"legal form ({t}, cleanco) left out or written in other case")
    for _ in range(40):
        base = f"{rng.choice(SURNAMES)} {rng.choice(INDUSTRY)}"
        (t1, f1), (t2, f2) = rng.sample(sorted(forms.items()), 2)
        a, b = rng.choice(f1), rng.choice(f2)
        if a.lower().strip(".") == b.lower().strip("."):
            continue
        add("business.different_legal_form", "name", "not_same", {"name": f"{base} {a.upper()}"},
            owner(names=[f"{base} {b.upper()}"]), f"legal forms of different types ({t1} / {t2})")
    for _ in range(60):
        s = rng.choice(SURNAMES)
        i1, i2 = rng.sample(INDUSTRY, 2)
        suffix = rng.choice(["LLC", "Inc", "Ltd", "Corp"])
        add("business.shared_word", "name", "not_same", {"name": f"{s} {i1} {suffix}"},
            owner(names=[f"{s} {i2} {suffix}"]), "two businesses sharing the founder's surname")
    for _ in range(40):
        (s1, s2), (i1, i2) = rng.sample(SURNAMES, 2), rng.sample(INDUSTRY, 2)
        add("business.different", "name", "different", {"name": f"{s1} {i1} LLC"},
            owner(names=[f"{s2} {i2} Inc"]), "unrelated businesses")


def street(number, name, suffix, unit=""):
    return " ".join(p for p in (str(number), name, suffix, unit) if p)


def us_address(st, city=None):
    c, region, zip5 = city or rng.choice(CITIES)
    return {"street": st, "city": c, "region": region, "postal_code": zip5, "country": "US"}


def addresses():
    std_forms = [(std, sorted(v)) for std, v in sorted(SUFFIX_STD.items()) if len(v) >= 2]
    for _ in range(100):
        std, forms = rng.choice(std_forms)
        a, b = rng.sample(forms, 2)
        n, nm, city = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        add("address.street_suffix_forms", "address", "same",
            {"address": us_address(street(n, nm, a.title()), city)},
            owner(addresses=[us_address(street(n, nm, b.title()), city)]),
            f"USPS Pub 28 forms of one street suffix ({std})")
    stds = [std for std, _ in std_forms]
    for _ in range(60):
        s1, s2 = rng.sample(stds, 2)
        n, nm, city = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        add("address.street_suffix_conflict", "address", "not_same",
            {"address": us_address(street(n, nm, s1.title()), city)},
            owner(addresses=[us_address(street(n, nm, s2.title()), city)]),
            "same number and name, different street type")
    for _ in range(40):
        d = rng.choice(DIRECTIONALS)
        n, nm, city = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        add("address.directional_forms", "address", "same",
            {"address": us_address(f"{n} {d['standard']} {nm} St", city)},
            owner(addresses=[us_address(f"{n} {d['longhand'].title()} {nm} Street", city)]),
            "directional abbreviated or written out")
    for _ in range(30):
        d1, d2 = rng.sample([d for d in DIRECTIONALS if len(d["standard"]) == 1], 2)
        n, nm, city = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        add("address.directional_conflict", "address", "not_same",
            {"address": us_address(f"{n} {d1['standard']} {nm} St", city)},
            owner(addresses=[us_address(f"{n} {d2['standard']} {nm} St", city)]),
            "opposite directionals")
    for _ in range(60):
        u = rng.choice(UNITS)
        num = f"{rng.randint(1, 40)}{rng.choice(['', 'A', 'B'])}"
        n, nm, city = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        add("address.unit_forms", "address", "same",
            {"address": us_address(f"{n} {nm} St {u['standard'].title()} {num}", city)},
            owner(addresses=[us_address(f"{n} {nm} Street, {u['longhand'].title()} {num}", city)]),
            "unit designator abbreviated or written out")
    for _ in range(40):
        n, nm, city = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        u1, u2 = rng.sample(range(1, 60), 2)
        add("address.unit_conflict", "address", "not_same",
            {"address": us_address(f"{n} {nm} St Apt {u1}", city)},
            owner(addresses=[us_address(f"{n} {nm} St Apt {u2}", city)]), "different apartments")
    for _ in range(40):
        n, nm, city = rng.randint(10, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        m = n + rng.choice([-4, -2, 2, 4, 10, 100])
        add("address.house_number_conflict", "address", "not_same",
            {"address": us_address(f"{n} {nm} St", city)},
            owner(addresses=[us_address(f"{m} {nm} St", city)]), "different house numbers")
    for _ in range(30):
        n, nm, (c, region, zip5) = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        claim = us_address(f"{n} {nm} St", (c, region, zip5))
        own = us_address(f"{n} {nm} St", (c, region, f"{zip5}-{rng.randint(1, 9999):04d}"))
        add("address.zip_plus_four", "address", "same", {"address": claim}, owner(addresses=[own]),
            "ZIP against ZIP+4")
    for _ in range(30):
        n, nm, (c, region, zip5) = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        other = f"{(int(zip5) + rng.randint(1, 90)) % 100000:05d}"
        add("address.zip_conflict", "address", "not_same",
            {"address": us_address(f"{n} {nm} St", (c, region, zip5))},
            owner(addresses=[us_address(f"{n} {nm} St", (c, region, other))]),
            "same street in the same city, different ZIP")
    for s in sample(STATES, 40):
        n, nm = rng.randint(1, 9999), rng.choice(SURNAMES)
        c = rng.choice(SURNAMES) + rng.choice(["ville", "ton", " City", " Falls"])
        zip5 = f"{rng.randint(501, 99950):05d}"
        a = {"street": f"{n} {nm} St", "city": c, "region": s["written"].title(), "postal_code": zip5, "country": "US"}
        b = dict(a, region=s["standard"])
        add("address.region_forms", "address", "same", {"address": a}, owner(addresses=[b]),
            "state written out or as its USPS code")
    for _ in range(60):
        n, nm, city = rng.randint(1, 9999), rng.choice(SURNAMES), rng.choice(CITIES)
        full = us_address(f"{n} {nm} St", city)
        part = rng.choice(["country", "city", "region", "postal_code", "city_region"])
        keys = {"country": ["country"], "city": ["city"], "region": ["region"],
                "postal_code": ["postal_code"], "city_region": ["city", "region", "country"]}[part]
        add("address.partial_claim", "address", "not_same", {"address": {k: full[k] for k in keys}},
            owner(addresses=[full]), f"the claim gives only {part.replace('_', ' and ')}: not an address")
    for full, short, region, zip5 in ABBREV_CITIES:
        n, nm = rng.randint(1, 9999), rng.choice(SURNAMES)
        add("address.city_abbreviation", "address", "same",
            {"address": us_address(f"{n} {nm} St", (short, region, zip5))},
            owner(addresses=[us_address(f"{n} {nm} St", (full, region, zip5))]),
            "Saint / Mount / Fort abbreviated in the city")
    def abbreviation(canon, variant):
        """The written form of a libpostal variant: with a final dot when it is a shortening
        (av -> av.), as is when it only drops accents (chaussee) or is longer."""
        plain = unicodedata.normalize("NFKD", canon).encode("ascii", "ignore").decode()
        return variant if variant == plain or len(variant) >= len(canon) else variant + "."

    for r in sample(STREET_TYPES_INTL, 60):
        lang, canon = r["lang"], r["canonical"]
        variant = abbreviation(canon, rng.choice(r["variants"].split("|")))
        city, region, zip5, country = INTL_CITY[lang]
        nm, n = rng.choice(SURNAMES), rng.randint(1, 200)
        if lang == "de" and canon in ("straße", "weg", "platz"):  # written as one word
            a, b = f"{nm}{canon} {n}", f"{nm}{variant} {n}"
        elif lang == "de":
            a, b = f"{nm} {canon.title()} {n}", f"{nm} {variant.title()} {n}"
        elif lang == "es":  # Calle Mayor 5
            a, b = f"{canon.title()} {nm} {n}", f"{variant.title()} {nm} {n}"
        else:  # 12 avenue Victor Hugo
            a, b = f"{n} {canon} {nm}", f"{n} {variant} {nm}"
        add("address.foreign_street_types", "address", "same",
            {"address": {"street": b, "city": city, "region": region, "postal_code": zip5, "country": country}},
            owner(addresses=[{"street": a, "city": city, "region": region, "postal_code": zip5, "country": country}]),
            f"libpostal ({lang}) abbreviation of a street type")
    for name, a2, a3 in COUNTRIES:
        n, nm = rng.randint(1, 200), rng.choice(SURNAMES)
        base = {"street": f"{n} {nm} Road", "city": "Springfield", "postal_code": "12345"}
        add("address.country_forms", "address", "same", {"address": dict(base, country=name)},
            owner(addresses=[dict(base, country=rng.choice([a2, a3]))]),
            "country name against its ISO 3166 code")


def phones():
    for r in PHONES:
        region = r["region"]
        own = owner(phones=[r["e164"]], addresses=[{"country": region}])
        for fmt in ("national", "international"):
            add("phone.formats", "phone", "same", {"phone": r[fmt], "address": {"country": region}}, own,
                f"{fmt} format of the {r['kind']} example number (phonenumbers, {region})")
        digits = r["e164"]
        changed = digits[:-3] + "".join(str((int(d) + 3) % 10) for d in digits[-3:])
        add("phone.different_number", "phone", "different", {"phone": changed, "address": {"country": region}},
            own, "last three digits differ")
    for r in sample([p for p in PHONES if p["region"] == "US" or p["region"] == "CA"], 4) * 5:
        e1, e2 = rng.sample(range(10, 999), 2)
        own = owner(phones=[f"{r['international']} ext. {e1}"])
        add("phone.extension_conflict", "phone", "not_same", {"phone": f"{r['international']} ext. {e2}"}, own,
            "one line, different extensions")
    fw = str.maketrans("0123456789+", "０１２３４５６７８９＋")
    for r in sample(PHONES, 20):
        own = owner(phones=[r["e164"]], addresses=[{"country": r["region"]}])
        add("phone.unicode_digits", "phone", "same", {"phone": r["e164"].translate(fw)}, own,
            "full-width digits (NFKC folds them)")


def emails():
    for _ in range(40):
        f, l = person()
        d = rng.choice(EMAIL_DOMAINS)
        e = f"{f}.{l}@{d}".lower()
        claim = rng.choice([e.upper(), f"{f}.{l}@{d.upper()}", f" {e} "])
        add("email.case_and_space", "email", "same", {"email": claim}, owner(emails=[e]),
            "case or surrounding spaces differ")
    for _ in range(30):
        f, l = person()
        e = f"{f}.{l}@{rng.choice(EMAIL_DOMAINS)}".lower()
        add("email.display_name", "email", "same", {"email": f"{f} {l} <{e}>"}, owner(emails=[e]),
            "a pasted display name around the address")
    for _ in range(40):
        (f1, l1), (f2, _) = person(), person()
        if f1 == f2:
            continue
        d = rng.choice(EMAIL_DOMAINS)
        add("email.different_local_part", "email", "different", {"email": f"{f1}.{l1}@{d}".lower()},
            owner(emails=[f"{f2}.{l1}@{d}".lower()]), "different mailbox at one domain")
    for _ in range(30):
        f, l = person()
        d1, d2 = rng.sample(EMAIL_DOMAINS, 2)
        add("email.different_domain", "email", "not_same", {"email": f"{f}.{l}@{d1}".lower()},
            owner(emails=[f"{f}.{l}@{d2}".lower()]), "same local part at another provider")
    for d in IDN_DOMAINS:
        f, l = person()
        local = f"{f}.{l}".lower()
        puny = d.encode("idna").decode("ascii")
        add("email.idn_punycode", "email", "same", {"email": f"{local}@{d}"}, owner(emails=[f"{local}@{puny}"]),
            "internationalised domain against its punycode")
        nfd = unicodedata.normalize("NFD", f"{local}@{d}")
        add("email.idn_punycode", "email", "same", {"email": nfd}, owner(emails=[f"{local}@{d}"]),
            "the same address in NFD")


def build():
    names()
    businesses()
    addresses()
    phones()
    emails()
    seen = {}
    tuning, heldout = [], []
    for p in PAIRS:
        cat = p["category"]
        seen[cat] = seen.get(cat, 0) + 1
        p = {"id": f"{cat}#{seen[cat]}", **p}
        (heldout if hashlib.sha256(p["id"].encode()).digest()[0] & 1 else tuning).append(p)
    return tuning, heldout


def dump(pairs):
    return "".join(json.dumps(p, ensure_ascii=False, sort_keys=False) + "\n" for p in pairs)


def main():
    check = "--check" in sys.argv
    tuning, heldout = build()
    stale = []
    for name, pairs in (("tuning.jsonl", tuning), ("heldout.jsonl", heldout)):
        path = os.path.join(OUT, name)
        text = dump(pairs)
        if check:
            if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
                stale.append(name)
        else:
            open(path, "w", encoding="utf-8").write(text)
    if stale:
        sys.exit(f"match_eval: {', '.join(stale)} differ from a fresh build (scripts/match_eval/build.py)")
    cats = sorted({p["category"] for p in tuning + heldout})
    print(f"match_eval: {len(tuning)} tuning + {len(heldout)} held-out pairs, {len(cats)} categories")


if __name__ == "__main__":
    main()
