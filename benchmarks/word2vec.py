"""NumPy word2vec (``rnnbook.embeddings.train_word2vec``) against gensim's ``Word2Vec``, as in chapter 9.

Both train skip-gram with negative sampling on the Lee background corpus
(``rnnbook.data.load_lee_documents``) with chapter 9's settings, gensim on one
worker, once per seed; the score is the Spearman correlation with the
WordSim-353 human judgements (``KeyedVectors.evaluate_word_pairs``, the
evaluation chapter 9 runs on the ``KeyedVectors`` both trainers return).
"""
from __future__ import annotations

import statistics
import time

from .timing import Section

# Chapter 9's settings (its cell "settings = dict(...)"), without the seed.
SETTINGS = {"vector_size": 50, "window": 5, "negative": 5, "min_count": 3, "sample": 1e-3, "epochs": 20}
TRAINERS = {"numpy": "NumPy (`rnnbook.embeddings`)", "gensim": "gensim `Word2Vec`, 1 worker"}


def wordsim_spearman(kv) -> tuple[float, float]:
    """WordSim-353 Spearman correlation of ``kv`` and the percentage of pairs out of its vocabulary."""
    from gensim.test.utils import datapath

    _, spearman, oov = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    return float(spearman.statistic), float(oov)


def train(trainer: str, docs, settings: dict, seed: int):
    """Train one of :data:`TRAINERS`; returns the ``KeyedVectors`` and the seconds it took."""
    from gensim.models import Word2Vec
    from rnnbook import embeddings

    start = time.perf_counter()
    if trainer == "numpy":
        kv = embeddings.train_word2vec(docs, **settings, seed=seed)
    else:
        kv = Word2Vec(docs, sg=1, hs=0, workers=1, **settings, seed=seed).wv
    return kv, time.perf_counter() - start


def run(docs=None, *, settings: dict | None = None, seeds=(0, 1, 2)) -> Section:
    """Train both on ``docs`` (the Lee background corpus by default) once per seed.

    Reports the median words per second (chapter 9's count: in-vocabulary
    tokens times epochs, before subsampling) and the Spearman mean ± std.
    """
    from rnnbook import data, embeddings

    settings = dict(SETTINGS, **(settings or {}))
    docs = data.load_lee_documents("background") if docs is None else docs
    _, counts = embeddings.build_vocab(docs, min_count=settings["min_count"])
    words_trained = int(counts.sum()) * settings["epochs"]

    results, rows = {}, []
    for trainer, label in TRAINERS.items():
        runs = []
        for seed in seeds:
            kv, seconds = train(trainer, docs, settings, seed)
            spearman, oov = wordsim_spearman(kv)
            runs.append({"seed": seed, "seconds": seconds, "spearman": spearman, "oov_percent": oov})
        seconds = statistics.median(r["seconds"] for r in runs)
        rho = [r["spearman"] for r in runs]
        spread = statistics.stdev(rho) if len(rho) > 1 else 0.0
        results[trainer] = {"runs": runs, "median_seconds": seconds, "words_per_second": words_trained / seconds,
                            "spearman_mean": statistics.mean(rho), "spearman_std": spread}
        rows.append([label, seconds, round(words_trained / seconds), f"{statistics.mean(rho):.3f} ± {spread:.3f}",
                     100 - runs[0]["oov_percent"]])
    ratio = results["numpy"]["median_seconds"] / results["gensim"]["median_seconds"]
    shown = ", ".join(f"{k}={v}" for k, v in settings.items())
    notes = [(f"Lee background corpus: {len(docs)} documents, {int(counts.sum()):,} in-vocabulary tokens × "
              f"{settings['epochs']} epochs = {words_trained:,} words per training run; skip-gram with negative "
              f"sampling, {shown}; seeds {', '.join(map(str, seeds))} (median seconds, Spearman mean ± std)."),
             f"In this run gensim's compiled loop trains {ratio:.1f} times faster than the vectorised NumPy one."]
    return Section("word2vec", "NumPy word2vec against gensim",
                   ["trainer", "seconds per run", "words per second", "WordSim-353 Spearman", "pairs covered (%)"],
                   rows, notes, raw={"settings": settings, "seeds": list(seeds), "words_trained": words_trained,
                                     "results": results})
