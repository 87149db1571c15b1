"""The carrier's parcel an Ozon `tracking_number` names (docs/partners/ozon.md#identifiers).

Linked when exactly one carrier scheme fits (s10, rp, cdek, boxberry, else cainiao) and, when
the posting names its carrier (`delivery_method.tpl_provider`), that carrier's; never guessed:
an ambiguous, unknown or mismatched number is flagged and the event stays on the posting.
"""

from __future__ import annotations

from adapters._shared.events import check_digit_flags
from schemas import Identifier, Scheme
from schemas.identifiers import InvalidIdentifier, candidates

# Carrier schemes a posting's tracking_number may name, by preference; cainiao only when no
# preferred scheme fits (Ozon Global parcels from China).
PREFERRED_CARRIER_SCHEMES: tuple[Scheme, ...] = (Scheme.S10, Scheme.RP, Scheme.CDEK, Scheme.BOXBERRY)
FALLBACK_CARRIER_SCHEMES: tuple[Scheme, ...] = (Scheme.CAINIAO,)
# When `delivery_method.tpl_provider` names a carrier, the number must fit that carrier.
PROVIDER_SCHEMES: dict[str, frozenset[Scheme]] = {
    "почта россии": frozenset({Scheme.S10, Scheme.RP}),
    "russian post": frozenset({Scheme.S10, Scheme.RP}),
    "сдэк": frozenset({Scheme.CDEK}),
    "cdek": frozenset({Scheme.CDEK}),
    "boxberry": frozenset({Scheme.BOXBERRY}),
    "cainiao": frozenset({Scheme.CAINIAO}),
}
_MAX_FLAG_VALUE = 64


def carrier_parcel(tracking_number: str | None, provider: str | None, flags: list[str]) -> Identifier | None:
    """The carrier's parcel a tracking_number names, when exactly one carrier scheme fits."""
    number = (tracking_number or "").strip()
    if not number:
        return None
    shown = number[:_MAX_FLAG_VALUE]
    try:
        fits = candidates(number) if ":" not in number else []
    except InvalidIdentifier:
        fits = []
    chosen = None
    for group in (PREFERRED_CARRIER_SCHEMES, FALLBACK_CARRIER_SCHEMES):
        in_group = [i for i in fits if i.scheme in group]
        if len(in_group) > 1:
            flags.append(f"tracking_number_ambiguous:{shown}")
            return None
        if in_group:
            chosen = in_group[0]
            break
    if chosen is None:
        flags.append(f"tracking_number_unrecognised:{shown}")
        return None
    provider_text = (provider or "").lower()
    for name, schemes in PROVIDER_SCHEMES.items():
        if name in provider_text and chosen.scheme not in schemes:
            flags.append(f"tracking_number_mismatch:{shown}")
            return None
    flags.extend(check_digit_flags([chosen]))
    return chosen
