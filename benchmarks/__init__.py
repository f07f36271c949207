"""The benchmark suite of the book (``make bench``): see ``benchmarks/run.py`` and ``chapters/benchmarks.md``.

Each section is one module with one function that returns a :class:`timing.Section`
(a title, a table and notes); ``run.py`` runs the sections side by side and
writes ``results.md`` and ``results.json``.
"""
