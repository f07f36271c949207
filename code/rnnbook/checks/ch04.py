"""Auto-checks of chapter 4, "Vanishing and exploding gradients"."""
from __future__ import annotations

__all__: list[str] = []
