# Recurrent: the two commands a newcomer needs are `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-sanitize-with tests/sanitize.cfg
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Same floating-point results on every x86-64 machine: NumPy's BLAS and its
# vector loops otherwise pick AVX-512 or AVX2 code by CPU, and a long or
# chaotic training run then prints different digits on different machines.
export OPENBLAS_CORETYPE := Haswell
# One BLAS thread: the book's matrices are small, so threads only add overhead
# (four times slower when another process shares the cores), and the results
# then cannot depend on how many cores a machine has.
export OPENBLAS_NUM_THREADS := 1
export NPY_DISABLE_CPU_FEATURES := X86_V4,AVX512_ICL,AVX512_SPR

.PHONY: book pdf test unit nbval build browser browser-student bench experiments student book-student execute clean help test-student test-nbgrader test-portable

help:
	@echo "make book          build the HTML book into _build/html, and its PDF (make pdf)"
	@echo "make pdf           the whole book as one PDF, _build/html/recurrent.pdf (Chromium prints it)"
	@echo "make test          unit tests, nbval over every notebook, student edition, strict book build, browser tests"
	@echo "make browser       browser tests of the built book, live JupyterLab, Binder readiness"
	@echo "make test-portable nbval over every notebook with TensorFlow's floats perturbed (oneDNN on), as on another CPU"
	@echo "make test-student  execute the student edition of every chapter (make test does three)"
	@echo "make test-nbgrader generate, release and autograde every chapter with nbgrader (make test does two)"
	@echo "make bench         measure NumPy vs Keras, word2vec vs gensim, beam vs greedy, XLA, notebook times and slow cells"
	@echo "make experiments   rerun the experiments too long for a notebook; the chapters read data/experiments/"
	@echo "make student       write the student edition into student/"
	@echo "make book-student  build the book without solutions into _build/student/_build/html"
	@echo "make browser-student  build the student edition and run the page checks over it"
	@echo "make execute NB=chapters/x.ipynb   re-execute one notebook in place (clean kernel)"

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -q
	@$(MAKE) --no-print-directory pdf || echo "No PDF (see the error above); the HTML book is complete."
	@echo "Open file://$(CURDIR)/_build/html/index.html"

# The whole book as one PDF, linked from every page's download menu: Sphinx's singlehtml
# build, printed by Chromium (offline) once every equation is typeset (rnnbook/pdf.py).
pdf: $(STAMP)
	$(BIN)/python -m rnnbook.pdf --source . _build/html/recurrent.pdf

# make test executes the student edition and runs nbgrader for a few chapters;
# test-student and test-nbgrader do it for every chapter.
QUICK_CHAPTERS := 01_sequence_learning,05_lstm,12_beam_search_attention

unit: $(STAMP)
	RNNBOOK_STUDENT_CHAPTERS=$(QUICK_CHAPTERS) RNNBOOK_NBGRADER_CHAPTERS=01_sequence_learning,05_lstm \
	  $(BIN)/python -m pytest tests -q --ignore=tests/browser

test-student: $(STAMP)
	RNNBOOK_STUDENT_CHAPTERS=all $(BIN)/python -m pytest tests/test_student_edition.py -q

test-nbgrader: $(STAMP)
	RNNBOOK_NBGRADER_CHAPTERS=all $(BIN)/python -m pytest tests/test_nbgrader.py -q

nbval: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) chapters -q --nbval-times _build/nbval-times.txt

# Another CPU in a box: oneDNN's kernels change TensorFlow's floating-point
# results as an AMD or an AVX-512 Intel CPU does, so a stored output that
# depends on the last bits of a trained model fails here too.
test-portable: $(STAMP)
	TF_ENABLE_ONEDNN_OPTS=1 $(BIN)/python -m pytest $(NBVAL) chapters -q \
	  --nbval-times _build/nbval-times-portable.txt

build: $(STAMP)
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . -W -n --keep-going -q

browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser -q -rs

# The student edition, built as an instructor publishes it, through the same page checks
# (launch buttons on the student branch, no solution anywhere, accessibility, no network).
browser-student: $(STAMP)
	$(BIN)/python -m rnnbook.assign book-student _build/student --pdf
	RECURRENT_BOOK_HTML=_build/student/_build/html $(BIN)/python -m pytest tests/browser/test_book.py \
	  tests/browser/test_pdf.py -q -rs

test: $(STAMP)
	$(MAKE) unit nbval build pdf browser
	@echo; echo "Notebook execution times (budget: 90 s each on any 2-core machine, 80 s in make bench on ours, 13 min in all):"
	@cat _build/nbval-times.txt

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Experiments too long for a notebook's 80 s (about 18 minutes on 2 cores): they
# write data/experiments/<name>.json, which the chapters read (rnnbook.experiments).
experiments: $(STAMP)
	$(BIN)/python -m rnnbook.experiments

student: $(STAMP)
	$(BIN)/python -m rnnbook.assign student student

book-student: $(STAMP)
	$(BIN)/python -m rnnbook.assign book-student _build/student --pdf
	@echo "Open file://$(CURDIR)/_build/student/_build/html/index.html"

execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $(NB)
	$(BIN)/python -m rnnbook.publish tidy $(NB)

clean:
	rm -rf _build student
