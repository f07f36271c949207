"""Runs side by side in worker processes give what they give one after the other, bit for bit."""
import numpy as np
import pytest

from rnnbook import benchmark, data, models, parallel


def _tiny_task():
    (x, y), (xt, yt) = data.adding_problem(256, steps=10, seed=0), data.adding_problem(64, steps=10, seed=1)
    return benchmark.Task("tiny adding", build=None, x_train=x, y_train=y, loss="mse",
                          score=lambda m: float(np.mean((m.predict(xt, verbose=0)[:, 0] - yt) ** 2)),
                          metric="test MSE", epochs=2, batch_size=32, x_val=xt, y_val=yt)


def _builders():
    return {"gru": lambda: models.recurrent_model("gru", 4, steps=10, features=2),
            "lstm": lambda: models.recurrent_model("lstm", 4, steps=10, features=2)}


def test_side_by_side_equals_one_after_the_other(monkeypatch):
    task = _tiny_task()
    monkeypatch.setenv("RNNBOOK_WORKERS", "1")
    alone = benchmark.compare_models(task, _builders(), seeds=(0, 1, 2), keep_models=True)
    monkeypatch.setenv("RNNBOOK_WORKERS", "2")
    side = benchmark.compare_models(task, _builders(), seeds=(0, 1, 2), keep_models=True)
    assert alone.workers == 1 and side.workers == 2
    for a, b in zip(alone.results, side.results):
        assert (a.cell, a.params, a.scores, a.val_curves) == (b.cell, b.params, b.scores, b.val_curves)
        for ma, mb in zip(a.models, b.models):
            assert all(np.array_equal(wa, wb) for wa, wb in zip(ma.get_weights(), mb.get_weights()))
    assert "runs side by side" in side.timing_table() and "side by side" not in alone.timing_table()


def test_an_error_in_a_worker_is_raised_here(monkeypatch):
    monkeypatch.setenv("RNNBOOK_WORKERS", "2")
    with pytest.raises(TypeError, match="callbacks\\(\\) must return a list"):
        benchmark.compare_models(_tiny_task(), _builders(), seeds=(0, 1), callbacks=lambda: "not a list")


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_workers_refuses_a_bad_setting(monkeypatch, value):
    monkeypatch.setenv("RNNBOOK_WORKERS", value)
    with pytest.raises(ValueError, match="RNNBOOK_WORKERS must be a whole number >= 1"):
        parallel.workers()


def test_workers_follows_cores_and_memory(monkeypatch):
    monkeypatch.delenv("RNNBOOK_WORKERS", raising=False)
    monkeypatch.setattr(parallel, "_free_memory_gb", lambda: 2.0)     # a 2 GB Binder session
    monkeypatch.setattr(parallel, "_cgroup_limit_gb", lambda: None)
    assert parallel.workers() == 1
    monkeypatch.setattr(parallel, "_free_memory_gb", lambda: 64.0)
    assert 1 <= parallel.workers() <= parallel.MAX_WORKERS


@pytest.mark.parametrize("n", ["1", "2"])
def test_start_returns_the_value_or_raises_the_error(monkeypatch, n):
    monkeypatch.setenv("RNNBOOK_WORKERS", n)
    run = parallel.start(divmod, 17, 5)
    assert run.result() == (3, 2) and run.done()
    failed = parallel.start(divmod, 1, 0)
    with pytest.raises(ZeroDivisionError):
        failed.result()
    with pytest.raises(TypeError, match="fn must be a function"):
        parallel.start("divmod", 1, 2)


def test_the_random_state_afterwards_does_not_depend_on_the_workers(monkeypatch):
    import keras

    draws = []
    for n in ("1", "2"):
        monkeypatch.setenv("RNNBOOK_WORKERS", n)
        keras.utils.set_random_seed(123)
        benchmark.compare_models(_tiny_task(), {"gru": _builders()["gru"]}, seeds=(0, 1))
        draws.append((np.random.rand(), float(keras.random.uniform(())), ))
    assert draws[0] == draws[1]


def test_warm_up_starts_the_workers_without_waiting(monkeypatch):
    monkeypatch.setenv("RNNBOOK_WORKERS", "1")
    assert parallel.warm_up() == 1                  # nothing to start: runs stay here
    monkeypatch.setenv("RNNBOOK_WORKERS", "2")
    assert parallel.warm_up() == 2
    # the workers it started are the ones a later run uses
    executor = parallel._executor(2)
    pids = {executor.submit(parallel._ready).result(timeout=120) for _ in range(8)}
    assert 1 <= len(pids) <= 2 and all(pid != __import__("os").getpid() for pid in pids)
