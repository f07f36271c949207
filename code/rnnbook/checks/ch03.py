"""Auto-checks of chapter 3, "Learning through time: BPTT"."""
from __future__ import annotations

__all__: list[str] = []
