import nbformat
import pytest

from rnnbook import assign


def test_stub_solutions_keeps_indentation_and_code_around():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\nprint('after')"
    out, n = assign.stub_solutions(src)
    assert n == 1
    assert out == "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()\nprint('after')"


@pytest.mark.parametrize("src, msg", [
    ("### BEGIN SOLUTION\nx = 1", "without '### END SOLUTION'"),
    ("x = 1\n### END SOLUTION", "without '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "a second"),
])
def test_stub_solutions_rejects_broken_markers(src, msg):
    with pytest.raises(ValueError, match=msg):
        assign.stub_solutions(src)


def test_strip_solution_directives():
    md = "before\n```{solution} ex1-1\n:class: dropdown\nanswer\n```\nafter\n:::{solution} ex1-2\nmore\n:::\nend"
    assert assign.strip_solution_directives(md) == "before\nafter\nend"


def _nb():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("```{exercise} title\n:label: ex1-1\nDo it.\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} ex1-1\n:class: dropdown\n```"),
        nbformat.v4.new_markdown_cell("The idea of the solution."),
        nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                                  outputs=[nbformat.v4.new_output("stream", text="x")], execution_count=3),
        nbformat.v4.new_code_cell("print('a worked experiment')"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        nbformat.v4.new_code_cell("checks.f(f)", outputs=[nbformat.v4.new_output("stream", text="✓")],
                                  execution_count=4),
        nbformat.v4.new_code_cell("print(2)", outputs=[nbformat.v4.new_output("stream", text="2")],
                                  execution_count=5),
    ]
    return nb


def test_student_notebook():
    nb = _nb()
    st = assign.student_notebook(nb)
    sources = [c.source for c in st.cells]
    assert sources[0].startswith("```{exercise}")
    assert "raise NotImplementedError()" in sources[1] and "return 1" not in sources[1]
    assert st.cells[1].outputs == [] and st.cells[1].execution_count is None
    assert sources[2] == "checks.f(f)" and st.cells[2].outputs == []
    assert sources[3] == "print(2)" and st.cells[3].outputs  # other outputs kept
    assert len(st.cells) == 4  # gated prose, markers and the worked experiment are gone
    assert len(nb.cells) == 8  # the input is untouched


def test_student_notebook_rejects_unclosed_gate():
    nb = _nb()
    del nb.cells[5]
    with pytest.raises(ValueError, match="without a matching solution-end"):
        assign.student_notebook(nb)


def test_write_student_edition_refuses_to_overwrite_the_book(tmp_path):
    (tmp_path / "_toc.yml").write_text("format: jb-book\n")
    with pytest.raises(assign.UnsafeOutputError, match="another folder than the book itself"):
        assign.write_student_edition(tmp_path, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["_toc.yml"]  # nothing touched
    assert issubclass(assign.UnsafeOutputError, ValueError)


def test_main_reports_an_unsafe_output_folder(tmp_path, capsys):
    book = tmp_path / "book"
    book.mkdir()
    (book / "_toc.yml").write_text("format: jb-book\n")
    assert assign.main(["student", str(tmp_path), "--root", str(book)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and str(tmp_path) in err and "contains the book" in err
    assert (book / "_toc.yml").exists()


def test_student_notebook_keeps_text_around_solution_directives():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Try it first.\n\n```{solution-start} ex1-1\n:class: dropdown\n```"),
        nbformat.v4.new_markdown_cell("The answer is 42."),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```\n\n## References\n\n```{footbibliography}\n```"),
    ]
    st = assign.student_notebook(nb)
    assert [c.source for c in st.cells] == ["Try it first.", "## References\n\n```{footbibliography}\n```"]


def test_student_notebook_handles_a_whole_solution_inside_one_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "before\n```{solution-start} ex1-1\n```\nsecret\n```{solution-end}\n```\nafter")]
    assert [c.source for c in assign.student_notebook(nb).cells] == ["before\nafter"]


@pytest.mark.parametrize("md, msg", [
    ("```{solution-end}\n```", "without a solution-start"),
    ("```{solution-start} a\n```\n```{solution-start} b\n```", "inside another"),
])
def test_student_notebook_rejects_broken_gates_in_one_cell(md, msg):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(md)]
    with pytest.raises(ValueError, match=msg):
        assign.student_notebook(nb)


def test_the_student_edition_launches_the_student_branch():
    from pathlib import Path

    import yaml

    config = (Path(__file__).resolve().parents[1] / "_config.yml").read_text()
    book = yaml.safe_load(config)
    student = yaml.safe_load(assign.student_config(config))
    assert student["repository"] == book["student_repository"] != book["repository"]
    assert {k: v for k, v in student.items() if k != "repository"} == \
        {k: v for k, v in book.items() if k != "repository"}
    plain = "title: T\nrepository:\n  url: https://x/y  # the book\n  branch: main\n"
    assert assign.student_config(plain) == plain
