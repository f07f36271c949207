"""Auto-checks of chapter 13, "Translation and its limits"."""
from __future__ import annotations

import math

from ._core import register_answer

__all__: list[str] = []

# ex13-1: the actions of "jump around left thrice and walk opposite right":
# (I_TURN_LEFT I_JUMP) four times, three times over, then I_TURN_RIGHT I_TURN_RIGHT I_WALK.
register_answer("ex13-1", 2 * 4 * 3 + 3, "number", rtol=1e-9, wrong=(
    ((2 * 4 + 3) * 3, "'thrice' repeats its own phrase, 'jump around left', not the whole command: 'and' joins "
                      "two phrases that are each complete."),
    (2 * 4 * 3 + 2, "'walk opposite right' turns right twice and then walks: three actions."),
    (4 * 3 + 3, "'jump around left' turns left before each of its four jumps: eight actions."),
    (2 * 4 + 3, "'thrice' repeats 'jump around left' three times."),
))

# ex13-3: the brevity penalty of a corpus of 36 hypothesis tokens against 48 reference tokens.
register_answer("ex13-3", math.exp(1 - 48 / 36), "number", rtol=1e-3, wrong=(
    (math.exp(1 - 36 / 48), "the penalty is exp(1 - r / c) with r the references' length and c the "
                            "hypotheses': r / c = 48 / 36 here, and the penalty is below 1."),
    (36 / 48, "the penalty is not the ratio of the lengths: it is exp(1 - r / c)."),
    (1.0, "the hypotheses are shorter than the references (36 < 48), so the penalty applies."),
))

# ex13-5: commands of the SCAN grammar with a fifth primitive, "swim".
_V = 5 + 5 * 2 + 2 + (5 + 1) * 2 * 2        # u, u d, turn d, x {opposite, around} d with x in u or turn
_S = 3 * _V
register_answer("ex13-5", _S + 2 * _S ** 2, "number", rtol=1e-9, wrong=(
    (34 * 3 + 2 * (34 * 3) ** 2, "that is the four-primitive grammar: count the phrases again with swim among "
                                 "the primitives."),
    (3 * (5 + 10 + 2 + 5 * 4) + 2 * (3 * (5 + 10 + 2 + 5 * 4)) ** 2, "'turn' can also be opposite or around a "
                                                                        "direction: x is a primitive or 'turn'."),
    (_S + _S ** 2, "there are two connectives, 'and' and 'after', each joining any two phrases."),
    (2 * _S ** 2, "a command can also be a single phrase, with no connective."),
))
