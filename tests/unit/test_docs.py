"""The repository stands on its own: its files cite its own docs/, and every citation resolves.

Two checks over the repository's source, test and documentation files (what git tracks plus
new files it does not ignore; never .venv, .git or *.egg-info):

- no file cites the notes that once lived outside the repository (the partner and
  architecture notes, or anything else in the folder shared beside the checkout);
- every `docs/<path>.md#<anchor>` citation names an existing file and a heading of it that
  produces that anchor (GitHub's slug: lowercase, punctuation dropped, spaces to hyphens), and
  every relative link inside docs/ reaches an existing file and heading.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

# Spelled in pieces so that this file does not cite them itself.
OUTSIDE_REFERENCES = ("PARTNERS" + ".md", "ARCHITECTURE" + ".md", ".." + "/shared")


TEXT_SUFFIXES = {
    ".py", ".md", ".toml", ".template", ".properties", ".yml", ".yaml", ".json", ".xml", ".txt",
    ".cfg", ".ini", ".sh", ".html",
}
TEXT_NAMES = {"Makefile", "run"}
SKIPPED_DIRS = {".venv", ".git", ".hypothesis", ".pytest_cache", ".import_linter_cache", "__pycache__", ".hub"}

DOCS_CITATION = re.compile(r"docs/[\w./-]+?\.md(?:#[\w-]+)?")
# Paths of that shape that are another repository's files, cited as sources, not ours.
FOREIGN_DOCS = {"docs/ACTION_CODES.md"}  # com.michlind.packagetracker, the Cainiao action codes
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def _skipped(relative: str) -> bool:
    parts = relative.split("/")
    return any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in parts[:-1])


def _is_text(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return Path(name).suffix in TEXT_SUFFIXES or name in TEXT_NAMES


@cache
def repository_files() -> tuple[str, ...]:
    """Repository-relative paths: what git tracks plus untracked files it does not ignore."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = []
        for directory, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
            listed += [str((Path(directory) / f).relative_to(ROOT)) for f in files]
    return tuple(sorted(
        path for path in set(listed)
        if path and not _skipped(path) and _is_text(path) and (ROOT / path).is_file()
    ))


def read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8", errors="replace")


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: link text kept, lowercase, punctuation dropped,
    each space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(relative: str) -> frozenset[str]:
    """Every anchor the headings of a Markdown file produce (repeats get -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in read(relative).splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def _problem(target: Path, anchor: str) -> str | None:
    """Why `target#anchor` does not resolve, or None when it does."""
    if not target.exists():
        return "no such file"
    if anchor and target.suffix == ".md" and anchor not in anchors(str(target.relative_to(ROOT))):
        return f"no heading gives #{anchor}"
    return None


def test_no_file_cites_notes_outside_the_repository() -> None:
    offenders = []
    for relative in repository_files():
        for number, line in enumerate(read(relative).splitlines(), 1):
            if any(reference in line for reference in OUTSIDE_REFERENCES):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "cite docs/ instead:\n" + "\n".join(offenders)


def test_every_docs_citation_resolves() -> None:
    broken = []
    checked = 0
    for relative in repository_files():
        for number, line in enumerate(read(relative).splitlines(), 1):
            for citation in DOCS_CITATION.findall(line):
                path, _, anchor = citation.partition("#")
                if path in FOREIGN_DOCS:
                    continue
                checked += 1
                problem = _problem(ROOT / path, anchor)
                if problem:
                    broken.append(f"{relative}:{number}: {citation}: {problem}")
    assert broken == [], "\n".join(broken)
    assert checked > 100, f"only {checked} docs/ citations found: is the pattern still right?"


def test_every_link_inside_docs_resolves() -> None:
    broken = []
    pages = [p for p in repository_files() if p.startswith("docs/") and p.endswith(".md")]
    assert "docs/architecture.md" in pages and "docs/partners/README.md" in pages
    for relative in pages:
        fenced = False
        for number, line in enumerate(read(relative).splitlines(), 1):
            if FENCE.match(line):
                fenced = not fenced
            if fenced:
                continue
            for target in MARKDOWN_LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                    continue
                path, _, anchor = target.partition("#")
                resolved = (ROOT / relative).parent / path if path else ROOT / relative
                problem = _problem(resolved.resolve(), anchor)
                if problem:
                    broken.append(f"{relative}:{number}: {target}: {problem}")
    assert broken == [], "\n".join(broken)


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("S10 check digit", "s10-check-digit"),
        ("ORDER_STATUS webhook", "order_status-webhook"),
        ("historyRecord, single access", "historyrecord-single-access"),
        ("The `hub-subject` header", "the-hub-subject-header"),
        ("4PX and YunExpress", "4px-and-yunexpress"),
        ("Russian Post (Почта России)", "russian-post-почта-россии"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug
