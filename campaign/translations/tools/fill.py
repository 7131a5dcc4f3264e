"""Helper for writing the Russian and Kazakh catalogues by hand, chunk by chunk.

It exists because a translator works best on a short, numbered list with each string's
location, and because filling a .po file by hand risks broken quoting. Usage:

    python campaign/translations/tools/fill.py dump LANG [--chunk N] [--size 120]
        prints the untranslated (or fuzzy) msgids of LANG as a JSON list of
        {"n", "id", "plural", "loc"} objects, chunk N (0-based) of SIZE entries.
    python campaign/translations/tools/fill.py fill LANG FILE.json
        FILE.json maps msgid (or the number dump printed) -> msgstr (a string) or,
        for a plural entry, a list of the plural forms; writes them into LANG's
        catalogue and clears fuzzy flags.
    python campaign/translations/tools/fill.py check LANG
        reports entries whose placeholders or HTML tags differ from the msgid.
    python campaign/translations/tools/fill.py header LANG
        sets the project's Plural-Forms header for LANG.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]

PLURAL_FORMS = {
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "kk": "nplurals=2; plural=(n != 1);",
}

PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]|\{\w*\}|</?[a-zA-Z][^>]*>|&\w+;|&#\d+;")


def po_path(lang: str) -> Path:
    """Return the path of LANG's messages.po."""
    return ROOT / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str):
    """Read LANG's catalogue."""
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def save(lang: str, catalog) -> None:
    """Write LANG's catalogue back, wide lines like pybabel update."""
    with po_path(lang).open("wb") as f:
        write_po(f, catalog, width=76)


def entries(catalog) -> list:
    """Return the catalogue's messages without the header, in file order (stable numbers)."""
    return [m for m in catalog if m.id]


def untranslated(catalog) -> list:
    """Return the entries with a missing plural form, an empty msgstr or a fuzzy flag."""
    out = []
    for m in catalog:
        if not m.id:
            continue
        strs = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if m.fuzzy or not all(strs):
            out.append(m)
    return out


def cmd_dump(args) -> None:
    """Print one chunk of untranslated msgids as numbered JSON."""
    catalog = load(args.lang)
    number = {id(m): i for i, m in enumerate(entries(catalog))}
    todo = untranslated(catalog)
    start = args.chunk * args.size
    rows = []
    for m in todo[start : start + args.size]:
        i = number[id(m)]
        msgid = m.id[0] if isinstance(m.id, (list, tuple)) else m.id
        plural = m.id[1] if isinstance(m.id, (list, tuple)) else None
        loc = " ".join(f"{p}:{n}" for p, n in m.locations[:3])
        row = {"n": i, "id": msgid, "loc": loc}
        if plural:
            row["plural"] = plural
        rows.append(row)
    print(f"# {len(todo)} untranslated in {args.lang}", file=sys.stderr)
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=0)
    print()


def cmd_fill(args) -> None:
    """Write translations from a JSON file into the catalogue."""
    catalog = load(args.lang)
    nplurals = catalog.num_plurals
    data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    done, missing = 0, []
    numbered = entries(catalog)
    for msgid, value in data.items():
        # A key of digits is the entry's number as dump printed it.
        m = numbered[int(msgid)] if msgid.isdigit() else catalog.get(msgid)
        if m is None:
            missing.append(msgid)
            continue
        if isinstance(m.id, (list, tuple)):
            forms = value if isinstance(value, list) else [value] * nplurals
            if len(forms) != nplurals:
                sys.exit(f"{msgid!r}: need {nplurals} forms, got {len(forms)}")
            m.string = tuple(forms)
        else:
            if isinstance(value, list):
                sys.exit(f"{msgid!r} is not a plural entry")
            m.string = value
        m.flags.discard("fuzzy")
        done += 1
    save(args.lang, catalog)
    for msgid in missing:
        print(f"not in catalogue: {msgid!r}", file=sys.stderr)
    print(f"filled {done}; {len(untranslated(catalog))} left in {args.lang}")


def _marks(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def cmd_check(args) -> None:
    """Report msgstrs whose placeholders or tags match neither the msgid nor its plural."""
    bad = 0
    for m in load(args.lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else [m.id]
        strs = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        allowed = [_marks(i) for i in ids]
        for s in strs:
            if s and _marks(s) not in allowed:
                bad += 1
                print(f"{m.id!r}\n  want one of {allowed}\n  got {_marks(s)}: {s!r}")
    print(f"{bad} mismatches in {args.lang}")
    sys.exit(1 if bad else 0)


def cmd_header(args) -> None:
    """Set the Plural-Forms header text for LANG."""
    path = po_path(args.lang)
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r'"Plural-Forms:.*?\\n"\n',
        f'"Plural-Forms: {PLURAL_FORMS[args.lang]}\\\\n"\n',
        text,
        count=1,
        flags=re.S,
    )
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("dump")
    p.add_argument("lang")
    p.add_argument("--chunk", type=int, default=0)
    p.add_argument("--size", type=int, default=120)
    p.set_defaults(func=cmd_dump)
    p = sub.add_parser("fill")
    p.add_argument("lang")
    p.add_argument("file")
    p.set_defaults(func=cmd_fill)
    p = sub.add_parser("check")
    p.add_argument("lang")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("header")
    p.add_argument("lang")
    p.set_defaults(func=cmd_header)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
