"""The student-edition tool never deletes what it did not write.

Every test builds a tiny fake book in ``tmp_path`` (``home/projects/book``, with things
beside it) and checks, for each dangerous output folder, that the tool refuses with
``UnsafeOutputError`` (exit status 2 from ``main``) and that not one file under
``tmp_path`` changed.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnbook import assign


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Chapter 1"),
        nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                                  outputs=[nbformat.v4.new_output("stream", text="x")], execution_count=1),
    ]
    return nb


def _write(path: Path, text: str = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path):
    """A fake book at tmp/home/projects/book, with files beside it, links and an empty folder."""
    book = tmp_path / "home" / "projects" / "book"
    _write(book / "_toc.yml", "format: jb-book\nroot: chapters/intro\n")
    _write(book / "_config.yml", "title: Fake\n")
    _write(book / "references.bib", "")
    _write(book / "pyproject.toml", "[project]\nname = 'fake'\n")
    _write(book / "README.md", "# Fake book\n")
    _write(book / "chapters" / "intro.md", "# Intro\n")
    nbformat.write(_notebook(), book / "chapters" / "ch1.ipynb")
    _write(book / "code" / "fakepkg" / "__init__.py", "X = 1\n")
    _write(book / "tests" / "test_fake.py", "def test(): pass\n")
    _write(book / "tests" / assign.MARKER, "a marker in a source folder does not make it the tool's\n")
    _write(book / "data" / "d.csv", "a,b\n1,2\n")
    _write(book / "_build" / "html" / "index.html", "<html></html>\n")
    _write(tmp_path / "home" / "projects" / "other" / "notes.txt", "beside the book\n")
    _write(tmp_path / "home" / "diary.txt", "dear diary\n")
    _write(tmp_path / "home" / assign.MARKER, "a marked folder that holds the book is still refused\n")
    _write(tmp_path / "elsewhere" / "notes.txt", "not written by the tool\n")
    _write(tmp_path / "fake-marked" / "notes.txt", "the marker here is a link, not a file\n")
    (tmp_path / "fake-marked" / assign.MARKER).symlink_to(tmp_path / "home" / assign.MARKER)
    _write(tmp_path / "afile.txt", "a file, not a folder\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "link-to-book").symlink_to(book, target_is_directory=True)
    (tmp_path / "link-to-elsewhere").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "link-to-empty").symlink_to(tmp_path / "empty", target_is_directory=True)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    return tmp_path, book


def snapshot(top: Path) -> dict:
    """Every path under ``top`` (links not followed) with its kind and its content or target."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(top))
            if p.is_symlink():
                seen[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                seen[rel] = ("dir",)
            else:
                seen[rel] = ("file", p.read_bytes())
    return seen


# (id, output folder from (tmp, book), a piece of the reason)
DANGEROUS = [
    ("the-book", lambda t, b: b, "the book's own folder"),
    ("parent", lambda t, b: b.parent, "contains the book"),
    ("grand-parent-marked", lambda t, b: b.parent.parent, "contains the book"),
    ("tmp-root", lambda t, b: t, "contains the book"),
    ("dot-dot", lambda t, b: b / "chapters" / ".." / "..", "contains the book"),
    ("chapters", lambda t, b: b / "chapters", "book's own sources"),
    ("code", lambda t, b: b / "code", "book's own sources"),
    ("tests-marked", lambda t, b: b / "tests", "book's own sources"),
    ("data", lambda t, b: b / "data", "book's own sources"),
    ("new-folder-in-chapters", lambda t, b: b / "chapters" / "student", "book's own sources"),
    ("book-file", lambda t, b: b / "_config.yml", "book's own sources"),
    ("build-folder", lambda t, b: b / "_build", "not empty"),
    ("non-empty-unmarked", lambda t, b: t / "elsewhere", "not empty"),
    ("marker-is-a-link", lambda t, b: t / "fake-marked", "not empty"),
    ("existing-file", lambda t, b: t / "afile.txt", "not a folder"),
    ("link-to-book", lambda t, b: t / "link-to-book", "the book's own folder"),
    ("link-to-non-empty", lambda t, b: t / "link-to-elsewhere", "symbolic link"),
    ("link-to-empty", lambda t, b: t / "link-to-empty", "symbolic link"),
    ("dangling-link", lambda t, b: t / "dangling", "symbolic link"),
]
IDS = [case[0] for case in DANGEROUS]


@pytest.mark.parametrize("name, where, reason", DANGEROUS, ids=IDS)
def test_write_student_edition_refuses_and_touches_nothing(tree, name, where, reason):
    tmp, book = tree
    out = where(tmp, book)
    before = snapshot(tmp)
    with pytest.raises(assign.UnsafeOutputError, match=reason) as info:
        assign.write_student_edition(book, out)
    assert isinstance(info.value, ValueError)
    assert str(out) in str(info.value) and "nothing was changed" in str(info.value)
    assert snapshot(tmp) == before


@pytest.mark.parametrize("edition", ["student", "book-student"])
@pytest.mark.parametrize("name, where, reason", DANGEROUS, ids=IDS)
def test_main_refuses_with_status_2_and_touches_nothing(tree, capsys, monkeypatch, edition, name, where, reason):
    tmp, book = tree
    out = where(tmp, book)
    real_run = subprocess.run

    def no_build(cmd, *a, **k):
        assert "build" not in cmd, "jupyter-book must not run for a refused output folder"
        return real_run(cmd, *a, **k)

    monkeypatch.setattr(assign.subprocess, "run", no_build)
    before = snapshot(tmp)
    assert assign.main([edition, str(out), "--root", str(book)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and str(out) in err and reason in err
    assert snapshot(tmp) == before


def test_relative_dot_dot_from_the_book(tree, capsys, monkeypatch):
    tmp, book = tree
    monkeypatch.chdir(book)
    before = snapshot(tmp)
    assert assign.main(["student", "..", "--root", "."]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and ".." in err and "contains the book" in err
    assert snapshot(tmp) == before


def test_home_folder_holding_the_book(tree, monkeypatch):
    tmp, book = tree
    monkeypatch.setenv("HOME", str(tmp / "home"))
    before = snapshot(tmp)
    with pytest.raises(assign.UnsafeOutputError, match="contains the book"):
        assign.write_student_edition(book, Path("~").expanduser())
    assert snapshot(tmp) == before


def test_book_given_through_a_link(tree):
    tmp, book = tree
    before = snapshot(tmp)
    with pytest.raises(assign.UnsafeOutputError, match="the book's own folder"):
        assign.write_student_edition(tmp / "link-to-book", book)
    with pytest.raises(assign.UnsafeOutputError, match="book's own sources"):
        assign.write_student_edition(tmp / "link-to-book", book / "chapters")
    assert snapshot(tmp) == before


def test_filesystem_root_is_refused(tree):
    # only the check: write_student_edition is never pointed at "/" by a test
    tmp, book = tree
    with pytest.raises(assign.UnsafeOutputError, match="contains the book"):
        assign.check_output(book, Path("/"))


def test_git_tracked_folders_are_sources(tree):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    tmp, book = tree
    _write(book / "extras" / "tracked.txt", "tracked\n")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    subprocess.run(["git", "-C", str(book), "init", "-q"], check=True, env=env)
    subprocess.run(["git", "-C", str(book), "add", "extras"], check=True, env=env)
    before = snapshot(tmp)
    with pytest.raises(assign.UnsafeOutputError, match="book's own sources"):
        assign.write_student_edition(book, book / "extras" / "student")
    with pytest.raises(assign.UnsafeOutputError, match="book's own sources"):
        assign.write_student_edition(book, book / ".git")
    assert snapshot(tmp) == before
    assert assign.check_output(book, book / "student") is False  # a new folder at the top is fine


def _check_edition(out: Path, book: Path):
    listed = assign.read_manifest(out)
    assert listed is not None and "chapters/ch1.ipynb" in listed and "_toc.yml" in listed
    for name in ("_toc.yml", "_config.yml", "references.bib", "pyproject.toml", "chapters/intro.md",
                 "code/fakepkg/__init__.py"):
        assert (out / name).read_bytes() == (book / name).read_bytes(), name
    nb = nbformat.read(out / "chapters" / "ch1.ipynb", as_version=4)
    assert "raise NotImplementedError()" in nb.cells[1].source and "return 1" not in nb.cells[1].source
    assert not (out / "tests").exists()
    assert (out / "data" / "d.csv").read_bytes() == (book / "data" / "d.csv").read_bytes()   # the notebooks run there


def test_new_folder_twice_keeps_what_the_tool_did_not_write(tree):
    tmp, book = tree
    out = tmp / "out" / "student"
    book_before = snapshot(book)
    written = assign.write_student_edition(book, out)
    assert written == [out / "chapters" / "ch1.ipynb"]
    _check_edition(out, book)
    _write(out / "mine.txt", "a learner's notes\n")
    _write(out / "chapters" / "my_attempt.ipynb", "{}")
    assign.write_student_edition(book, out)
    _check_edition(out, book)
    assert (out / "mine.txt").read_text() == "a learner's notes\n"
    assert (out / "chapters" / "my_attempt.ipynb").read_text() == "{}"
    assert snapshot(book) == book_before


def test_existing_empty_folder_is_accepted(tree):
    tmp, book = tree
    out = tmp / "empty"
    assign.write_student_edition(book, out)
    _check_edition(out, book)


def test_student_folder_inside_the_book_twice(tree, capsys, monkeypatch):
    tmp, book = tree
    monkeypatch.chdir(book)  # as `make student` runs it
    others = {k: v for k, v in snapshot(tmp).items() if not k.startswith("home/projects/book/student")}
    for _ in range(2):
        assert assign.main(["student", "student", "--root", str(book)]) == 0
        assert "wrote the student edition of 1 notebooks to student/chapters" in capsys.readouterr().out
        _check_edition(book / "student", book)
        _write(book / "student" / "stale.txt")
    assert not (book / "student" / "student").exists()
    now = {k: v for k, v in snapshot(tmp).items() if not k.startswith("home/projects/book/student")}
    assert now == others


@pytest.fixture
def fake_build(monkeypatch):
    """Replace the jupyter-book call with one that writes a page into --path-output."""
    real_run = subprocess.run
    calls = []

    def run(cmd, *a, **k):
        if "build" not in cmd:
            return real_run(cmd, *a, **k)
        calls.append(cmd)
        out = Path(cmd[cmd.index("--path-output") + 1])
        builder = cmd[cmd.index("--builder") + 1] if "--builder" in cmd else "html"
        _write(out / "_build" / builder / "index.html", "<html>built</html>\n")
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(assign.subprocess, "run", run)
    return calls


def test_book_student_inside_the_book_twice(tree, fake_build, monkeypatch):
    tmp, book = tree
    monkeypatch.chdir(book)  # as `make book-student` runs it
    for _ in range(2):
        assert assign.main(["book-student", "_build/student", "--root", str(book)]) == 0
        src, out = book / "_build" / "student-source", book / "_build" / "student"
        _check_edition(src, book)
        assert assign.is_marked(out) and (out / "_build" / "html" / "index.html").exists()
        _write(src / "stale.txt")
    assert len(fake_build) == 2
    assert fake_build[0][fake_build[0].index("build") + 1] == str(book / "_build" / "student-source")
    assert (book / "_build" / "html" / "index.html").exists()


def test_book_student_prints_its_pdf_when_asked(tree, fake_build, monkeypatch):
    from rnnbook import pdf

    tmp, book = tree
    printed = []
    monkeypatch.setattr(pdf, "print_book", lambda html, out: printed.append((Path(html), Path(out))) or {})
    out = tmp / "site"
    assert assign.main(["book-student", str(out), "--root", str(book)]) == 0
    assert printed == [] and [c[-2:] for c in fake_build] == [[str(out), "-q"]]
    assert assign.main(["book-student", str(out), "--root", str(book), "--pdf"]) == 0
    assert printed == [(out / "_build" / "singlehtml" / "index.html", out / "_build" / "html" / "recurrent.pdf")]
    assert "singlehtml" in fake_build[-1]


def test_book_student_refuses_an_unmarked_source_folder(tree, fake_build, capsys):
    tmp, book = tree
    _write(tmp / "site-source" / "mine.txt", "not the tool's\n")
    before = snapshot(tmp)
    assert assign.main(["book-student", str(tmp / "site"), "--root", str(book)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and str(tmp / "site-source") in err and "not empty" in err
    assert snapshot(tmp) == before and not fake_build


def test_book_student_refuses_when_its_source_folder_is_the_book(tmp_path, fake_build, capsys):
    book = tmp_path / "site-source"
    _write(book / "_toc.yml", "format: jb-book\n")
    _write(book / "chapters" / "intro.md", "# Intro\n")
    nbformat.write(_notebook(), book / "chapters" / "ch1.ipynb")
    before = snapshot(tmp_path)
    assert assign.main(["book-student", str(tmp_path / "site"), "--root", str(book)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and str(book) in err and "the book's own folder" in err
    assert snapshot(tmp_path) == before and not fake_build


def test_command_line_refuses_the_folder_holding_the_book(tree):
    tmp, book = tree
    before = snapshot(tmp)
    done = subprocess.run([sys.executable, "-m", "rnnbook.assign", "student", str(book.parent),
                           "--root", str(book)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error:" in done.stderr and str(book.parent) in done.stderr
    assert snapshot(tmp) == before


# ---------------------------------------------------------------------------
# Nothing of a learner or a course is lost on a second run.

def test_a_changed_notebook_is_refused_and_force_moves_the_folder_aside(tree, capsys):
    tmp, book = tree
    out = tmp / "student"
    assert assign.main(["student", str(out), "--root", str(book)]) == 0
    nb_path = out / "chapters" / "ch1.ipynb"
    nb_path.write_text(nb_path.read_text().replace("NotImplementedError()", "NotImplementedError()\\n# my work"))
    _write(out / "notes.txt", "mine\n")
    before = snapshot(tmp)
    assert assign.main(["student", str(out), "--root", str(book)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and str(nb_path) in err and "--force" in err and len(err.splitlines()) == 1
    assert snapshot(tmp) == before
    assert assign.main(["student", str(out), "--root", str(book), "--force"]) == 0
    aside = [p for p in tmp.iterdir() if p.name.startswith("student.old-")]
    assert len(aside) == 1
    assert "# my work" in (aside[0] / "chapters" / "ch1.ipynb").read_text()
    assert (aside[0] / "notes.txt").read_text() == "mine\n"
    _check_edition(out, book)
    assert not (out / "notes.txt").exists()


def test_a_removed_notebook_is_written_again(tree):
    tmp, book = tree
    out = tmp / "student"
    assign.write_student_edition(book, out)
    (out / "chapters" / "ch1.ipynb").unlink()
    assign.write_student_edition(book, out)
    _check_edition(out, book)


def test_a_file_the_book_no_longer_has_is_removed_only_if_unchanged(tree):
    tmp, book = tree
    out = tmp / "student"
    _write(book / "chapters" / "extra.md", "# Extra\n")
    _write(book / "chapters" / "gone.md", "# Gone\n")
    assign.write_student_edition(book, out)
    (book / "chapters" / "extra.md").unlink()
    assign.write_student_edition(book, out)
    assert not (out / "chapters" / "extra.md").exists()   # the tool's own, unchanged: removed
    (book / "chapters" / "gone.md").unlink()
    _write(out / "chapters" / "gone.md", "# Gone, with my notes\n")
    with pytest.raises(assign.ChangedOutputError, match="gone.md"):
        assign.write_student_edition(book, out)
    assert (out / "chapters" / "gone.md").read_text() == "# Gone, with my notes\n"


def test_run_twice_from_inside_its_own_output_folder(tree, capsys, monkeypatch):
    tmp, book = tree
    out = tmp / "here"
    out.mkdir()
    monkeypatch.chdir(out)
    for _ in range(2):
        assert assign.main(["student", ".", "--root", str(book)]) == 0
        _check_edition(out, book)
    _write(out / "mine.txt", "kept\n")
    assert assign.main(["student", ".", "--root", str(book)]) == 0
    assert (out / "mine.txt").read_text() == "kept\n"


def test_a_copied_marker_makes_nothing_of_a_strangers_deletable(tree, capsys):
    tmp, book = tree
    assign.write_student_edition(book, tmp / "student")
    stranger = tmp / "someone"
    _write(stranger / "thesis.txt", "three years of work\n")
    (stranger / assign.MARKER).write_bytes((tmp / "student" / assign.MARKER).read_bytes())
    assert assign.main(["student", str(stranger), "--root", str(book)]) == 0
    assert (stranger / "thesis.txt").read_text() == "three years of work\n"
    # a stranger's file where the list says the tool wrote something: refused, not replaced
    other = tmp / "someone-else"
    _write(other / "_toc.yml", "my own table of contents\n")
    (other / assign.MARKER).write_bytes((tmp / "student" / assign.MARKER).read_bytes())
    before = snapshot(tmp)
    assert assign.main(["student", str(other), "--root", str(book)]) == 2
    assert "_toc.yml" in capsys.readouterr().err
    assert snapshot(tmp) == before


@pytest.mark.parametrize("marker", [
    "Written by `python -m rnnbook.assign` (an older version, no list).\n",
    '{"files": {"../../diary.txt": "0"}}',
    '{"files": {"/etc/passwd": "0"}}',
    '{"files": ["chapters/ch1.ipynb"]}',
])
def test_a_marker_without_a_usable_list_owns_nothing(tree, capsys, marker):
    tmp, book = tree
    out = tmp / "old"
    _write(out / "chapters" / "ch1.ipynb", "{}")
    _write(out / assign.MARKER, marker)
    before = snapshot(tmp)
    assert assign.main(["student", str(out), "--root", str(book)]) == 2
    assert "--force" in capsys.readouterr().err
    assert snapshot(tmp) == before


@pytest.mark.parametrize("edition", ["student", "nbgrader", "book-student"])
def test_a_root_that_is_not_a_book_is_refused(tree, capsys, edition):
    tmp, book = tree
    before = snapshot(tmp)
    assert assign.main([edition, str(tmp / "new"), "--root", str(tmp / "elsewhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "is not a Recurrent book" in err and "Traceback" not in err
    assert snapshot(tmp) == before


def test_nbgrader_course_rerun_keeps_the_gradebook_and_submissions(tree, capsys):
    tmp, book = tree
    nbformat.write(_notebook(), book / "chapters" / "01_first.ipynb")
    course = tmp / "course"
    assert assign.main(["nbgrader", str(course), "--root", str(book), "--course-id", "rnn101",
                        "--exchange", "/srv/exchange"]) == 0
    config = (course / "nbgrader_config.py").read_text()
    assert "course_id = 'rnn101'" in config and "Exchange.root = '/srv/exchange'" in config
    assert "add_missing_cells = True" in config and "Execute.timeout = 180" in config
    in_use = {"gradebook.db": "sqlite", "submitted/ann/01_first/01_first.ipynb": "{}",
              "autograded/ann/01_first/01_first.ipynb": "{}", "feedback/ann/01_first/01_first.html": "<p>",
              "release/01_first/01_first.ipynb": "{}"}
    for rel, text in in_use.items():
        _write(course / rel, text)
    assert assign.main(["nbgrader", str(course), "--root", str(book), "--course-id", "rnn101",
                        "--exchange", "/srv/exchange"]) == 0
    for rel, text in in_use.items():
        assert (course / rel).read_text() == text, rel
    # an instructor's edit to the configuration or a source notebook is never lost
    (course / "nbgrader_config.py").write_text(config + "c.Execute.timeout = 60\n")
    before = snapshot(tmp)
    assert assign.main(["nbgrader", str(course), "--root", str(book)]) == 2
    assert "nbgrader_config.py" in capsys.readouterr().err
    assert snapshot(tmp) == before
