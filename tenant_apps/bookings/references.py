"""Visit references (besöksnummer): six characters a patient can read to support over the phone
and an SMS can carry in a short link (/b/K7F2Q9).

Only characters that cannot be mistaken for one another: no 0/O, 1/I/L, and no U (read as V).
Stored without the dash ("K7F2Q9"), shown with it ("K7F-2Q9"); typed in any case, with or
without the dash. Unique per provider (a unique constraint in the provider's schema); 30^6 is
some 729 million, so a new booking rarely meets a taken one, and then draws again
(services._save_holding_time). A reference reveals nothing by itself: it opens a visit only to
someone logged in who takes part in it (views.visit_link).
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6
_SEPARATORS = re.compile(r"[\s-]")
# The shown form, as the API schema states it.
DISPLAY_PATTERN = f"^[{ALPHABET}]{{{LENGTH // 2}}}-[{ALPHABET}]{{{LENGTH - LENGTH // 2}}}$"


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(reference: str) -> str:
    """ "K7F2Q9" as people read it: "K7F-2Q9"."""
    half = LENGTH // 2
    return f"{reference[:half]}-{reference[half:]}" if reference else ""


def normalize(text: str) -> str | None:
    """The stored form of what someone typed ("k7f-2q9", "K7F2Q9 "), or None when it cannot be
    a reference."""
    candidate = _SEPARATORS.sub("", text or "").upper()
    if len(candidate) != LENGTH or any(char not in ALPHABET for char in candidate):
        return None
    return candidate
