"""Auto-checks of chapter 5, "Long short-term memory"."""
from __future__ import annotations

__all__: list[str] = []
