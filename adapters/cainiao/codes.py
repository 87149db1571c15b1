"""Cainiao `actionCode` table (docs/partners/cainiao.md#actioncode-table) and the identifier schemes a `mailNo`
may take (docs/partners/cainiao.md#identifiers).

The table itself is shared with the AliExpress adapter (its `querytrackingresult` details
carry the same codes), so it lives in `adapters/cainiao_action_codes.py`; its docstring
cites the source and the judgements made.
"""

from adapters.cainiao_action_codes import ACTION_CODES
from schemas import Scheme

# A mailNo is an S10 number (a postal product: it links Cainiao to Russian Post) or one of
# Cainiao's own shapes (LP…, AE…, XX…Y); S10 first, as the stricter pattern.
MAIL_NO_SCHEMES: tuple[Scheme, ...] = (Scheme.S10, Scheme.CAINIAO)

# Schemes a cross-reference (`preMainCode:…` in a carrier note) may link to: carriers'
# parcel numbers, never a marketplace's own ids (ozon_posting, wb_task) nor free-form ones.
CROSS_REFERENCE_SCHEMES: frozenset[Scheme] = frozenset(
    {Scheme.S10, Scheme.RP, Scheme.CAINIAO, Scheme.BOXBERRY, Scheme.CDEK}
)

__all__ = ["ACTION_CODES", "CROSS_REFERENCE_SCHEMES", "MAIL_NO_SCHEMES"]
