"""The password rule: long enough, not a common password (or one dressed up), not the e-mail."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask_babel import gettext

MIN_LENGTH = 12
MAX_LENGTH = 200
# Openwall's list of common passwords (public domain, 3,546 entries) plus Vietnamese habits.
BLOCKLIST_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
SEQUENCES = ("01234567890123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
             "1qaz2wsx3edc4rfv5tgb6yhn", "09876543210987654321", "zyxwvutsrqponmlkjihgfedcba")
MIN_DISTINCT = 5


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = BLOCKLIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#!comment"))


def _cores(lowered: str) -> set[str]:
    """The password and what is left once digits and symbols around a word are taken off
    ("Password2026!" is "password")."""
    core = lowered.strip("0123456789!@#$%^&*()-_=+.,;:?/\\|~` ")
    return {lowered, core, lowered.rstrip("0123456789!@#$%^&*.?"), lowered.lstrip("0123456789!@#$%^&*.?")}


def problem(password: str, email: str | None = None) -> str | None:
    """Why this password may not be used (a translated sentence), or None if it may."""
    if len(password) < MIN_LENGTH:
        return gettext("Use at least %(count)s characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return gettext("Use at most %(count)s characters.", count=MAX_LENGTH)
    lowered = password.lower()
    if password.isdigit():
        return gettext("A password of digits only is guessed quickly; add words.")
    if len(set(lowered)) < MIN_DISTINCT or any(lowered in seq * 2 for seq in SEQUENCES):
        return gettext("Repeated characters and keyboard runs are guessed quickly.")
    if any(core and core in common_passwords() for core in _cores(lowered)):
        return gettext("This is one of the most common passwords; choose another.")
    local = (email or "").lower().partition("@")[0]
    if len(local) >= 4 and local in lowered:
        return gettext("The password must not contain your e-mail address.")
    return None
