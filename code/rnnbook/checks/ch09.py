"""Auto-checks of chapter 9, "Word embeddings"."""
from __future__ import annotations

import numpy as np

from ._core import register_answer

__all__: list[str] = []

register_answer("ex9-1", 2 * 10_000 * 100, "number", rtol=1e-9, wrong=(
    (10_000 * 100, "word2vec keeps TWO vectors per word: the input vector v_w and the output vector u_w."),
    (2 * 10_000 * 100 + 2 * 10_000, "skip-gram with negative sampling has no biases: only the two matrices."),
    (10_000 * 100 * 6, "the negatives are drawn from the same output matrix; they add no parameters."),
    (100 * 100, "the parameters are one vector per word of the vocabulary, not a [dim, dim] matrix."),
))

# ex9-2: the skip-gram negative-sampling gradient with respect to the centre vector,
# (sigma(u_o . v_c) - 1) u_o + sum_k sigma(u_k . v_c) u_k, first component, at
# v_c = (1, 0), u_o = (0.5, 0.5) and one negative u_1 = (-1, 2)
_SIG = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
register_answer("ex9-2", (_SIG(0.5) - 1) * 0.5 + _SIG(-1.0) * -1.0, "number", rtol=1e-3, wrong=(
    ((_SIG(0.5) - 1) * 0.5 - _SIG(-1.0) * -1.0, "differentiate -log sigma(-u_k . v_c): the sign of the negative's "
                                                "term flips twice, so it adds + sigma(u_k . v_c) u_k."),
    ((_SIG(0.5) - 1) * 0.5 + _SIG(1.0) * -1.0, "the negative's weight is sigma(u_k . v_c) = sigma(-1), the "
                                                "probability the model wrongly gives it, not sigma(+1)."),
    (-(_SIG(0.5) - 1) * 0.5 - _SIG(-1.0) * -1.0, "that is the negative gradient, the step direction; the "
                                                  "exercise asks for the gradient of the loss itself."),
    ((_SIG(0.5) - 1) * 0.5, "the negative sample contributes too: add sigma(u_k . v_c) u_k."),
    (_SIG(-1.0) * -1.0, "the positive context word contributes (sigma(u_o . v_c) - 1) u_o as well."),
))

# ex9-4: the GloVe gradient with respect to the bias b_i for one pair, X_ij = 20, x_max = 100,
# alpha = 0.75, w_i = (0.1, 0.2), w~_j = (0.3, -0.1), b_i = 0.5, b~_j = 1.0
_GLOVE_ERR = 0.1 * 0.3 + 0.2 * -0.1 + 0.5 + 1.0 - np.log(20)
register_answer("ex9-4", 2 * 0.2 ** 0.75 * _GLOVE_ERR, "number", rtol=1e-3, wrong=(
    (0.2 ** 0.75 * _GLOVE_ERR, "the square's derivative brings a factor 2."),
    (2 * _GLOVE_ERR, "the weight f(X_ij) = (20 / 100)^0.75 multiplies the gradient too."),
    (2 * 0.2 ** 0.75 * (_GLOVE_ERR + np.log(20) - 20), "the target is log X_ij, not X_ij."),
    (2 * 0.2 * _GLOVE_ERR, "f(x) = (x / x_max)^alpha with alpha = 0.75: raise 0.2 to that power."),
    (-2 * 0.2 ** 0.75 * _GLOVE_ERR, "the error is prediction minus target, w_i . w~_j + b_i + b~_j - log X_ij."),
))

register_answer("ex9-3", 0.25 ** 0.75, "number", rtol=1e-3, wrong=(
    (0.25, "that is x / x_max; the weighting raises it to the power alpha = 0.75."),
    (1.0, "the cap applies only from x = x_max on; 25 is below 100."),
    (0.25 ** (1 / 0.75), "the exponent is alpha = 0.75 itself, not 1 / alpha."),
    (np.log(25), "f weights the squared error of the entry; log X_ij is the target, not the weight."),
))
