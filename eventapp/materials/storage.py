"""The storage folder for material files (MATERIALS_FOLDER, `instance/materials` by default).

Files are written under random names, first to a temporary file and then renamed into place, so a
reader never sees half a file; the database row holds everything else about them.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flask import current_app

KEY = re.compile(r"[0-9a-f]{32}")


def folder() -> Path:
    """The configured folder (made on first use); a relative path is taken from the instance folder."""
    configured = current_app.config.get("MATERIALS_FOLDER") or "materials"
    path = Path(current_app.instance_path, configured)
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(key: str) -> Path:
    """Where a stored file lives; refuses anything but a key this module made."""
    if not KEY.fullmatch(key):
        raise ValueError("not a storage key")
    return folder() / key


def save(data: bytes) -> str:
    """Write the bytes under a new random key and return the key."""
    key = secrets.token_hex(16)
    target = path_of(key)
    temporary = target.with_name(f".{key}.part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    return key


def delete(key: str) -> None:
    """Remove a stored file (already gone is fine: the row is what counts)."""
    path_of(key).unlink(missing_ok=True)
