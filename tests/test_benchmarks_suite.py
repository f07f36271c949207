"""Fast tests of the benchmark suite (benchmarks/) at tiny sizes, and of its published results file."""
from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pytest

from benchmarks import cells, decoding, notebooks, parallel, timing, word2vec, xla
from benchmarks import run as bench_run

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.md"


def test_median_seconds_is_a_positive_time():
    seconds = timing.median_seconds(lambda: sum(range(100)), repeats=2, min_time=0.001)
    assert 0 < seconds < 0.01
    with pytest.raises(ValueError):
        timing.median_seconds(lambda: None, repeats=0)


def test_markdown_table_has_the_columns_and_one_line_per_row():
    table = timing.markdown_table(["name", "seconds", "max |Δ|"], [["a", 1.23456, 3.2e-8], ["b|c", None, 12]])
    lines = table.splitlines()
    assert lines[0] == "| name | seconds | max \\|Δ\\| |"
    assert lines[1] == "| --- | --: | --: |"
    assert lines[2:] == ["| a | 1.23 | 3.2e-08 |", "| b\\|c | – | 12 |"]
    with pytest.raises(ValueError):
        timing.markdown_table(["one", "two"], [["only one"]])


def test_machine_names_the_versions():
    info = timing.machine()
    assert {"platform", "cpu_count", "python", "numpy", "tensorflow"} <= set(info)


def test_cells_benchmark_agrees_with_keras_at_a_tiny_size():
    section = cells.run(batch=2, steps=3, features=2, units=3, repeats=2)
    assert len(section.rows) == 9 and len(section.headers) == 5
    for result in section.raw["results"]:
        times = [v for k, v in result.items() if k.endswith(("forward", "backward"))]
        assert len(times) == 6 and all(math.isfinite(t) and t > 0 for t in times)
        assert result["max_abs_h_difference"] < 1e-5
        assert result["max_gradient_relative_error"] < 1e-5


def test_word2vec_trainers_share_a_vocabulary_on_a_tiny_corpus():
    docs = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"]] * 5
    settings = dict(word2vec.SETTINGS, epochs=1, min_count=1, vector_size=4)
    (ours, s1), (ref, s2) = (word2vec.train(t, docs, settings, seed=0) for t in ("numpy", "gensim"))
    assert set(ours.index_to_key) == set(ref.index_to_key) and s1 > 0 and s2 > 0


def test_decoding_times_greedy_and_beam_on_a_few_dates():
    from rnnbook import benchmark

    model = benchmark.date_model("every_step", units=4)   # untrained: only the timing is tested
    rows = decoding.time_decoding(model, benchmark.date_data(), "val", widths=(1, 2), limit=3)
    assert [r["decoder"] for r in rows] == ["greedy, all dates side by side", "greedy, one date at a time",
                                            "beam search, width 2"]
    for r in rows:
        assert r["dates"] == 3 and math.isfinite(r["seconds_per_1000"]) and 0 <= r["exact_match"] <= 1
    assert rows[0]["exact_match"] == rows[1]["exact_match"]   # the same greedy answers, batched or not


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_notebook_timer_executes_in_memory_and_reports_failures(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "x = 1 + 1", "print(x)")
    bad = _notebook(tmp_path / "bad.ipynb", "1 / 0")
    before = good.read_text()
    section = notebooks.run(tmp_path, [good, bad], progress=None)
    assert good.read_text() == before                      # nothing written back
    (g, b, total) = section.rows
    assert g[0] == "good.ipynb" and g[1] > 0 and g[2] == "ok"
    assert b[2].startswith("FAILED: ZeroDivisionError")
    assert total[0] == "all notebooks" and total[1] == pytest.approx(g[1] + b[1], abs=0.11)


def test_toc_notebooks_are_the_chapters():
    paths = notebooks.toc_notebooks(ROOT)
    assert paths and all(p.suffix == ".ipynb" and p.exists() for p in paths)
    assert [p.name for p in paths] == sorted(p.name for p in paths)


def test_render_keeps_a_single_heading_level_below_the_page():
    section = timing.Section("cells", "Cells", ["a", "b"], [["x", 1.0]], ["a note"]).to_dict()
    text = bench_run.render([section], timing.machine())
    assert "### Cells" in text and "| a | b |" in text and "a note" in text
    assert not re.search(r"^#{1,2} ", text, re.MULTILINE)


def test_results_file_has_every_toc_notebook():
    assert RESULTS.exists(), "run `make bench` to write benchmarks/results.md"
    text = RESULTS.read_text()
    assert not re.search(r"^# ", text, re.MULTILINE), "results.md must not have a top-level heading"
    rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| chapters/")}
    missing = [p.relative_to(ROOT).as_posix() for p in notebooks.toc_notebooks(ROOT)
               if p.relative_to(ROOT).as_posix() not in rows]
    assert not missing, f"benchmarks/results.md is stale: no time for {missing}; run `make bench`"
    for section in ("NumPy cells against Keras layers", "NumPy word2vec against gensim",
                    "Beam search against greedy decoding", "Updates per call and XLA on the CPU: warm epoch and end to end",
                    "Notebook execution times", "Where each notebook's time goes"):
        assert section in text



def test_appendix_page_includes_the_results():
    page = (ROOT / "chapters" / "benchmarks.md").read_text()
    assert page.startswith("(app-benchmarks)=")
    prose = re.sub(r"^```.*?^```", "", page, flags=re.MULTILINE | re.DOTALL)    # a "# " in a code block is a comment
    assert len(re.findall(r"^# ", prose, re.MULTILINE)) == 1
    assert "```{include} ../benchmarks/results.md" in page


def test_notebook_timer_profiles_every_code_cell(tmp_path):
    nb = _notebook(tmp_path / "slow.ipynb", "import time", "time.sleep(1.2)", "# only a comment")
    result = notebooks.time_notebook(nb)
    cells = {c["index"]: c for c in result["cells"]}
    assert set(cells) == {0, 1, 2}
    assert cells[1]["seconds"] >= 1.1 and cells[0]["seconds"] < 1
    assert cells[1]["first_line"] == "time.sleep(1.2)" and cells[2]["first_line"] == ""
    text = "\n".join(notebooks.profile_markdown([{"notebook": "chapters/slow.ipynb", **result}]))
    table = [line for line in text.splitlines() if line.startswith("| slow.ipynb")]
    assert len(table) == 1 and "| 1 |" in table[0] and "`time.sleep(1.2)`" in table[0]


def test_xla_section_times_every_mode_at_a_tiny_size():
    section = xla.run(cells=("gru",), adding_epochs=1, char_lm=True, char_lm_limit=64)
    assert [row[0] for row in section.rows] == ["adding problem, GRU(32), 1 epoch + validation"] * 2 + \
        ["Lee characters, GRU(256) language model, 1 epoch"] * 2
    assert [row[1] for row in section.rows] == ["warm epoch", "end to end"] * 2
    for result in section.raw["results"]:
        for mode, _ in xla.MODES:
            assert result[mode]["end_to_end_s"] > 0 and result[mode]["warm_epoch_s"] > 0


def test_parallel_section_times_both_ways_and_checks_the_scores(monkeypatch):
    monkeypatch.setenv("RNNBOOK_WORKERS", "2")   # restored by the section after each way
    section = parallel.run(epochs=1)
    row = section.rows[0]
    assert section.name == "parallel" and row[-1] == "yes" and row[2] > 0 and row[3] > 0
