"""Every published payload kept as a fixture (docs/partners/REAL_PAYLOADS.md) comes out as events or as a
counted ignore, never as a dead letter, and the page's count per partner stays true.

Published payloads are the case files not written by hand: every name that does not start with
`synthetic_`. Their exact goldens live in each partner's tests; this is the census.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.base import AdapterOptions
from adapters.registry import run_adapter
from schemas import Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parent
PAGE = ROOT.parents[1] / "docs" / "partners" / "REAL_PAYLOADS.md"

# Adapter name → (partner kind, hub-subject header for formats that need one).
PARTNERS: dict[str, tuple[PartnerKind, str | None]] = {
    "cainiao": (PartnerKind.LOGISTICS_PLATFORM, None),
    "ozon": (PartnerKind.MARKETPLACE, None),
    "wildberries": (PartnerKind.MARKETPLACE, None),
    "aliexpress": (PartnerKind.MARKETPLACE, None),
    "cdek": (PartnerKind.COURIER, None),
    "boxberry": (PartnerKind.COURIER, "boxberry:DUD15086277"),
    "russian_post": (PartnerKind.POST, "rp:14102192069353"),
    "spsr": (PartnerKind.COURIER, None),
}
# The page's row name of each adapter.
ROW = {"cainiao": "Cainiao", "ozon": "Ozon", "wildberries": "Wildberries", "aliexpress": "AliExpress",
       "cdek": "CDEK", "boxberry": "Boxberry", "russian_post": "Russian Post", "spsr": "SPSR"}


def published(partner: str) -> list[Path]:
    cases = ROOT / partner / "cases"
    return sorted(p for p in cases.iterdir() if p.suffix in (".json", ".xml") and not p.name.startswith("synthetic_"))


ALL = [(partner, path) for partner in PARTNERS for path in published(partner)]


@pytest.mark.parametrize(("partner", "path"), ALL, ids=[p.name for _, p in ALL])
def test_a_published_payload_is_never_a_dead_letter(partner: str, path: Path) -> None:
    kind, subject = PARTNERS[partner]
    options = AdapterOptions(partner=partner, partner_kind=kind, subject=subject, country="RU")
    result = run_adapter(partner, path.read_bytes(), received_at=RECEIVED_AT, options=options)
    # Partial only with events: the spec's batch answer holds one "not found" item by design.
    assert result.outcome in (Outcome.NORMALISED, Outcome.IGNORED, Outcome.PARTIAL)
    if result.outcome is Outcome.IGNORED:
        assert result.problems and result.problems[0].kind == "ignored"  # a counted reason
    else:
        assert result.events


@pytest.mark.parametrize("partner", list(PARTNERS))
def test_the_page_counts_what_the_cases_hold(partner: str) -> None:
    row = next(line for line in PAGE.read_text().splitlines() if line.startswith(f"| {ROW[partner]} |"))
    found, right = (cell.strip() for cell in row.split("|")[2:4])
    assert int(found) == len(published(partner))
    assert right in (found, "—") or (found == "0" and right == "—")


def test_the_page_total_adds_up() -> None:
    total = next(line for line in PAGE.read_text().splitlines() if line.startswith("| **Total**"))
    found, right = (int(re.sub(r"\D", "", cell)) for cell in total.split("|")[2:4])
    assert found == right == len(ALL)
