"""Bearer secrets (ticket links, calendar feeds, API tokens): random, URL-safe, kept only as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import TypeGuard

TOKEN_BYTES = 32  # 43 URL-safe characters: far beyond guessing
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,128}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What is stored and looked up: the secret itself never is."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(text: object) -> TypeGuard[str]:
    """Whether `text` could be a token at all (anything else is refused before any query)."""
    return isinstance(text, str) and TOKEN_PATTERN.fullmatch(text) is not None
