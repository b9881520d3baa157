"""The errors of the claims package: one home, so every writer, form and shell imports them
from here (the CLI prints them, the workbench maps them to 422 with the field at fault)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medcoder.errors import InputError

if TYPE_CHECKING:
    from medcoder.claims.x12_validate import X12Issue


class ClaimError(InputError):
    """An encounter that cannot become a valid claim as given.

    Raised instead of writing a claim a payer would reject or, worse, a silently truncated
    one (for example a 13th diagnosis dropped from an 837P). ``field`` names the encounter
    field (dotted path) at fault so the CLI and UI can point at it.
    """

    code = "invalid_claim"

    def __init__(self, field: str, problem: str, *, encounter_id: str | None = None) -> None:
        self.problem = problem
        self.encounter_id = encounter_id
        prefix = f"encounter {encounter_id!r}: " if encounter_id else ""
        super().__init__(f"{prefix}{field}: {problem}", field=field)


class X12ValidationError(ClaimError):
    """The written interchange did not pass pyx12: nothing is handed out or written.

    A writer bug rather than a data problem in most cases, so the message carries pyx12's
    first finding (segment, element, message) and ``issues`` all of them.
    """

    code = "x12_validation_failed"

    def __init__(
        self, kind: str, issues: list[X12Issue], *, encounter_id: str | None = None
    ) -> None:
        self.kind = kind
        self.issues = issues
        first = issues[0]
        where = " ".join(p for p in (first.segment, first.element) if p) or first.level
        super().__init__(
            where,
            f"the {kind} did not pass pyx12 ({len(issues)} issue(s); first: {first}); "
            "nothing written",
            encounter_id=encounter_id,
        )
