"""National Provider Identifier check digit.

An NPI is 10 digits whose last digit is a Luhn (mod 10 "double-add-double") check digit
computed over the first nine digits prefixed with ``80840`` (the ISO 7812 card issuer prefix
CMS registered for US health identifiers). The 837 implementation guides require NM109 to be
an NPI when NM108 is ``XX`` (loops 2010AA, 2310A-B, 2420x), and payers reject a bad check
digit at the front end, so the writer checks it before building a claim.
"""

from __future__ import annotations

NPI_PREFIX = "80840"


def _luhn_check_digit(payload: str) -> int:
    """The Luhn digit that makes ``payload + digit`` pass the mod 10 check."""
    total = 0
    # Double every second digit starting from the rightmost digit of the payload.
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def npi_check_digit(first_nine: str) -> int:
    """The check digit for an NPI's first nine digits."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError(f"expected 9 digits, got {first_nine!r}")
    return _luhn_check_digit(NPI_PREFIX + first_nine)


def npi_is_valid(npi: str | None) -> bool:
    """True when ``npi`` is 10 digits with a correct Luhn check digit (80840 prefix)."""
    if npi is None or len(npi) != 10 or not npi.isdigit():
        return False
    return npi_check_digit(npi[:9]) == int(npi[9])
