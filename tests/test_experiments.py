"""make experiments: the registry, the stored records, and a rerun of one small case against the stored file."""
import json

import pytest

from rnnbook import experiments


@pytest.fixture
def toy_experiment():
    @experiments.experiment(chapter="00_test", tolerance=0.5)
    def toy_sum(a=1, b=2):
        """A toy: a + b."""
        return {"sum": a + b}

    yield "toy_sum"
    experiments.EXPERIMENTS.pop("toy_sum")


def test_run_writes_a_record_that_load_reads_back(tmp_path, toy_experiment):
    record = experiments.run(toy_experiment, directory=tmp_path)
    assert record.results == {"sum": 3} and record.tolerance == 0.5
    stored = json.loads((tmp_path / "toy_sum.json").read_text())
    assert stored["results"] == {"sum": 3} and {"Python", "NumPy", "TensorFlow", "Keras"} <= set(stored["versions"])
    assert experiments.load(toy_experiment, tmp_path) == record
    assert "written by `make experiments`" in str(record) and "up to 0.5" in str(record)
    assert experiments.EXPERIMENTS[toy_experiment].description == "A toy: a + b."


def test_a_run_with_changed_settings_is_never_written(tmp_path, toy_experiment):
    assert experiments.run(toy_experiment, directory=tmp_path, a=10).results == {"sum": 12}
    assert not (tmp_path / "toy_sum.json").exists()


def test_load_errors_say_what_to_run(tmp_path, toy_experiment):
    with pytest.raises(ValueError, match="no experiment named 'nope'"):
        experiments.load("nope", tmp_path)
    with pytest.raises(FileNotFoundError, match="make experiments"):
        experiments.load(toy_experiment, tmp_path)
    (tmp_path / "toy_sum.json").write_text(json.dumps({"results": {}}))
    with pytest.raises(ValueError, match="not an experiment record"):
        experiments.load(toy_experiment, tmp_path)


def test_a_record_changed_by_hand_is_neither_read_nor_overwritten(tmp_path, toy_experiment, monkeypatch, capsys):
    experiments.run(toy_experiment, directory=tmp_path)
    path = tmp_path / "toy_sum.json"
    stored = json.loads(path.read_text())
    assert len(stored["digest"]) == 64
    stored["results"]["sum"] = 4   # a hand edit: the digest no longer matches
    path.write_text(json.dumps(stored))
    with pytest.raises(ValueError, match="changed since `make experiments` wrote it"):
        experiments.load(toy_experiment, tmp_path)
    with pytest.raises(FileExistsError, match="--force"):
        experiments.run(toy_experiment, directory=tmp_path)
    assert json.loads(path.read_text())["results"] == {"sum": 4}   # untouched
    path.write_text("not json")
    with pytest.raises(FileExistsError, match="not overwritten"):
        experiments.run(toy_experiment, directory=tmp_path)
    # make experiments refuses before it runs anything, and says why
    monkeypatch.setattr(experiments, "RESULTS_DIR", tmp_path)
    ran = []
    monkeypatch.setitem(experiments.EXPERIMENTS, toy_experiment, experiments.Experiment(
        toy_experiment, lambda: ran.append(1) or {"sum": 3}, "00_test", 0.5, "toy"))
    assert experiments.main([toy_experiment]) == 2 and not ran
    assert "not overwritten" in capsys.readouterr().err
    assert experiments.main([toy_experiment, "--force"]) == 0 and ran
    assert experiments.load(toy_experiment, tmp_path).results == {"sum": 3}
    # an unchanged record is simply replaced by the next run
    assert experiments.run(toy_experiment, directory=tmp_path).results == {"sum": 3}


def test_main_lists_the_experiments(capsys):
    assert experiments.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "attention_variants" in out and "sutskever_decoder" in out
    with pytest.raises(ValueError, match="no experiment named"):
        experiments.main(["nope"])


@pytest.mark.parametrize("name", sorted(experiments.EXPERIMENTS))
def test_every_experiment_has_its_results_stored(name):
    record = experiments.load(name)
    assert record.settings == {} and record.results


def test_a_rerun_reproduces_the_stored_attention_variants_within_tolerance():
    stored = experiments.load("attention_variants")
    rerun = experiments.run("attention_variants", units=(16,), seeds=(0,), variants=("dot",))
    old = stored.results["16"]["dot"]
    new = rerun.results["16"]["dot"]
    assert new["params"] == old["params"]
    assert abs(new["val_scores"][0] - old["val_scores"][0]) <= stored.tolerance


def test_a_rerun_reproduces_the_stored_lm_fair_chance_within_tolerance():
    stored = experiments.load("lm_fair_chance")
    rerun = experiments.run("lm_fair_chance", seeds=(0,), contenders=("chapter protocol",))
    old, new = stored.results["chapter protocol"], rerun.results["chapter protocol"]
    assert new["params"] == old["params"] and new["best_epochs"] == [4]
    assert abs(new["val_scores"][0] - old["val_scores"][0]) <= stored.tolerance
    assert abs(new["test_scores"][0] - old["test_scores"][0]) <= stored.tolerance
