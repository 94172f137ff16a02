#!/usr/bin/env python3
"""Independent oracle for `fieldbook check`: ownership, freshness and action-item findings.

    python3 tests/oracle/expected_findings.py SITE_DIR --today YYYY-MM-DD
    python3 tests/oracle/expected_findings.py --self-test

Prints {"findings": [{"code": ..., "file": ...}, ...]} sorted by (code, file), one entry per
expected finding (duplicates kept: the comparison is a multiset). `file` is relative to SITE_DIR,
e.g. `content/runbooks/db/rb-00001.md`.

The rules are implemented from shared/FORMAT.md ("Ownership and freshness rules"), written
without looking at Fieldbook's implementation. Python 3.11 standard library only; the YAML
reader below handles the restricted YAML that shared/bench/gen_corpus.py writes (block
mappings, block sequences of scalars or mappings, flow sequences and flow mappings of scalars,
plain / single-quoted / double-quoted scalars, comments). It is not a general YAML parser.

Codes produced: lapsed-owner, partially-lapsed-owner, unknown-owner, stale, due-soon,
never-reviewed, overdue-action. Link findings, unknown keys and invalid metadata are out of scope.
"""
import argparse
import calendar
import datetime as dt
import json
import os
import re
import sys
import tomllib

CODES = (
    "lapsed-owner",
    "partially-lapsed-owner",
    "unknown-owner",
    "stale",
    "due-soon",
    "never-reviewed",
    "overdue-action",
)

# [freshness] defaults from FORMAT.md; book.toml may override them.
DEFAULT_FRESHNESS = {
    "runbook": "90d",
    "course": "180d",
    "page": "365d",
    "postmortem": "never",
    "warn_before": "14d",
}

# ---------------------------------------------------------------------------------------------
# Minimal YAML reader
# ---------------------------------------------------------------------------------------------


class YamlError(ValueError):
    pass


def _strip_comment(line):
    """Remove a trailing `# comment` that is outside quotes (a `#` must follow whitespace)."""
    quote = None
    i = 0
    while i < len(line):
        c = line[i]
        if quote == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quote = None
        elif quote == "'":
            if c == "'":
                if i + 1 < len(line) and line[i + 1] == "'":
                    i += 2
                    continue
                quote = None
        else:
            if c in "\"'" and (i == 0 or line[i - 1] in " \t[{,:-"):
                quote = c
            elif c == "#" and (i == 0 or line[i - 1] in " \t"):
                return line[:i].rstrip()
        i += 1
    return line.rstrip()


_DQ_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0", "/": "/", " ": " "}


def _parse_double_quoted(s, i):
    """s[i] == '"'. Returns (value, index after the closing quote)."""
    out = []
    i += 1
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s):
                raise YamlError("dangling escape")
            e = s[i + 1]
            if e in _DQ_ESCAPES:
                out.append(_DQ_ESCAPES[e])
                i += 2
            elif e in "xuU":
                n = {"x": 2, "u": 4, "U": 8}[e]
                out.append(chr(int(s[i + 2 : i + 2 + n], 16)))
                i += 2 + n
            else:
                raise YamlError(f"unknown escape \\{e}")
        elif c == '"':
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise YamlError("unterminated double-quoted string")


def _parse_single_quoted(s, i):
    out = []
    i += 1
    while i < len(s):
        c = s[i]
        if c == "'":
            if i + 1 < len(s) and s[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise YamlError("unterminated single-quoted string")


def _plain(text):
    """Type a plain scalar: bools, null and integers; everything else (dates too) stays a string."""
    t = text.strip()
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if t in ("", "~", "null", "Null", "NULL"):
        return None
    if re.fullmatch(r"[-+]?[0-9]+", t):
        return int(t)
    return t


def _parse_flow(s, i):
    """Parse a flow value starting at s[i] (after skipping blanks). Returns (value, next index)."""
    while i < len(s) and s[i] in " \t":
        i += 1
    if i >= len(s):
        raise YamlError("expected a flow value")
    c = s[i]
    if c == "[":
        items = []
        i += 1
        while True:
            while i < len(s) and s[i] in " \t":
                i += 1
            if i < len(s) and s[i] == "]":
                return items, i + 1
            v, i = _parse_flow(s, i)
            items.append(v)
            while i < len(s) and s[i] in " \t":
                i += 1
            if i < len(s) and s[i] == ",":
                i += 1
            elif i < len(s) and s[i] == "]":
                return items, i + 1
            else:
                raise YamlError(f"bad flow sequence: {s!r}")
    if c == "{":
        m = {}
        i += 1
        while True:
            while i < len(s) and s[i] in " \t":
                i += 1
            if i < len(s) and s[i] == "}":
                return m, i + 1
            k, i = _parse_flow_scalar(s, i, key=True)
            while i < len(s) and s[i] in " \t":
                i += 1
            if i >= len(s) or s[i] != ":":
                raise YamlError(f"bad flow mapping: {s!r}")
            v, i = _parse_flow(s, i + 1)
            m[str(k)] = v
            while i < len(s) and s[i] in " \t":
                i += 1
            if i < len(s) and s[i] == ",":
                i += 1
            elif i < len(s) and s[i] == "}":
                return m, i + 1
            else:
                raise YamlError(f"bad flow mapping: {s!r}")
    return _parse_flow_scalar(s, i)


def _parse_flow_scalar(s, i, key=False):
    if s[i] == '"':
        return _parse_double_quoted(s, i)
    if s[i] == "'":
        return _parse_single_quoted(s, i)
    j = i
    while j < len(s):
        if s[j] in ",]}":
            break
        if key and s[j] == ":" and (j + 1 == len(s) or s[j + 1] in " \t"):
            break
        j += 1
    return _plain(s[i:j]), j


def _parse_inline_value(text):
    """The value after `key:` or `- ` on one line."""
    t = text.strip()
    if t == "":
        return None
    if t[0] in "[{\"'":
        v, j = _parse_flow(t, 0)
        if t[j:].strip():
            raise YamlError(f"trailing text after value: {t!r}")
        return v
    if t[0] in "|>":
        raise YamlError("block scalars are not supported")
    return _plain(t)


_KEY_RE = re.compile(r"""^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#:][^:]*?)\s*:(?:\s+(.*))?$""")


def _split_key(text):
    """`key: value` -> (key, value text or None); None if the line is not a mapping entry."""
    m = _KEY_RE.match(text)
    if not m:
        return None
    k = m.group(1)
    if k.startswith('"'):
        k = _parse_double_quoted(k, 0)[0]
    elif k.startswith("'"):
        k = _parse_single_quoted(k, 0)[0]
    return k, m.group(2)


def parse_yaml(text):
    lines = []
    for raw in text.split("\n"):
        raw = raw.rstrip("\r")
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise YamlError("tab indentation")
        body = _strip_comment(raw)
        if body.strip() == "" or body.strip() in ("---", "..."):
            continue
        indent = len(body) - len(body.lstrip(" "))
        lines.append([indent, body.strip()])
    if not lines:
        return {}
    value, pos = _parse_block(lines, 0, lines[0][0])
    if pos != len(lines):
        raise YamlError(f"unexpected content: {lines[pos][1]!r}")
    return value


def _parse_block(lines, pos, indent):
    if lines[pos][1].startswith("- ") or lines[pos][1] == "-":
        return _parse_seq(lines, pos, indent)
    return _parse_map(lines, pos, indent)


def _parse_map(lines, pos, indent):
    out = {}
    while pos < len(lines) and lines[pos][0] == indent:
        text = lines[pos][1]
        if text.startswith("- "):
            break
        kv = _split_key(text)
        if kv is None:
            raise YamlError(f"expected `key: value`, got {text!r}")
        key, rest = kv
        pos += 1
        if rest is not None and rest.strip() != "":
            out[key] = _parse_inline_value(rest)
        elif pos < len(lines) and (
            lines[pos][0] > indent or (lines[pos][0] == indent and lines[pos][1].startswith("- "))
        ):
            out[key], pos = _parse_block(lines, pos, lines[pos][0])
        else:
            out[key] = None
    if pos < len(lines) and lines[pos][0] > indent:
        raise YamlError(f"bad indentation at {lines[pos][1]!r}")
    return out, pos


def _parse_seq(lines, pos, indent):
    out = []
    while pos < len(lines) and lines[pos][0] == indent and (
        lines[pos][1].startswith("- ") or lines[pos][1] == "-"
    ):
        rest = lines[pos][1][1:].lstrip(" ")
        inner = indent + (len(lines[pos][1]) - len(rest))
        if rest == "":
            pos += 1
            if pos < len(lines) and lines[pos][0] > indent:
                v, pos = _parse_block(lines, pos, lines[pos][0])
            else:
                v = None
            out.append(v)
        elif _split_key(rest) is not None and rest[0] not in "[{\"'":
            # `- key: value` starts a mapping whose further keys sit at `inner` columns.
            lines[pos] = [inner, rest]
            v, pos = _parse_map(lines, pos, inner)
            out.append(v)
        else:
            out.append(_parse_inline_value(rest))
            pos += 1
    return out, pos


# ---------------------------------------------------------------------------------------------
# Dates and durations
# ---------------------------------------------------------------------------------------------


def parse_date(v):
    if isinstance(v, dt.date):
        return v
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
        return None
    try:
        return dt.date.fromisoformat(v.strip())
    except ValueError:
        return None


def add_months(d, months):
    total = d.year * 12 + (d.month - 1) + months
    y, m = divmod(total, 12)
    m += 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def parse_duration(v):
    """`Nd`, `Nw`, `Nm`, `Ny` -> (n, unit); `never` -> None. Raises ValueError otherwise."""
    s = str(v).strip()
    if s == "never":
        return None
    m = re.fullmatch(r"(\d+)([dwmy])", s)
    if not m:
        raise ValueError(f"bad duration {v!r}")
    return int(m.group(1)), m.group(2)


def add_duration(d, dur):
    n, unit = dur
    if unit == "d":
        return d + dt.timedelta(days=n)
    if unit == "w":
        return d + dt.timedelta(weeks=n)
    if unit == "m":
        return add_months(d, n)
    return add_months(d, 12 * n)  # years: calendar years, Feb 29 clamps to Feb 28


# ---------------------------------------------------------------------------------------------
# Site
# ---------------------------------------------------------------------------------------------


def split_front_matter(text):
    """Returns (dict or None, format). Only YAML `---` front matter is expected from the corpus;
    TOML `+++` is accepted too."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines:
        return None
    first = lines[0].rstrip("\r").rstrip()
    if first not in ("---", "+++"):
        return None
    for idx in range(1, len(lines)):
        if lines[idx].rstrip("\r").rstrip() == first:
            body = "\n".join(lines[1:idx])
            if first == "---":
                return parse_yaml(body) or {}
            return tomllib.loads(body)
    raise YamlError("unterminated front matter")


def kind_from_path(rel_content):
    parts = rel_content.split("/")
    if parts[0] == "runbooks":
        return "runbook"
    if parts[0] == "postmortems":
        return "postmortem"
    if parts[0] == "courses" and len(parts) == 3:
        return "course" if parts[2] == "index.md" else "lesson"
    return "page"


def as_list(v):
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x) for x in v if x is not None]
    return [str(v)]


class Owners:
    def __init__(self, data, today):
        data = data or {}
        self.people = data.get("people") or {}
        self.teams = data.get("teams") or {}
        self.today = today

    def person_lapsed(self, pid):
        p = self.people.get(pid) or {}
        left = parse_date(p.get("left"))
        if left is not None and left <= self.today:
            return True
        return p.get("active") is False

    def team_lapsed(self, tid):
        t = self.teams.get(tid) or {}
        disbanded = parse_date(t.get("disbanded"))
        if disbanded is not None and disbanded <= self.today:
            return True
        members = as_list(t.get("members"))
        return not any(m in self.people and not self.person_lapsed(m) for m in members)

    def status(self, oid):
        """'active', 'lapsed' or 'unknown'."""
        if oid in self.people:
            return "lapsed" if self.person_lapsed(oid) else "active"
        if oid in self.teams:
            return "lapsed" if self.team_lapsed(oid) else "active"
        return "unknown"


def load_config(site):
    path = os.path.join(site, "book.toml")
    cfg = {}
    if os.path.exists(path):
        with open(path, "rb") as f:
            cfg = tomllib.load(f)
    content = (cfg.get("build") or {}).get("content", "content")
    owners_file = (cfg.get("owners") or {}).get("file", "owners.yaml")
    fresh = dict(DEFAULT_FRESHNESS)
    fresh.update({k: str(v) for k, v in (cfg.get("freshness") or {}).items()})
    return content, owners_file, fresh


def ownership_findings(owner_ids, owners):
    """Findings for a document's own owners list."""
    out = []
    seen = []
    for oid in owner_ids:
        if oid not in seen:
            seen.append(oid)
    statuses = {oid: owners.status(oid) for oid in seen}
    for oid in seen:
        if statuses[oid] == "unknown":
            out.append("unknown-owner")
    if seen:
        if all(s in ("lapsed", "unknown") for s in statuses.values()):
            out.append("lapsed-owner")
        elif any(s == "lapsed" for s in statuses.values()):
            out.append("partially-lapsed-owner")
    return out


def expected_findings(site, today):
    content_dir, owners_file, fresh = load_config(site)
    owners_path = os.path.join(site, owners_file)
    owners_data = {}
    if os.path.exists(owners_path):
        with open(owners_path, encoding="utf-8") as f:
            owners_data = parse_yaml(f.read())
    owners = Owners(owners_data, today)
    warn_before = parse_duration(fresh["warn_before"])

    root = os.path.join(site, content_dir)
    docs = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".md"):
                continue
            full = os.path.join(dirpath, name)
            rel_content = os.path.relpath(full, root).replace(os.sep, "/")
            with open(full, encoding="utf-8") as f:
                fm = split_front_matter(f.read())
            docs[rel_content] = fm if isinstance(fm, dict) else {}

    findings = []

    def add(code, rel_content):
        rel_site = os.path.relpath(os.path.join(root, rel_content), site).replace(os.sep, "/")
        findings.append((code, rel_site))

    for rel, fm in docs.items():
        if fm.get("draft") is True:
            continue
        kind = str(fm.get("kind") or kind_from_path(rel))

        # --- ownership ---------------------------------------------------------------------
        own = fm.get("owners", fm.get("owner"))
        if own is not None:
            # A lesson with no owners inherits the course's and reports nothing of its own.
            for code in ownership_findings(as_list(own), owners):
                add(code, rel)

        # --- freshness ---------------------------------------------------------------------
        reviewed_raw = fm.get("reviewed")
        if kind == "lesson" and reviewed_raw is None:
            pass  # shares the course's review state: no finding of its own
        elif reviewed_raw is None:
            if kind in ("runbook", "course"):
                add("never-reviewed", rel)
        else:
            reviewed = parse_date(reviewed_raw)
            if reviewed is not None and reviewed <= today:
                every = fm.get("review_every")
                if every is None:
                    # A lesson with its own `reviewed` falls back to the course default.
                    every = fresh.get("course" if kind == "lesson" else kind, "never")
                try:
                    dur = parse_duration(every)
                except ValueError:
                    dur = None  # invalid-metadata, out of scope
                if dur is not None:
                    due = add_duration(reviewed, dur)
                    if today > due:
                        add("stale", rel)
                    elif warn_before is not None and due <= add_duration(today, warn_before):
                        add("due-soon", rel)

        # --- action items ------------------------------------------------------------------
        if kind == "postmortem":
            items = fm.get("action_items") or []
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict) or str(item.get("status", "")).strip() != "open":
                    continue
                due = parse_date(item.get("due"))
                if due is not None and due < today:
                    add("overdue-action", rel)
                oid = item.get("owner")
                if oid is not None:
                    st = owners.status(str(oid))
                    if st == "unknown":
                        add("unknown-owner", rel)
                    elif st == "lapsed":
                        add("lapsed-owner", rel)

    findings.sort()
    return [{"code": c, "file": f} for c, f in findings]


# ---------------------------------------------------------------------------------------------


def self_test():
    d = dt.date
    assert add_duration(d(2026, 1, 31), (1, "m")) == d(2026, 2, 28)
    assert add_duration(d(2024, 1, 31), (1, "m")) == d(2024, 2, 29)
    assert add_duration(d(2026, 3, 31), (3, "m")) == d(2026, 6, 30)
    assert add_duration(d(2026, 11, 30), (3, "m")) == d(2027, 2, 28)
    assert add_duration(d(2024, 2, 29), (1, "y")) == d(2025, 2, 28)
    assert add_duration(d(2024, 2, 29), (4, "y")) == d(2028, 2, 29)
    assert add_duration(d(2026, 1, 1), (6, "w")) == d(2026, 2, 12)
    assert add_duration(d(2026, 1, 1), (30, "d")) == d(2026, 1, 31)
    assert parse_duration("never") is None
    y = parse_yaml(
        'title: "redis: a \\"b\\""\nowners: [team-a, bob]\nreviewed: 2026-10-18\n'
        "action_items:\n  - title: x y\n    owner: team-a\n    due: 2026-06-07\n    status: open\n"
        "  - title: \"q: r\"\n    owner: bob\n    status: done\n"
        "people:\n  alice: { name: Alice Ng, email: a@example.com }  # c\n"
        "  carol:\n    name: Carol\n    left: 2026-06-30\n    active: false\n"
        "list:\n  - a\n  - 'it''s'\n"
    )
    assert y["title"] == 'redis: a "b"', y["title"]
    assert y["owners"] == ["team-a", "bob"]
    assert y["action_items"][0] == {"title": "x y", "owner": "team-a", "due": "2026-06-07", "status": "open"}
    assert y["action_items"][1]["title"] == "q: r"
    assert y["people"]["alice"] == {"name": "Alice Ng", "email": "a@example.com"}
    assert y["people"]["carol"]["active"] is False
    assert y["list"] == ["a", "it's"]
    o = Owners(
        parse_yaml(
            "people:\n  a: {name: A}\n  b: {name: B, left: 2026-05-01}\n  c: {name: C, active: false}\n"
            "teams:\n  t1: {members: [a, b]}\n  t2: {members: [b, c]}\n  t3: {members: [a], disbanded: 2026-05-01}\n"
            "  t4: {members: [a], disbanded: 2026-05-02}\n  t5: {members: []}\n"
        ),
        d(2026, 5, 1),
    )
    assert [o.status(x) for x in ("a", "b", "c", "t1", "t2", "t3", "t4", "t5", "zz")] == [
        "active", "lapsed", "lapsed", "active", "lapsed", "lapsed", "active", "lapsed", "unknown",
    ]
    assert ownership_findings(["a", "zz"], o) == ["unknown-owner"]
    assert ownership_findings(["b", "zz"], o) == ["unknown-owner", "lapsed-owner"]
    assert ownership_findings(["a", "b"], o) == ["partially-lapsed-owner"]
    assert ownership_findings(["zz", "zz"], o) == ["unknown-owner", "lapsed-owner"]
    print("self-test ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", nargs="?")
    ap.add_argument("--today", help="YYYY-MM-DD; default: [build] today in book.toml")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        self_test()
        return 0
    if not a.site:
        ap.error("SITE_DIR is required")
    today = a.today
    if today is None:
        path = os.path.join(a.site, "book.toml")
        if os.path.exists(path):
            with open(path, "rb") as f:
                today = (tomllib.load(f).get("build") or {}).get("today")
        if today is None:
            today = dt.date.today().isoformat()
    today = dt.date.fromisoformat(str(today))
    findings = expected_findings(a.site, today)
    json.dump({"findings": findings}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
