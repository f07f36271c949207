"""Tests of rnnbook.show: the package's own source, on the page."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import rnnbook
from rnnbook import bptt, cells, data, gradients, text


@pytest.mark.parametrize(
    "obj",
    [cells.simple_rnn_step, cells.simple_rnn_backward, cells.lstm_step, cells.lstm_backward, cells.gru_step,
     cells.gru_backward, gradients.clip_by_global_norm, data.sliding_windows, text.CharMarkovChain,
     bptt.CharRNN.loss_and_grads],
)
def test_show_returns_the_live_source_without_the_docstring(obj):
    shown = rnnbook.show(obj)
    code = repr(shown)
    assert code == str(shown)
    name = obj.__name__
    assert f"def {name}(" in code or f"class {name}" in code
    doc = inspect.getdoc(obj)
    assert doc.splitlines()[0] not in code  # the docstring is left out
    assert code in inspect.getsource(obj).replace("\n    ", "\n") or code.splitlines()[-1].strip() in inspect.getsource(obj)
    assert shown._repr_markdown_() == f"```python\n{code}\n```"
    with_doc = repr(rnnbook.show(obj, docstring=True))
    assert doc.splitlines()[0] in with_doc


def test_show_keeps_the_checking_decorator_and_the_maths():
    code = repr(rnnbook.show(cells.lstm_step))
    assert code.splitlines()[0] == "@_checked(_check_lstm_step)"
    assert "c_t = f * c_prev + i * c_cand" in code
    assert "h_t = o * np.tanh(c_t)" in code


def test_show_follows_the_package_source(tmp_path, monkeypatch):
    # what is shown is read from the file at call time: a changed package shows changed code
    module = tmp_path / "rnnbook_probe.py"
    module.write_text("def f(x):\n    '''Doc.'''\n    return x + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    probe = importlib.import_module("rnnbook_probe")
    probe.f.__module__ = "rnnbook.probe"
    assert repr(rnnbook.show(probe.f)) == "def f(x):\n    return x + 1"


@pytest.mark.parametrize("obj", [np.mean, print, 3, "cells.lstm_step", None, cells])
def test_show_refuses_what_is_not_code_of_the_package(obj):
    with pytest.raises(TypeError, match="show"):
        rnnbook.show(obj)


def test_show_docstring_must_be_bool():
    with pytest.raises(TypeError, match="docstring must be True or False; got str"):
        rnnbook.show(cells.lstm_step, docstring="no")


def test_show_refuses_to_show_stale_source(tmp_path, monkeypatch):
    import importlib

    module = tmp_path / "rnnbook_stale.py"
    module.write_text("def g(x):\n    return x\n\n\ndef f(x):\n    return x + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = importlib.import_module("rnnbook_stale")
    probe.f.__module__ = "rnnbook.stale"
    module.write_text("def g(x):\n    y = x\n    return y\n\n\n\n\ndef f(x):\n    return x + 2\n")  # f moved down
    with pytest.raises(RuntimeError, match="changed after it was imported"):
        rnnbook.show(probe.f)


def test_each_module_states_its_public_names_once_at_the_top():
    """One ``__all__`` per module, written where a reader looks for it, and every name in it exists."""
    import importlib
    import pkgutil
    import re
    from pathlib import Path

    for info in pkgutil.walk_packages(rnnbook.__path__, "rnnbook."):
        module = importlib.import_module(info.name)
        source = Path(module.__file__).read_text()
        assert not re.search(r"^__all__\s*\+=", source, re.M), f"{info.name} extends __all__ further down"
        assert len(re.findall(r"^__all__\s*=", source, re.M)) <= 1, f"{info.name} sets __all__ twice"
        missing = [n for n in getattr(module, "__all__", []) if not hasattr(module, n)]
        assert not missing, f"{info.name}.__all__ names what it does not define: {missing}"


def test_shown_maths_sits_behind_its_checked_wrapper():
    """The page shows the maths; the public function checks, then calls it with the same result."""
    from rnnbook import practice

    ids = np.array([[0, 2], [1, 1]])
    np.testing.assert_array_equal(text.one_hot(ids, 3), text._one_hot(ids, 3))
    docs = [["a", "b", "a"], ["b", "c"]]
    for a, b in zip(text.tfidf(docs, sublinear_tf=True), text._tfidf(docs, True, True, "l2")):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    lengths = np.array([3, 20, 7, 40, 12])
    got = practice.bucket_batches(lengths, 2, (10, 30), seed=4)
    want = practice._bucket_batches(lengths, 2, np.array([10, 30]), 4)
    assert [b.tolist() for b in got] == [b.tolist() for b in want]
    for shown in (text._one_hot, text._tfidf, practice._bucket_batches):
        assert "raise" not in rnnbook.show(shown).code      # no argument checks above the maths
    assert "raise" in rnnbook.show(text.one_hot).code
