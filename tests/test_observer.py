"""The reference observed in the warm pool's observer (`sandbox.observer`): the command line
never imports torch, and every observation, every result, is the one this process makes."""

import json
import shutil

import pytest
from command import ROOT, autograder, imports_torch
from gallery import GALLERY, REFERENCE

from autograder.grading import reference, registry
from autograder.sandbox import pool

EXERCISES = ("linreg", "linreg_builtins")


def _attached(exercise) -> reference.Reference:
    ref = reference.load(exercise, run=False)
    observer = pool.default().reference_observer()
    assert observer is not None, "the pool gives no observer"
    ref.attach(observer)
    assert "observer" in ref.made and "module" not in ref.made
    return ref


@pytest.mark.parametrize("name", EXERCISES)
def test_the_observer_observes_what_this_process_observes(name):
    exercise = registry.get(name)
    here, there = reference.load(exercise), _attached(exercise)
    try:
        for seed in (None, 7, 123456):
            cases = list(exercise.cases(seed).values())
            for case in cases:
                assert there._observe([case]) == here._observe([case]), case.id
            assert there._observe(cases) == here._observe(cases)  # one request for them all
        assert "module" not in there.made  # nothing ran here
    finally:
        there.close()


def test_an_observer_that_is_gone_leaves_the_observing_to_this_process():
    exercise = registry.get()
    here, there = reference.load(exercise), _attached(exercise)
    case = next(iter(exercise.cases(3).values()))
    there.made["observer"]._answers.close()  # as if its process had ended
    assert there._observe([case]) == here._observe([case])
    assert "observer" not in there.made and "module" in there.made


def test_a_reference_that_fails_to_load_there_fails_as_here(tmp_path):
    broken = tmp_path / "ref.py"
    broken.write_text(REFERENCE.read_text() + "\nraise ValueError('no data here')\n")
    with pytest.raises(reference.ReferenceError) as here:
        reference.load(registry.get(), broken)
    ref = reference.load(registry.get(), broken, run=False)
    with pytest.raises(reference.ReferenceError) as there:
        ref.attach(pool.default().reference_observer())
    assert str(there.value) == str(here.value) == (
        f"the reference at {broken} failed to load: ValueError('no data here')")


def test_the_command_line_never_imports_torch(tmp_path):
    """Its largest cost after the zygote's: the zygote imports torch, and observes."""
    assert imports_torch("grade", REFERENCE, "--json", tmp_path / "r.json") == (0, False)
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 100


def test_a_batch_observed_there_writes_the_files_of_a_batch_observed_here(tmp_path,
                                                                          monkeypatch):
    subs = tmp_path / "subs"
    subs.mkdir()
    entries = {e.name: e for e in GALLERY}
    for name in ("reference", "sum_instead_of_mean", "missing_transpose", "lr_ignored"):
        (subs / f"{name}.py").write_text(entries[name].text())
    shutil.copy(ROOT / "assignments" / "linreg" / "linreg.ipynb", subs / "stubs.ipynb")
    there = autograder("grade", subs, "--out", tmp_path / "there")
    monkeypatch.setattr(pool.Pool, "reference_observer", lambda self: None)
    here = autograder("grade", subs, "--out", tmp_path / "here")
    assert there.returncode == here.returncode == 0, there.stderr + here.stderr
    files = {p.name: p.read_bytes() for p in (tmp_path / "there").iterdir()}
    assert files == {p.name: p.read_bytes() for p in (tmp_path / "here").iterdir()}
    assert len(files) == 6


def test_a_services_grading_ends_its_observer(tmp_path, monkeypatch):
    """Gradescope's run, as its container runs it: one grading, then its observer ends."""
    from autograder.grading.expectations import Expectations
    from autograder.integrations import gradescope

    made = []
    observed = Expectations.observed.__func__
    monkeypatch.setattr(Expectations, "observed", classmethod(
        lambda cls, *args, **kwargs: made.append(observed(cls, *args, **kwargs)) or made[-1]))
    (tmp_path / "source" / "reference").mkdir(parents=True)
    shutil.copy(REFERENCE, tmp_path / "source" / "reference" / "linreg.py")
    (tmp_path / "submission").mkdir()
    shutil.copy(ROOT / "examples" / "alice.py", tmp_path / "submission" / "linreg.py")
    assert gradescope.run(tmp_path) == 0
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 100
    [expect] = made
    assert "module" not in expect.reference.made and "observer" not in expect.reference.made


def test_a_message_cut_short_or_too_long_is_no_message(tmp_path):
    """The grader's end of the pipe takes a broken answer for an observer that is gone (and
    observes here), never for an observation."""
    from autograder.sandbox import observer

    path = tmp_path / "pipe"
    with path.open("wb") as out:
        observer._write(out, {"obs": [{"out": 1.5}]})
    whole = path.read_bytes()
    for data, limit, read in ((whole, observer.ANSWER_BYTES, {"obs": [{"out": 1.5}]}),
                              (whole[:-1], observer.ANSWER_BYTES, None),
                              (whole[:3], observer.ANSWER_BYTES, None),
                              (whole, len(whole) - 9, None), (b"", observer.ANSWER_BYTES, None)):
        path.write_bytes(data)
        with path.open("rb") as stream:
            assert observer._read(stream, limit) == read
