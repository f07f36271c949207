"""Independent training runs side by side, in worker processes, when the machine has room.

A comparison trains every model once per seed; the runs do not depend on each other,
and one small Keras run keeps about one CPU core busy.  On a machine with two or more
cores and enough free memory, :func:`run_all` hands the runs to a pool of worker
processes (joblib's loky executor, which ships the notebook's own functions with
cloudpickle) and the results come back in order.  Each run seeds Keras itself
(``keras.utils.set_random_seed``) and each worker uses one TensorFlow thread, as a
run in the notebook's own process does on a 2-core machine, so a run gives the same
weights in a worker as in the notebook (a test checks it, bit for bit).

How many workers: ``RNNBOOK_WORKERS`` if set (1 runs everything in the notebook's
own process), else one per core up to :data:`MAX_WORKERS`, and no more than the free
memory allows at :data:`WORKER_MEMORY_GB` each (so a 2 GB Binder session runs its
seeds one after the other).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["MAX_WORKERS", "WORKER_MEMORY_GB", "workers", "warm_up", "run_all", "start", "Run"]

#: At most this many worker processes (three seeds, the usual comparison).
MAX_WORKERS = 3
#: Free memory a worker needs (TensorFlow, Keras and one small model), in GB.
WORKER_MEMORY_GB = 1.2


def _free_memory_gb() -> float | None:
    """Memory available to new processes, from /proc/meminfo (Linux); None elsewhere."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        return None
    return None


def _cgroup_limit_gb() -> float | None:
    """The container's memory limit (cgroup v2 or v1) in GB, if there is one."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = open(path).read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text) / 2**30
    return None


def workers() -> int:
    """How many runs go side by side here: 1 means all in the notebook's own process.

    Raises
    ------
    ValueError
        If ``RNNBOOK_WORKERS`` is set to anything but a whole number >= 1.
    """
    chosen = os.environ.get("RNNBOOK_WORKERS", "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise ValueError(f"RNNBOOK_WORKERS must be a whole number >= 1; got {chosen!r}")
        return int(chosen)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    memory = [m for m in (_free_memory_gb(), _cgroup_limit_gb()) if m is not None]
    by_memory = int(min(memory) // WORKER_MEMORY_GB) - 1 if memory else 0   # the notebook keeps ~1 share
    return max(1, min(cores, MAX_WORKERS, by_memory))


def _one_thread() -> None:
    """Worker set-up: one TensorFlow thread per worker, before TensorFlow starts its runtime."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _executor(n: int):
    from joblib.externals.loky import get_reusable_executor

    # workers stay up for 10 minutes between comparisons, so a notebook pays their start once
    return get_reusable_executor(max_workers=n, timeout=600, initializer=_one_thread)


def _ready() -> int:
    """What a warm-up job returns: the worker's process id (TensorFlow is imported by then)."""
    return os.getpid()


def warm_up() -> int:
    """Start the worker processes now, in the background, and return at once.

    A worker spends about 5 seconds importing TensorFlow before its first run;
    started while the notebook imports its own libraries, the workers are ready
    when the chapter's first comparison needs them.  Returns how many workers
    were asked for (1: none, every run stays in the notebook's process).
    """
    n = workers()
    if n > 1:
        executor = _executor(n)
        for _ in range(n):
            executor.submit(_ready)
    return n


def run_all(fn: Callable[..., Any], jobs: Sequence[tuple]) -> list:
    """``[fn(*job) for job in jobs]``, in worker processes when :func:`workers` > 1.

    ``fn`` and the jobs' arguments must be picklable by cloudpickle (functions and
    lambdas defined in a notebook are).  An exception in a run is raised here, as in
    a plain loop.
    """
    jobs = [tuple(job) for job in jobs]
    n = min(workers(), len(jobs))
    if n <= 1:
        return [fn(*job) for job in jobs]
    executor = _executor(workers())
    futures = [executor.submit(fn, *job) for job in jobs]
    return [future.result() for future in futures]


class Run:
    """A call started by :func:`start`: ``result()`` waits for it and returns its value (or raises its error)."""

    def __init__(self, future=None, value=None, error: BaseException | None = None):
        self._future, self._value, self._error = future, value, error

    def done(self) -> bool:
        """Whether the call has finished."""
        return self._future is None or self._future.done()

    def result(self):
        """The call's return value, once it has finished; its exception, if it raised one."""
        if self._future is not None:
            return self._future.result()
        if self._error is not None:
            raise self._error
        return self._value


def start(fn: Callable[..., Any], *args, **kwargs) -> Run:
    """Start ``fn(*args, **kwargs)`` in a worker process and return at once; :meth:`Run.result` collects it.

    The notebook goes on with its next cells on the other core meanwhile.  With one
    worker (:func:`workers` is 1) the call runs here, now, and ``result()`` only hands
    its value over.  The value comes back pickled (a Keras model does).
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function to call; got {type(fn).__name__}")
    if workers() <= 1:
        try:
            return Run(value=fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed over by result(), as from a worker
            return Run(error=exc)
    return Run(future=_executor(workers()).submit(fn, *args, **kwargs))
