"""The cases: public ones fixed, secret ones unpredictable but the same for one submission."""

import marshal

import numpy as np

from autograder.exercises.linreg import cases, data
from autograder.grading import reference


def _shape(values) -> tuple:
    return np.asarray(values).shape


def test_the_crop_data_is_the_notebooks():
    assert data.TARGETS[2] == (119.0, 133.0)  # 113 is a widely copied typo
    crop = cases.build(None)["gradients/crop"].args
    assert _shape(crop["x"]) == (5, 3) and _shape(crop["y"]) == (5, 2)


def test_without_a_seed_only_public_cases():
    built = cases.build(None)
    assert built and not any(c.secret for c in built.values())


def test_secret_cases_have_other_shapes_and_learning_rates():
    for seed in range(50):
        built = cases.build(seed)
        n, f = _shape(built["model/hidden"].args["x"])
        k = _shape(built["model/hidden"].args["w"])[0]
        assert n != 5 and k != 2 and f != k
        assert _shape(built["mse/hidden"].args["preds"])[1] != 2
        for cid in ("train_step/hidden", "train_step/crop_lr"):
            assert not np.isclose(built[cid].args["lr"], data.LEARNING_RATE, rtol=0.5)


def test_secret_cases_depend_only_on_the_seed():
    assert cases.build(7)["model/hidden"].args == cases.build(7)["model/hidden"].args
    assert cases.build(7)["model/hidden"].args != cases.build(8)["model/hidden"].args


def test_the_secret_training_run_starts_from_one_of_a_few_secret_starts():
    public = cases.build(None)["training/public"].args
    starts = {tuple(np.ravel(cases.build(seed)["training/seeded"].args["w"]))
              for seed in range(400)}
    assert len(starts) == cases.SECRET_STARTS
    assert tuple(np.ravel(public["w"])) not in starts


def test_the_seed_differs_per_submission_and_needs_the_reference(expect):
    seed = expect.seed
    assert seed("a") == seed("a") and seed("a") != seed("b")


def test_a_shared_observation_is_made_once_and_handed_out_as_a_copy(expect):
    """The public cases and the secret training runs are observed on the reference once a
    batch; every submission gets its own copy, equal to it, which its checks may not spoil."""
    training = [c for c in cases.build(3).values() if c.probe == "training"]
    first = expect.reference.observe(training)
    first["training/public"]["losses"][0] = float("nan")
    first["training/seeded"]["checkpoints"].clear()
    again = expect.reference.observe(training)
    fresh = expect.reference._observe(training)
    assert again == fresh and again["training/public"] is not fresh["training/public"]


def test_what_marshal_cannot_copy_exactly_is_deep_copied():
    for obs in ({"losses": [1.0, float("nan")]}, {"values": [np.float64(1.5)]},
                {"shape": (2,), "values": [1.0, -0.0]}):
        kept = reference._frozen(obs)
        back = marshal.loads(kept) if isinstance(kept, bytes) else kept
        assert repr(back) == repr(obs) and all(type(a) is type(b) for a, b in
                                              zip(back.values(), obs.values(), strict=True))


def test_every_exercises_reference_observations_are_as_json_carries_them():
    """A child's observations reach the grader as JSON (lists, string keys); the reference's
    are compared with them as they are made, in this process or the observer's (which carries
    them in marshal, tuples as tuples). So a probe returns what JSON gives back unchanged: a
    tuple in the reference's observation would never equal the child's list."""
    import json

    from autograder.grading import registry

    for exercise in registry.every():
        ref = reference.load(exercise)
        for seed in (None, 11):
            observed = ref._observe(list(exercise.cases(seed).values()))
            assert json.loads(json.dumps(observed)) == observed, exercise.name


def test_every_exercises_cases_reach_a_child_as_json_would_carry_them():
    """A job reaches its child in marshal (`spawn.send_job`), which carries tuples as tuples and
    keys as they are; in JSON, as it did, a child read lists and string keys. Every exercise's
    cases are plain data JSON gives back unchanged, so the child reads what it read then."""
    import json

    from autograder.grading import registry

    for exercise in registry.every():
        for seed in (None, 11):
            jobs = [c.job() for c in exercise.cases(seed).values()]
            assert json.loads(json.dumps(jobs)) == jobs == marshal.loads(marshal.dumps(jobs)), \
                exercise.name


def test_a_job_marshal_would_not_carry_as_json_did_reaches_its_child_as_json_carried_it(
        tmp_path):
    """A course's own cases may hold numpy numbers, which JSON wrote as floats and marshal
    writes as their bytes: such a job goes as JSON gives it back."""
    import os

    from autograder.sandbox import child, spawn
    from autograder.sandbox.jail import Jail
    from autograder.sandbox.layers import Layer
    from autograder.sandbox.limits import Limits

    jail = Jail(Layer("process", cgroups=False), Limits(), root=str(tmp_path))
    try:
        for args in ({"x": [[1.5, 2.0]], "lr": 0.1}, {"x": [[np.float64(1.5), 2.0]],
                                                      "lr": np.float64(0.5)}):
            case = {"id": "model/own", "probe": "model", "args": args, "secret": False}
            read, write = os.pipe()
            spawn.send_job({"cases": [case]}, jail, write)
            got = child._read_job(read)["cases"][0]["args"]
            assert got == {"x": [[1.5, 2.0]], "lr": float(args["lr"])}
            assert all(type(v) is float for v in (*got["x"][0], got["lr"]))
    finally:
        jail.close()


def test_what_marshal_carries_goes_as_it_is_the_rest_as_json_gives_it_back():
    """`carried`: a message marshal gives back equal goes as it is (a tuple, an int key too,
    as the observer has always had them); one it would not (a numpy number, whose bytes it
    writes; NaN, which equals nothing) goes as JSON gives it back."""
    from autograder.sandbox import carried

    for plain in ({"x": [[1.5, -0.0]], "n": 3, "ok": True, "none": None, "text": "é"},
                  {"shape": (2, 3), 1: "a"}):
        assert carried.dumps(plain) == marshal.dumps(plain)
    got = marshal.loads(carried.dumps({"v": np.float64(2.5), "w": [float("nan")]}))
    assert repr(got) == "{'v': 2.5, 'w': [nan]}" and type(got["v"]) is float
