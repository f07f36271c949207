"""``rnnbook.show``: put a function of the package on the page, read from its own source."""
from __future__ import annotations

import ast
import inspect
import textwrap

__all__ = ["Source", "show"]


class Source:
    """The source code of one object of the package, displayed as highlighted Python.

    Jupyter (and the HTML book) render ``_repr_markdown_``, a fenced ``python``
    block; the plain-text form is the code itself, which the notebook stores,
    so that nbval fails when the package changes and the notebook was not
    re-executed.
    """

    def __init__(self, name: str, code: str) -> None:
        self.name = name
        self.code = code

    def __repr__(self) -> str:
        return self.code

    __str__ = __repr__

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}\n```"


def _without_docstring(code: str) -> str:
    """``code`` (one def or class) without the docstring of its outermost definition."""
    tree = ast.parse(code)
    node = tree.body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not node.body:
        return code
    first = node.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)):
        return code
    lines = code.splitlines()
    if len(node.body) == 1:  # only a docstring: leave a visible body
        lines[first.lineno - 1 : first.end_lineno] = [" " * first.col_offset + "..."]
    else:
        del lines[first.lineno - 1 : first.end_lineno]
    return "\n".join(lines)


def show(obj: object, *, docstring: bool = False) -> Source:
    """Display the source of a function, method or class of ``rnnbook``, read at run time.

    The book uses it to show the from-scratch code next to the equations it
    implements: ``rnnbook.show(cells.lstm_step)``.  The code comes from the
    installed package, never from a copy, so the page always shows the code
    that ran.

    Parameters
    ----------
    obj : function, method or class of the ``rnnbook`` package
    docstring : bool, keyword-only
        Keep the docstring (default: leave it out, so that the code reads like
        the equations).

    Returns
    -------
    Source
        Shown as highlighted Python by Jupyter and the book; its ``repr`` is
        the plain code.

    Raises
    ------
    TypeError
        If ``obj`` is not a function, method or class, or does not belong to
        ``rnnbook``, or ``docstring`` is not a bool.
    RuntimeError
        If the package's file changed since it was imported (the code found
        at the old line numbers is not the object's).
    """
    if not isinstance(docstring, bool):
        raise TypeError(f"docstring must be True or False; got {type(docstring).__name__}")
    target = inspect.unwrap(obj.__func__ if inspect.ismethod(obj) else obj)
    if not (inspect.isfunction(target) or inspect.isclass(target)):
        raise TypeError(f"show() needs a function, method or class of rnnbook; got {type(obj).__name__}")
    module = getattr(target, "__module__", "") or ""
    if module != "rnnbook" and not module.startswith("rnnbook."):
        raise TypeError(f"show() displays the code of rnnbook only; {target.__qualname__} comes from {module!r}")
    code = textwrap.dedent(inspect.getsource(obj if inspect.isfunction(obj) or inspect.isclass(obj) else target))
    code = code.rstrip("\n")
    name = target.__name__
    if not any(line.lstrip().startswith((f"def {name}(", f"class {name}(", f"class {name}:"))
               for line in code.splitlines()[:20]):
        raise RuntimeError(f"the source file of {module}.{target.__qualname__} changed after it was imported, "
                           "so its code cannot be shown reliably; restart the kernel and run the notebook again")
    if not docstring:
        code = _without_docstring(code)
    return Source(f"{module}.{target.__qualname__}", code)
