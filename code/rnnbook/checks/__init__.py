"""Auto-checks for the book's exercises.

A learner calls a check on an answer (``checks.answer("ex1-1", value)``) or on a
function they wrote (``checks.seasonal_naive(my_function)``).  The check runs
hidden cases and prints feedback: which case failed, what was expected in shape
and kind, and a hint about the likely mistake.  It never prints the expected
values, and no exception from the learner's code (or from inside this package)
escapes: ``None``, a wrong type, NaN, a function that raises, edits its inputs
in place or runs past the time limit all become a one-line message.  The
guarantees, and the limits of the time limit, are described in ``_core``.

The step functions of the cells (``rnn_step``, ``lstm_step``, ``gru_step``)
must return ``rnnbook.cells.Step(h, state, gates)``, the contract of the
package's own cells; the backward steps (``lstm_backward_step``,
``gru_backward_step``) return a plain tuple of gradients, in the order their
docstrings give, and the check names the first gradient that is wrong.

Every check returns a :class:`CheckResult` (truthy when everything passed),
which shows nothing more in a notebook since the feedback is already printed;
``result.assert_passed()`` raises ``AssertionError`` with the feedback when the
check failed, for autograder cells.  The framework is in ``_core``; each
chapter's checks are in ``chNN``.
"""
from ._core import (TIME_LIMIT, CheckResult, CheckTimeout, answer, register_answer, registered,  # noqa: F401
                    run_cases, run_step_cases)
from .ch01 import *  # noqa: F401,F403
from .ch02 import *  # noqa: F401,F403
from .ch03 import *  # noqa: F401,F403
from .ch04 import *  # noqa: F401,F403
from .ch05 import *  # noqa: F401,F403
from .ch06 import *  # noqa: F401,F403
from .ch07 import *  # noqa: F401,F403
from .ch08 import *  # noqa: F401,F403
from .ch09 import *  # noqa: F401,F403
from .ch10 import *  # noqa: F401,F403
from .ch11 import *  # noqa: F401,F403
from .ch12 import *  # noqa: F401,F403
from .ch13 import *  # noqa: F401,F403
