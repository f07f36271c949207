"""Auto-checks of chapter 2, "Recurrent neurons and layers"."""
from __future__ import annotations

__all__: list[str] = []
