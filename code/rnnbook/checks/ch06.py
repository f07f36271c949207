"""Auto-checks of chapter 6, "Gated recurrent units, and choosing a cell"."""
from __future__ import annotations

__all__: list[str] = []
