"""The child's `loss.backward()` shortcut: torch's own gradients, errors and messages on every
call, its own engine call only on the plain one, and in place in every child."""

import logging
import os
import sys

import pytest
import torch
from gallery import LINREG_JOB

from autograder.sandbox import backward
from autograder.sandbox.case import Case
from autograder.sandbox.layers import detect
from autograder.sandbox.runner import run_cases
from autograder.sandbox.spawn import Fresh

ORIGINAL = torch.Tensor.backward
TORCH = os.path.dirname(torch.__file__) + os.sep


@pytest.fixture
def torch_python(monkeypatch):
    """The shortcut in place for one test; what it returns tells which of torch's autograd
    functions written in Python a call ran (none, when the shortcut took it)."""
    monkeypatch.setattr(torch.Tensor, "backward", backward.shortcut(ORIGINAL, backward._pieces()))

    def ran(thunk) -> set[str]:
        names = set()

        def profile(frame, event, arg):
            code = frame.f_code
            if event == "call" and code.co_filename.startswith(TORCH):
                names.add(code.co_name)

        sys.setprofile(profile)
        try:
            thunk()
        finally:
            sys.setprofile(None)
        return names

    return ran


@pytest.fixture
def engine_calls(monkeypatch) -> list:
    """The shortcut in place for one test, on a torch whose engine wrapper is not 2.13's: the
    calls it makes to that wrapper."""
    calls = []
    engine = torch.autograd._engine_run_backward

    def counted(*args, **kwargs):
        calls.append((args, kwargs))
        return engine(*args, **kwargs)

    pieces = (torch.autograd.backward, torch.autograd._make_grads, counted, torch.ones_like)
    monkeypatch.setattr(torch.autograd, "_engine_run_backward", counted)
    monkeypatch.setattr(torch.Tensor, "backward", backward.shortcut(ORIGINAL, pieces))
    return calls


def _params(seed: int = 0) -> tuple:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(6, 4, generator=gen)
    w = torch.randn(3, 4, generator=gen, requires_grad=True)
    b = torch.randn(3, generator=gen, requires_grad=True)
    return x, w, b


def _loss(x, w, b):
    diff = x @ w.T + b - 1.0
    return torch.sum(diff * diff) / diff.numel()


def _grads_after(steps: int, call) -> list:
    x, w, b = _params()
    for _ in range(steps):
        call(_loss(x, w, b))
    return [w.grad.clone(), b.grad.clone()]


def test_the_plain_call_gives_torchs_own_gradients_and_runs_none_of_its_python(
        torch_python):
    for steps in (1, 3):  # the later calls accumulate, as torch's own
        ours = _grads_after(steps, lambda loss: loss.backward())
        theirs = _grads_after(steps, lambda loss: ORIGINAL(loss))
        assert all(torch.equal(a, c) for a, c in zip(ours, theirs, strict=True))
    x, w, b = _params()
    loss = _loss(x, w, b)
    assert torch_python(loss.backward) == set()
    assert "_make_grads" in torch_python(lambda: ORIGINAL(_loss(x, w, b)))  # the control


def test_autograd_debug_logging_goes_down_torchs_own_path(torch_python, monkeypatch):
    theirs = _grads_after(1, ORIGINAL)
    logger = logging.getLogger("torch.autograd.graph")
    monkeypatch.setattr(logger, "level", logging.DEBUG)  # its wrapper then hooks the graph
    x, w, b = _params()
    ran = torch_python(_loss(x, w, b).backward)
    assert "_make_grads" in ran and "_engine_run_backward" in ran
    assert torch.equal(w.grad, theirs[0])


def test_another_torchs_engine_wrapper_is_called_as_torchs_own_path_calls_it(engine_calls):
    theirs = _grads_after(1, ORIGINAL)
    engine_calls.clear()
    x, w, b = _params()
    _loss(x, w, b).backward()
    [((outputs, grads, keep, create, inputs), kwargs)] = engine_calls
    assert len(outputs) == 1 and torch.equal(grads[0], torch.ones(()))
    assert (keep, create, inputs) == (False, False, ())
    assert kwargs == {"allow_unreachable": True, "accumulate_grad": True}
    assert torch.equal(w.grad, theirs[0]) and torch.equal(b.grad, theirs[1])


def _raised(call) -> tuple[str, str]:
    with pytest.raises(Exception) as info:
        call()
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("make", [
    lambda x, w, b: x @ w.T + b,  # not one number: "only for scalar outputs"
    lambda x, w, b: _loss(x, w.detach(), b.detach()),  # nothing requires grad
    lambda x, w, b: torch.ones((), dtype=torch.int64),  # an integer
], ids=["not_scalar", "no_grad_fn", "integer"])
def test_a_loss_torch_refuses_goes_down_its_own_path_to_its_own_error(make, torch_python):
    x, w, b = _params()
    ours = []
    assert "_make_grads" in torch_python(lambda: ours.append(_raised(make(x, w, b).backward)))
    assert ours == [_raised(lambda: ORIGINAL(make(x, w, b)))]


def test_a_second_backward_through_one_graph_gets_torchs_own_error(torch_python):
    x, w, b = _params()
    loss = _loss(x, w, b)
    loss.backward()
    ours = _raised(loss.backward)
    loss = _loss(x, w, b)
    ORIGINAL(loss)
    assert ours == _raised(lambda: ORIGINAL(loss))
    assert "second time" in ours[1]


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
@pytest.mark.parametrize("kwargs", [
    {"retain_graph": True}, {"retain_graph": False}, {"create_graph": True},
    {"gradient": torch.tensor(2.0)}, {"inputs": "w"},
], ids=["retain_graph", "retain_graph_false", "create_graph", "gradient", "inputs"])
def test_a_call_with_arguments_goes_down_torchs_own_path(kwargs, torch_python):
    def run(call) -> tuple:
        x, w, b = _params()
        loss, given = _loss(x, w, b), {"inputs": [w]} if kwargs.get("inputs") == "w" else kwargs
        return w, torch_python(lambda: call(loss, **given))

    (theirs, _), (ours, ran) = run(ORIGINAL), run(torch.Tensor.backward)
    assert "_make_grads" in ran and torch.equal(ours.grad, theirs.grad)


class Lying(torch.Tensor):
    """A subclass: its own backward, or its __torch_function__, is its own business."""


class Mode(torch.overrides.TorchFunctionMode):
    def __init__(self, seen: list):
        super().__init__()
        self.seen = seen

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.seen.append(getattr(func, "__name__", "?"))
        return func(*args, **(kwargs or {}))


def test_a_subclass_or_a_torch_function_mode_goes_down_torchs_own_path(torch_python):
    theirs = _grads_after(1, ORIGINAL)
    x, w, b = _params()
    loss = _loss(x, w, b).as_subclass(Lying)
    assert "_make_grads" in torch_python(loss.backward)  # through Lying's __torch_function__
    assert torch.equal(w.grad, theirs[0])
    seen = []
    x, w, b = _params()
    loss = _loss(x, w, b)
    with Mode(seen):
        ran = torch_python(loss.backward)
    assert "backward" in seen and "backward" in ran  # torch's own, which hands it to the mode
    assert torch.equal(w.grad, theirs[0])


@pytest.mark.parametrize("owner, name", [
    (torch.autograd, "backward"), (torch.autograd, "_make_grads"),
    (torch.autograd, "_engine_run_backward"), (torch, "ones_like"),
], ids=["autograd.backward", "_make_grads", "_engine_run_backward", "ones_like"])
def test_a_submission_that_replaces_a_piece_of_torchs_path_has_it_called(owner, name,
                                                                        torch_python,
                                                                        monkeypatch):
    theirs, calls, piece = _grads_after(1, ORIGINAL), [], getattr(owner, name)
    monkeypatch.setattr(owner, name, lambda *a, **k: calls.append(name) or piece(*a, **k))
    x, w, b = _params()
    _loss(x, w, b).backward()
    assert calls == [name] and torch.equal(w.grad, theirs[0])


def test_install_puts_it_in_place_once_and_only_where_torch_has_its_engine_wrapper(
        monkeypatch):
    monkeypatch.setattr(torch.Tensor, "backward", ORIGINAL)
    assert backward.install() is True
    installed = torch.Tensor.backward
    assert installed is not ORIGINAL and installed.__wrapped__ is ORIGINAL
    assert backward.install() is True and torch.Tensor.backward is installed  # not twice
    monkeypatch.setattr(torch.Tensor, "backward", ORIGINAL)
    monkeypatch.delattr(torch.autograd, "_engine_run_backward")
    assert backward.install() is False and torch.Tensor.backward is ORIGINAL


class Wrapper:
    """An engine wrapper with no Python code of its own to read (`__call__` is its class's)."""

    def __init__(self, calls: list):
        self.calls, self.engine = calls, torch.autograd._engine_run_backward

    def __call__(self, *args, **kwargs):
        self.calls.append(args)
        return self.engine(*args, **kwargs)


def test_an_engine_wrapper_without_python_code_of_its_own_is_called(monkeypatch):
    theirs, calls = _grads_after(1, ORIGINAL), []
    wrapper = Wrapper(calls)
    monkeypatch.setattr(torch.autograd, "_engine_run_backward", wrapper)
    pieces = (torch.autograd.backward, torch.autograd._make_grads, wrapper, torch.ones_like)
    monkeypatch.setattr(torch.Tensor, "backward", backward.shortcut(ORIGINAL, pieces))
    x, w, b = _params()
    _loss(x, w, b).backward()
    assert len(calls) == 1 and torch.equal(w.grad, theirs[0])


def test_install_leaves_torchs_own_where_the_shortcut_cannot_be_made(monkeypatch):
    monkeypatch.setattr(torch.Tensor, "backward", ORIGINAL)
    monkeypatch.setattr(backward, "shortcut", lambda original, pieces: 1 / 0)
    assert backward.install() is False and torch.Tensor.backward is ORIGINAL


@pytest.mark.parametrize("wrong", [
    lambda loss: ORIGINAL(loss * 2.0),  # other gradients
    lambda loss: 1 / 0,  # a shortcut that fails
], ids=["other_gradients", "raises"])
def test_install_leaves_torchs_own_where_the_two_paths_disagree(wrong, monkeypatch):
    monkeypatch.setattr(torch.Tensor, "backward", ORIGINAL)
    monkeypatch.setattr(backward, "shortcut", lambda original, pieces: wrong)
    assert backward.install() is False and torch.Tensor.backward is ORIGINAL


SHOWS = """
import torch

def model(x, w, b):
    return x @ w.T + b + (1.0 if getattr(torch.Tensor.backward, "__shortcut__", False) else 0.0)
"""
"""A submission whose model answers 1 more where the shortcut is in place (the pool's children:
`test_pool`)."""
SHOWS_CASE = Case("model/shows", "model", {"x": [[1.0, 2.0]], "w": [[1.0, 1.0]], "b": [0.5]})


@pytest.mark.slow
def test_a_fresh_child_has_the_shortcut():
    run = run_cases(SHOWS, "linreg.py", [SHOWS_CASE], **LINREG_JOB, spawner=Fresh(detect()))
    assert run.observations["model/shows"]["out"]["values"] == [4.5]
