"""Datasets of the book: generators, offline loaders and windowing.

Every loader reads only what an installed package ships (gensim's test corpora,
statsmodels' datasets, scikit-learn's digits); nothing is downloaded, except by
:func:`download_tab_pairs`, for readers with internet access who ask for a real
parallel corpus (it fails with a clear message offline; the book never calls it).  See
``data/README.md`` for each dataset's source, licence and size.

Shapes follow the book's convention: sequences are ``[batch, steps, features]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from . import _series
from ._series import sliding_windows
from ._validate import check_choice, check_int, check_number, check_seed, check_str
from .text import tokenize_words

__all__ = [
    "sliding_windows",
    "adding_problem",
    "first_value_task",
    "load_sunspots",
    "load_macro_gdp",
    "load_digits_sequences",
    "load_lee_text",
    "load_lee_documents",
    "load_polarity",
    "Splits",
    "SeriesSplits",
    "TextSplits",
    "adding_splits",
    "sunspot_splits",
    "lee_text_splits",
    "ADDING_STEPS",
    "polarity_folds",
    # word order and negation
    "order_reviews",
    "ORDER_SEEDS",
    # dates; SCAN (chapter 13)
    "DATE_FORMATS",
    "dates",
    "DateSplits",
    "date_splits",
    "SCAN_SPLITS",
    "scan_commands",
    "scan_interpret",
    "scan",
    # parallel corpora (chapter 11)
    "TATOEBA_FRA_URL",
    "load_tab_pairs",
    "download_tab_pairs",
]


# --------------------------------------------------------------------------- generators
def adding_problem(n: int, steps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber, 1997), a benchmark of long memory.

    Returns
    -------
    x : ndarray, shape [n, steps, 2], float32
        Channel 0 holds values uniform on [0, 1].  Channel 1 is zero except for
        exactly two ones: one at an index below ``steps // 2`` and one at or after it.
    y : ndarray, shape [n], float32
        The sum of the two marked values.  Its mean is 1 and its variance 1/6,
        so always predicting 1 gives a mean squared error of 1/6.

    Raises
    ------
    TypeError
        If ``n``, ``steps`` or ``seed`` is not an int (NumPy ints are fine).
    ValueError
        If ``n`` < 1, ``steps`` < 2 or ``seed`` < 0.
    """
    n = check_int("n", n, minimum=1)
    steps = check_int("steps", steps, minimum=2)
    seed = check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, steps))
    half = steps // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, steps, size=n)
    marks = np.zeros((n, steps))
    rows = np.arange(n)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    x = np.stack([values, marks], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)
    return x, y


def first_value_task(n: int, steps: int, noise: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A memory task: is the *first* value of the sequence positive?

    Step 0 holds ±1 (the signal); later steps hold uniform noise on [-noise, noise].
    A model that sees only the last few steps cannot beat chance (50 %).

    Returns
    -------
    x : ndarray, shape [n, steps, 1], float32
    y : ndarray, shape [n], int64 (1 when the first value is +1)

    Raises
    ------
    TypeError
        If ``n``, ``steps`` or ``seed`` is not an int, or ``noise`` not a number.
    ValueError
        If ``n`` < 1, ``steps`` < 2, ``seed`` < 0, or ``noise`` is negative or not finite.
    """
    n = check_int("n", n, minimum=1)
    steps = check_int("steps", steps, minimum=2)
    seed = check_seed("seed", seed)
    noise = check_number("noise", noise, low=0)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    x = rng.uniform(-noise, noise, size=(n, steps, 1))
    x[:, 0, 0] = 2.0 * y - 1.0
    return x.astype(np.float32), y.astype(np.int64)


# --------------------------------------------------------------------------- series
def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot numbers, 1700-2008 (309 values), from statsmodels.

    Returns
    -------
    years : ndarray of int, shape (309,)
    values : ndarray of float, shape (309,)
    """
    from statsmodels.datasets import sunspots

    df = sunspots.load_pandas().data
    return df["YEAR"].to_numpy(dtype=int), df["SUNACTIVITY"].to_numpy(dtype=float)


def load_macro_gdp() -> tuple[np.ndarray, np.ndarray]:
    """US real GDP, quarterly, 1959Q1-2009Q3 (203 values, billions of chained 2005 dollars).

    From statsmodels' ``macrodata``.

    Returns
    -------
    quarters : ndarray of float, shape (203,)  (year + (quarter - 1) / 4)
    realgdp : ndarray of float, shape (203,)
    """
    from statsmodels.datasets import macrodata

    df = macrodata.load_pandas().data
    quarters = df["year"].to_numpy() + (df["quarter"].to_numpy() - 1) / 4
    return quarters, df["realgdp"].to_numpy(dtype=float)


# --------------------------------------------------------------------------- images
def load_digits_sequences(test_size: float = 0.25, seed: int = 0):
    """scikit-learn's 8x8 digits as sequences: each image row is one time step.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` has shape ``[n, 8, 8]`` = [batch, steps (rows), features (pixels in a row)],
        scaled to [0, 1]; the split is stratified and fixed by ``seed``.

    Raises
    ------
    TypeError
        If ``test_size`` is not a number, or ``seed`` not an int.
    ValueError
        If ``test_size`` is not in (0, 1) (it is a fraction, not a count), or
        ``seed`` is outside [0, 2**32 - 1], the seeds scikit-learn accepts.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_size = check_number("test_size", test_size, 0, 1, low_open=True, high_open=True)
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y)
    return (x_tr, y_tr), (x_te, y_te)


# --------------------------------------------------------------------------- text
_LEE = {"background": "lee_background.cor", "test": "lee.cor"}


def _gensim_path(name: str) -> Path:
    from gensim.test.utils import datapath

    path = Path(datapath(name))
    if not path.exists():
        raise FileNotFoundError(
            f"{name} is not in this gensim installation ({path}); reinstall gensim from requirements.txt"
        )
    return path


def load_lee_text(which: str = "background") -> str:
    """The Lee news corpus shipped with gensim, as one string (one article per line).

    ``which="background"``: about 300 articles (58k words); ``"test"``: 50 shorter ones.
    """
    check_choice("which", check_str("which", which), sorted(_LEE))
    return _gensim_path(_LEE[which]).read_text(encoding="latin-1")


def load_lee_documents(which: str = "background") -> list[list[str]]:
    """The Lee corpus as a list of documents, each a list of lower-case word tokens.

    The tokens are those of :func:`rnnbook.text.tokenize_words`, the package's one definition of a word.
    """
    return [tokenize_words(line) for line in load_lee_text(which).splitlines() if line.strip()]


def load_polarity() -> tuple[list[str], np.ndarray]:
    """gensim's 200 labelled movie-review sentences (Pang & Lee), tokenised, with labels.

    Returns
    -------
    texts : list of str, 200 sentences (lower case, tokens separated by spaces)
    labels : ndarray of int, shape (200,), 1 = positive, 0 = negative
    """
    texts, labels = [], []
    for line in _gensim_path("pang_lee_polarity.cor").read_text(encoding="latin-1").splitlines():
        if not line.strip():
            continue
        label, _, text = line.partition(" ")
        texts.append(text.strip())
        labels.append(1 if label == "__label__pos" else 0)
    return texts, np.asarray(labels, dtype=np.int64)


# --------------------------------------------------------------------------- the shared benchmarks' splits
ADDING_STEPS = 50  # the adding-problem benchmark's sequence length


@dataclass(frozen=True)
class Splits:
    """A benchmark's three parts: fit on train, choose on validation, report test once."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def adding_splits() -> Splits:
    """The adding-problem benchmark: the one split every chapter uses.

    3000 training, 500 validation and 500 test sequences of ``ADDING_STEPS`` = 50
    steps (generator seeds 1, 4 and 2), each ``x`` shaped [n, 50, 2] and ``y`` [n].
    Predicting the mean, 1, scores MSE 1/6 on average.
    """
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = (adding_problem(n, ADDING_STEPS, seed=s)
                                                for n, s in ((3000, 1), (500, 4), (500, 2)))
    return Splits(x_tr, y_tr, x_va, y_va, x_te, y_te)


_PARTS = ("train", "val", "test")


@dataclass(frozen=True)
class SeriesSplits:
    """A series cut in time: training years, then validation years, then test years.

    Models are fitted on the training part only; the validation part decides
    every choice; the test part is scored once.  Every forecast is one step
    ahead: the forecast of year ``t`` may use every true value before ``t``.

    Attributes
    ----------
    years, values : ndarray, shape (n,)
    val_start, test_start : int
        Indices where the validation and the test parts begin.
    window : int
        Past values per input of the window models.
    """

    years: np.ndarray
    values: np.ndarray
    val_start: int
    test_start: int
    window: int

    def _bounds(self, part: str) -> tuple[int, int]:
        check_choice("part", check_str("part", part), _PARTS)
        return {"train": (0, self.val_start), "val": (self.val_start, self.test_start),
                "test": (self.test_start, len(self.values))}[part]

    def part(self, part: str) -> np.ndarray:
        """The true values of ``"train"``, ``"val"`` or ``"test"``."""
        lo, hi = self._bounds(part)
        return self.values[lo:hi]

    @property
    def mean(self) -> float:
        """Mean of the training part (inputs are scaled with it)."""
        return float(self.part("train").mean())

    @property
    def std(self) -> float:
        """Standard deviation of the training part."""
        return float(self.part("train").std())

    def windows(self, part: str) -> tuple[np.ndarray, np.ndarray]:
        """Scaled (window, next value) pairs whose targets lie in ``part``.

        Returns ``x`` shaped [n, window, 1] = [batch, steps, features] and ``y``
        shaped [n], both scaled by the training mean and standard deviation
        (float32).  Inputs may reach back into earlier parts: they are the past.
        """
        lo, hi = self._bounds(part)
        lo = max(lo, self.window)
        z = (self.values - self.mean) / self.std
        x = z[np.arange(lo, hi)[:, None] - self.window + np.arange(self.window)]
        return x[..., None].astype(np.float32), z[lo:hi].astype(np.float32)

    def forecast(self, predict, part: str) -> np.ndarray:
        """One-step forecasts of ``part`` in the series' units.

        ``predict`` maps raw windows [n, window] to [n] (or [n, 1]) predictions
        in the series' units, e.g. ``forecast.fit_linear_ar(...)``; see
        :meth:`model_predictor` for a Keras model trained on :meth:`windows`.
        """
        lo, hi = self._bounds(part)
        return _series.window_forecast(predict, self.values[:hi], lo, self.window)

    def model_predictor(self, model):
        """Wrap a Keras model trained on :meth:`windows` as a predictor of raw windows."""
        mu, sd = self.mean, self.std
        return lambda w: np.asarray(model(((np.asarray(w) - mu) / sd)[..., None].astype(np.float32))).reshape(-1) * sd + mu

    def mase(self, forecasts, part: str) -> float:
        """MASE of ``forecasts`` on ``part``, scaled by the naive forecast's error on the training part."""
        return _series.mase(self.part(part), forecasts, self.part("train"))


def sunspot_splits() -> SeriesSplits:
    """The sunspots benchmark: 1700-1908 train (209 years), 1909-1948 validation (40), 1949-2008 test (60).

    Window models read the last 9 years (the window chosen on the validation years in chapter 1).
    """
    years, values = load_sunspots()
    test_start = len(values) - 60
    return SeriesSplits(years, values, val_start=test_start - 40, test_start=test_start, window=9)


@dataclass(frozen=True)
class TextSplits:
    """A text benchmark's three parts, as strings of normalised characters."""

    train: str
    val: str
    test: str


def lee_text_splits() -> TextSplits:
    """The Lee-text benchmark: the 300 background articles to train, gensim's 50 test articles split in two.

    The first 25 test articles validate (orders, sizes, epochs); the last 25 are the test set.
    Every part is lower case with whitespace runs collapsed to one space
    (:func:`rnnbook.text.tokenize_chars`).
    """
    from .text import tokenize_chars

    articles = [line for line in load_lee_text("test").splitlines() if line.strip()]
    half = len(articles) // 2
    chars = lambda t: "".join(tokenize_chars(t))  # noqa: E731
    return TextSplits(chars(load_lee_text("background")), chars("\n".join(articles[:half])),
                      chars("\n".join(articles[half:])))


def polarity_folds(n_splits: int = 5, n_repeats: int = 3, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The polarity benchmark's protocol: repeated stratified k-fold splits of the 200 sentences.

    No larger labelled text ships offline, so every model of the book is scored
    on :func:`load_polarity` by the same ``n_repeats`` x ``n_splits`` folds
    (scikit-learn's ``RepeatedStratifiedKFold``) and reported as mean ± std of
    the held-out accuracy.  Choices (vocabulary cut-offs, epochs) must be made
    inside each training part, never on its held-out fold.

    Returns
    -------
    list of (train_index, test_index)
        ``n_splits * n_repeats`` pairs of index arrays into the 200 sentences.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If ``n_splits`` < 2, ``n_repeats`` < 1 or ``seed`` < 0.
    """
    from sklearn.model_selection import RepeatedStratifiedKFold

    n_splits = check_int("n_splits", n_splits, minimum=2)
    n_repeats = check_int("n_repeats", n_repeats, minimum=1)
    seed = check_seed("seed", seed)
    _, labels = load_polarity()
    folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    return [(train, test) for train, test in folds.split(np.zeros(len(labels)), labels)]


# --------------------------------------------------------------------------- word order and negation
_ORDER_POSITIVE = ("good", "great", "excellent", "lovely", "superb", "brilliant", "charming", "gripping")
_ORDER_NEGATIVE = ("bad", "awful", "dull", "poor", "boring", "terrible", "clumsy", "bland")
_ORDER_ASPECTS = ("plot", "acting", "music", "ending", "script", "cast", "pacing", "dialogue")
#: Asides between "was" (or "was not") and the adjective, so that "not" and the word it negates are
#: never within three tokens of each other.
_ORDER_ASIDES = (", to be honest ,", ", all in all ,", ", if you ask me ,", ", in the end ,", ", for the most part ,",
                 ", by any measure ,", ", i must say ,", ", on the whole ,")
_ORDER_TEMPLATE = "the {a} was{n1} {f1} {x} but the {b} was{n2} {f2} {y}"

#: The seeds of the order-and-negation benchmark's three parts, used by every chapter that trains on it.
ORDER_SEEDS = {"train": 0, "val": 1, "test": 2}


def order_reviews(n: int, seed: int = 0, *,
                  exclude=()) -> tuple[list[str], np.ndarray]:
    """Short reviews whose label depends on which clause a "not" belongs to, in mirror pairs.

    Every review has two clauses joined by "but", and the second decides:
    "the plot was , all in all , great but the acting was not , to be honest , awful"
    is positive (the acting was not awful).  Exactly one clause is negated; its
    mirror is the same review with the "not" moved to the other clause, so the two
    hold the same words and opposite labels:

        label = (second adjective is positive) XOR (second clause is negated)

    An aside of three or four words (commas aside) stands between "was" (or "was
    not") and each adjective, and aspects, adjectives and asides are drawn at random
    for each clause.  So no n-gram of up to four tokens holds both "not" and its
    adjective, or "not" and the "but" that tells which clause it is in: a model must
    read more than four words in order, or combine several n-grams.

    Reviews come in pairs ``(2k, 2k + 1)`` with the same bag of words and opposite
    labels, so no model that ignores word order can score above 50 % on complete pairs.

    Parameters
    ----------
    n : int
        The number of reviews, even and >= 2 (``n // 2`` mirror pairs).
    seed : int
        The random seed (>= 0); the book's splits use :data:`ORDER_SEEDS`.
    exclude : collection of str
        Reviews that must not occur (for example the training part, when drawing the
        test part): a pair with a review in ``exclude``, or one already drawn, is drawn again.

    Returns
    -------
    texts : list of str
        Lower-case reviews, tokens separated by single spaces.
    labels : ndarray of int, shape (n,)
        1 = positive, 0 = negative.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an int.
    ValueError
        If ``n`` is odd or < 2, or ``seed`` < 0.
    """
    n = check_int("n", n, minimum=2)
    if n % 2:
        raise ValueError(
            f"n must be even (the reviews come in mirror pairs); got {n}"
        )
    rng = np.random.default_rng(check_seed("seed", seed))
    seen = set(exclude)
    texts, labels = [], []
    while len(texts) < n:
        a, b = (_ORDER_ASPECTS[i]
                for i in rng.choice(len(_ORDER_ASPECTS), size=2, replace=False))
        x, y = (
            str(rng.choice(_ORDER_POSITIVE if rng.integers(2) else _ORDER_NEGATIVE))
            for _ in range(2)
        )
        f1, f2 = (str(rng.choice(_ORDER_ASIDES)) for _ in range(2))
        words = dict(a=a, b=b, x=x, y=y, f1=f1, f2=f2)
        second_negated = int(rng.integers(2))
        y_positive = int(y in _ORDER_POSITIVE)
        pair = []
        # the review, then its mirror
        for negated in (second_negated, 1 - second_negated):
            review = _ORDER_TEMPLATE.format(n1="" if negated else " not",
                                            n2=" not" if negated else "", **words)
            pair.append((review, y_positive ^ negated))
        if any(r in seen for r, _ in pair):
            continue
        for review, label in pair:
            seen.add(review)
            texts.append(review)
            labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64)


# --------------------------------------------------------------------------- dates
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIRST_DAY, _LAST_DAY = date(1950, 1, 1), date(2049, 12, 31)   # two-digit years: 50-99 -> 19xx, 00-49 -> 20xx


def _ordinal(d: int) -> str:
    return f"{d}{'th' if 10 <= d % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"


# Every way the generator writes a date, as (example, formatter).  No format puts
# the month before the day in digits, so no written date is ambiguous.
DATE_FORMATS = {
    "21 Nov 2026": lambda d: f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}",
    "November 21, 2026": lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
    "21/11/26": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
    "Saturday 21 November 2026": lambda d: f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}",
    "21.11.2026": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "Nov 21 2026": lambda d: f"{_MONTHS[d.month - 1][:3]} {d.day} {d.year}",
    "21 november 2026": lambda d: f"{d.day} {_MONTHS[d.month - 1].lower()} {d.year}",
    "the 21st of November 2026": lambda d: f"the {_ordinal(d.day)} of {_MONTHS[d.month - 1]} {d.year}",
    "Sat, 21 Nov 2026": lambda d: f"{_WEEKDAYS[d.weekday()][:3]}, {d.day} {_MONTHS[d.month - 1][:3]} {d.year}",
    "21-NOV-2026": lambda d: f"{d.day:02d}-{_MONTHS[d.month - 1][:3].upper()}-{d.year}",
    "Saturday, November 21, 2026": lambda d: f"{_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} {d.day}, {d.year}",
    "21/11/2026": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
}


def _written_dates(days: np.ndarray, n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    picked = rng.choice(days, size=n)
    styles = rng.integers(len(DATE_FORMATS), size=n)
    formatters = list(DATE_FORMATS.values())
    out = []
    for day, style in zip(picked, styles):
        d = date.fromordinal(int(day))
        out.append((formatters[style](d), d.isoformat()))
    return out


def _all_days() -> np.ndarray:
    return np.arange(_FIRST_DAY.toordinal(), _LAST_DAY.toordinal() + 1)


def dates(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` human-written dates and their ISO 8601 form: ``("21 Nov 2026", "2026-11-21")``.

    Each pair draws a calendar day uniformly from 1950-01-01 to 2049-12-31 and
    one of the twelve styles of :data:`DATE_FORMATS` ("November 21, 2026",
    "21/11/26", "Saturday 21 November 2026", ...).  Month and weekday names are
    English and do not depend on the locale; a two-digit year means 1950-2049.

    Parameters
    ----------
    n : int
        How many pairs (>= 1).
    seed : int
        The same seed gives the same pairs.

    Returns
    -------
    list of (str, str)
        (written date, ISO date) pairs.
    """
    n = check_int("n", n, minimum=1)
    return _written_dates(_all_days(), n, np.random.default_rng(check_seed("seed", seed)))


@dataclass(frozen=True)
class DateSplits:
    """The date benchmark: (written, ISO) pairs whose calendar days never cross parts."""

    train: list
    val: list
    test: list


def date_splits(n_train: int = 8000, n_val: int = 1000, n_test: int = 1000) -> DateSplits:
    """The date-normalisation benchmark, the one split every chapter uses.

    The 36,525 calendar days from 1950 to 2049 are shuffled once (seed 0) and
    cut 80/10/10 into training, validation and test days, so no test date
    appears in training in any style.  Each part then draws its pairs as
    :func:`dates` does (seeds 1, 2, 3).

    Parameters
    ----------
    n_train, n_val, n_test : int
        Pairs in each part (>= 1).
    """
    sizes = [check_int(name, v, minimum=1) for name, v in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test))]
    days = np.random.default_rng(0).permutation(_all_days())
    cut1, cut2 = int(0.8 * len(days)), int(0.9 * len(days))
    pools = (days[:cut1], days[cut1:cut2], days[cut2:])
    parts = [_written_dates(pool, size, np.random.default_rng(seed))
             for pool, size, seed in zip(pools, sizes, (1, 2, 3))]
    return DateSplits(*parts)


# --------------------------------------------------------------------------- SCAN (chapter 13)
#: The splits of :func:`scan`: a random 80/20 one, and two that test composition.
SCAN_SPLITS = ("simple", "length", "addprim_jump")
_SCAN_PRIMITIVES = {"walk": "I_WALK", "look": "I_LOOK", "run": "I_RUN", "jump": "I_JUMP"}
_SCAN_TURNS = {"left": "I_TURN_LEFT", "right": "I_TURN_RIGHT"}
_SCAN_LONGEST_TRAIN = 22    # the length split trains on action sequences of at most 22 actions


def scan_commands() -> list[str]:
    """Every command of the SCAN grammar (Lake & Baroni 2018), 20,910 of them, in a fixed order.

    The grammar, with ``u`` one of walk, look, run, jump and ``d`` left or right::

        C -> S | S and S | S after S
        S -> V | V twice | V thrice
        V -> u | u d | turn d | x opposite d | x around d      (x: u or turn)

    34 phrases V, 102 phrases S, and 102 + 2 * 102 ** 2 = 20,910 commands.
    """
    words = list(_SCAN_PRIMITIVES)
    verbs = (words + [f"{u} {d}" for u in words for d in _SCAN_TURNS] + [f"turn {d}" for d in _SCAN_TURNS]
             + [f"{x} {how} {d}" for x in words + ["turn"] for how in ("opposite", "around") for d in _SCAN_TURNS])
    phrases = [f"{v}{times}" for v in verbs for times in ("", " twice", " thrice")]
    return phrases + [f"{a} {conj} {b}" for conj in ("and", "after") for a in phrases for b in phrases]


def scan_interpret(command: str) -> str:
    """The action sequence of a SCAN command, by the paper's interpretation function, space-separated.

    ``"x1 and x2"`` does x1 then x2; ``"x1 after x2"`` does x2 first;
    ``"x twice"`` / ``"thrice"`` repeat x; ``"u left"`` turns left, then does u;
    ``"x opposite left"`` turns left twice first; ``"x around left"`` does
    (turn left, x) four times; ``"turn"`` alone does nothing but the turns.

    >>> scan_interpret("look after walk twice")
    'I_WALK I_WALK I_LOOK'
    >>> scan_interpret("jump around left")
    'I_TURN_LEFT I_JUMP I_TURN_LEFT I_JUMP I_TURN_LEFT I_JUMP I_TURN_LEFT I_JUMP'

    Raises
    ------
    ValueError
        If ``command`` is not a command of the grammar, naming the part that is not.
    """
    command = check_str("command", command, nonempty=True)
    return " ".join(_scan_actions(command.split(), command))


def _scan_actions(words: list[str], command: str) -> list[str]:
    for conj in ("and", "after"):
        if conj in words:
            i = words.index(conj)
            first, second = _scan_phrase(words[:i], command), _scan_phrase(words[i + 1:], command)
            return first + second if conj == "and" else second + first
    return _scan_phrase(words, command)


def _scan_phrase(words: list[str], command: str) -> list[str]:
    repeat = {"twice": 2, "thrice": 3}.get(words[-1] if words else "", 1)
    verb = words[:-1] if repeat > 1 else words
    action = ({"turn": []}.get(verb[0], [_SCAN_PRIMITIVES.get(verb[0])])
              if verb else [None])
    if None in action:
        raise ValueError(f"not a SCAN command: {command!r} (expected a verb of "
                         f"{list(_SCAN_PRIMITIVES)} or 'turn', "
                         f"got {' '.join(verb) or 'nothing'!r})")
    if len(verb) == 1 and verb[0] != "turn":
        return action * repeat
    if len(verb) == 2 and verb[1] in _SCAN_TURNS:  # u left / turn left
        return ([_SCAN_TURNS[verb[1]]] + action) * repeat
    if (len(verb) == 3 and verb[1] in ("opposite", "around")
            and verb[2] in _SCAN_TURNS):
        turn = [_SCAN_TURNS[verb[2]]]
        once = turn * 2 + action if verb[1] == "opposite" else (turn + action) * 4
        return once * repeat
    raise ValueError(f"not a SCAN command: {command!r} (the phrase "
                     f"{' '.join(words)!r} does not follow "
                     "'x [left|right|opposite d|around d] [twice|thrice]')")


def scan(split: str = "simple", seed: int = 0) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """SCAN (Lake & Baroni 2018): (command, actions) pairs of one split, generated from the grammar.

    Every command of :func:`scan_commands` with its actions from
    :func:`scan_interpret`, in SCAN's own tokens (``"jump twice"`` ->
    ``"I_JUMP I_JUMP"``), divided as in the paper:

    - ``"simple"``: a random 80/20 split (16,728 training, 4,182 test commands);
      ``seed`` draws it;
    - ``"length"``: training on the 16,990 commands whose action sequences have
      at most 22 actions, test on the 3,920 longer ones (up to 48 actions);
    - ``"addprim_jump"``: training on every command without "jump" and on
      "jump" alone (13,204), test on the 7,706 that use "jump" in composition.

    The length and add-jump splits are fixed; ``seed`` only shuffles their
    order.  Each command appears once (no repeats).

    Returns
    -------
    (train_pairs, test_pairs) : two lists of (str, str)
    """
    split = check_choice("split", split, SCAN_SPLITS)
    rng = np.random.default_rng(check_seed("seed", seed))
    pairs = [(c, scan_interpret(c)) for c in scan_commands()]
    if split == "simple":
        order = rng.permutation(len(pairs))
        cut = int(0.8 * len(pairs))
        return [pairs[i] for i in order[:cut]], [pairs[i] for i in order[cut:]]
    if split == "length":
        is_test = [len(a.split()) > _SCAN_LONGEST_TRAIN for _, a in pairs]
    else:
        is_test = ["jump" in c.split() and c != "jump" for c, _ in pairs]
    train = [p for p, t in zip(pairs, is_test) if not t]
    test = [p for p, t in zip(pairs, is_test) if t]
    return ([train[i] for i in rng.permutation(len(train))], [test[i] for i in rng.permutation(len(test))])


# --------------------------------------------------------------------------- parallel corpora (chapter 11)
#: The English-French sentence pairs of the Tatoeba project, as packaged by ManyThings.org
#: (a zip holding ``fra.txt``: "English<TAB>French<TAB>attribution" per line; CC-BY 2.0 FR).
#: The book never downloads it; :func:`download_tab_pairs` is for readers with internet access.
TATOEBA_FRA_URL = "https://www.manythings.org/anki/fra-eng.zip"


def load_tab_pairs(path, *, max_pairs: int | None = None, lowercase: bool = False) -> list[tuple[str, str]]:
    """(source, target) sentence pairs from a tab-separated parallel corpus, one pair per line.

    Reads the format of the Tatoeba/ManyThings files (``"How are you?\\tComment
    allez-vous ?\\tCC-BY 2.0 ..."``): the first column is the source, the
    second the target, and any further column (the attribution) is ignored.
    Blank lines are skipped; a line with fewer than two columns, or an empty
    sentence, is an error that names the line.

    Parameters
    ----------
    path : str or pathlib.Path
        A UTF-8 text file (e.g. ``fra.txt`` from :func:`download_tab_pairs`).
    max_pairs : int or None
        Keep only the first ``max_pairs`` pairs (>= 1); the files list short sentences first.
    lowercase : bool
        Lowercase both sides.

    Returns
    -------
    list of (str, str)
        Whitespace at both ends of each sentence stripped.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If a line is not tab-separated or holds an empty sentence, or the file has no pairs.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or a pathlib.Path; got {type(path).__name__}")
    if max_pairs is not None:
        max_pairs = check_int("max_pairs", max_pairs, minimum=1)
    if not isinstance(lowercase, bool):
        raise TypeError(f"lowercase must be True or False; got {type(lowercase).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no parallel corpus at {path}: download one with download_tab_pairs() "
                                f"or give the path of a tab-separated file")
    pairs = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            columns = line.split("\t")
            if len(columns) < 2 or not columns[0].strip() or not columns[1].strip():
                raise ValueError(f"{path}, line {number}: expected 'source<TAB>target[<TAB>...]'; got {line[:60]!r}")
            source, target = columns[0].strip(), columns[1].strip()
            pairs.append((source.lower(), target.lower()) if lowercase else (source, target))
            if max_pairs is not None and len(pairs) == max_pairs:
                break
    if not pairs:
        raise ValueError(f"{path} holds no sentence pairs")
    return pairs


def download_tab_pairs(path, url: str = TATOEBA_FRA_URL, *, timeout: float = 30.0) -> Path:
    """Download a tab-separated parallel corpus to ``path`` (needs internet access); return ``path``.

    ``url`` may point to the text file itself or to a zip that holds it (as
    ManyThings.org's files do; the first ``.txt`` member whose name does not
    start with ``_`` is taken).  An existing ``path`` is kept as it is and not
    downloaded again.  Read the result with :func:`load_tab_pairs`.

    Raises
    ------
    ConnectionError
        If the download fails (no network, a timeout, an HTTP error), with the
        reason and what to do instead.
    ValueError
        If a downloaded zip holds no text file.
    """
    import io
    import urllib.error
    import urllib.request
    import zipfile

    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or a pathlib.Path; got {type(path).__name__}")
    url = check_str("url", url, nonempty=True)
    timeout = check_number("timeout", timeout)
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds; got {timeout}")
    path = Path(path)
    if path.is_file():
        return path
    request = urllib.request.Request(url, headers={"User-Agent": "rnnbook (an open textbook)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConnectionError(f"could not download {url} ({type(exc).__name__}: {reason}). This needs internet "
                              f"access: download the file by hand, unzip it if needed, and call "
                              f"load_tab_pairs('path/to/file.txt')") from exc
    if payload[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            names = [n for n in archive.namelist() if n.endswith(".txt") and not Path(n).name.startswith("_")]
            if not names:
                raise ValueError(f"the zip at {url} holds no text file; members: {archive.namelist()[:5]}")
            payload = archive.read(names[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path
