"""How a probe calls student code: through one wrapper that turns whatever it raises into
plain data, from the same random state every time, on float32 tensors made from plain numbers.
Every exercise's probes use these; none of them judges anything."""

import contextlib
import functools
from random import seed as _python_seed  # the harness's own, whatever a submission rebinds

import torch
from numpy.random import seed as _numpy_seed  # (imported once in the zygote, 6-9 ms fresh)
from torch.utils._python_dispatch import _pop_mode

from autograder.sandbox.plain import _dispatch_modes, raised

PLAIN = (torch.Tensor, torch.nn.Parameter)
"""torch's own tensor classes: a model's parameters are Parameters, and honest."""
MAX_ITEMS = 1000
"""Items of a returned tuple or list made honest one by one; a longer one is left as it is."""


def honest(value, seen: set[str]):
    """`value` with every torch.Tensor subclass in it made a plain tensor (the same data, the
    same autograd graph), its class's name added to `seen`: a subclass's methods and
    `__torch_function__` could tell the grader anything, a plain tensor only its values."""
    if type(value) is torch.Tensor:  # the usual answer, first
        return value
    if issubclass(type(value), torch.Tensor) and type(value) not in PLAIN:
        seen.add(type(value).__name__[:80])
        try:
            with torch._C.DisableTorchFunction():
                return torch.Tensor.as_subclass(value, torch.Tensor)
        except Exception:  # a subclass that cannot be viewed as a plain tensor stays what it is
            return value
    if type(value) in (tuple, list) and len(value) <= MAX_ITEMS:
        return type(value)(honest(v, seen) for v in value)
    return value


def honest_functions(module, names, seen: set[str]) -> None:
    """The graded functions of `module`, wrapped so that what they return is made honest also
    where they call each other (a train_step calling the student's own mse)."""
    for name in names:
        fn = getattr(module, name, None)
        if callable(fn) and not getattr(fn, "__honest__", False):
            def wrapper(*args, __fn=fn, **kwargs):
                return honest(__fn(*args, **kwargs), seen)

            functools.update_wrapper(wrapper, fn)
            wrapper.__honest__ = True
            setattr(module, name, wrapper)


# torch's functions that the harness calls, taken before any submission could replace them
_tensor, _FLOAT32 = torch.tensor, torch.float32
_set_grad_enabled = torch._C._set_grad_enabled
_function_modes = torch._C._len_torch_function_stack
_pop_function_mode = torch._C._pop_torch_function_stack
_push_function_mode = torch._C._push_on_torch_function_stack
_push_dispatch_mode = torch._C._push_on_torch_dispatch_stack
_LEFT_ON: list = []
"""The modes student code left on, kept: one that is freed could run its `__del__`, which is
student code too."""


def _popped() -> tuple[list, list]:
    """Every torch function mode and every dispatch mode on, turned off, each stack's top
    first."""
    return ([_pop_function_mode() for _ in range(_function_modes())],
            [_pop_mode() for _ in range(_dispatch_modes())])


def drop_modes() -> None:
    """Turn off every torch function or dispatch mode student code entered and left on: a mode
    sees every operation after it, the harness's own too, and could change what they find."""
    if _function_modes() or _dispatch_modes():  # rarely: every call of student code ends here
        for modes in _popped():
            _LEFT_ON.extend(modes)


@contextlib.contextmanager
def modes_set_aside():
    """The modes on when the block begins off while it runs, and back on after it, in their
    order: in a student's own kernel, a self-check inside `with SomeMode():` is judged on plain
    torch, and the student's `with` still finds its mode to leave."""
    function, dispatch = _popped()
    try:
        yield
    finally:
        drop_modes()
        for mode in reversed(dispatch):
            _push_dispatch_mode(mode)
        for mode in reversed(function):
            _push_function_mode(mode)


class StudentRaised(Exception):
    """Student code raised; `record` describes it in plain data."""

    def __init__(self, record: dict):
        super().__init__(record["type"])
        self.record = record


class Caller:
    """The one wrapper through which student code is called."""

    def __init__(self, namespace, filename: str | frozenset[str]):
        self.namespace = namespace
        self.filename = filename
        self.subclasses: set[str] = set()
        """The torch.Tensor subclasses student code returned (made plain tensors on the way)."""

    def __call__(self, name: str, *args, text: str):
        fn = getattr(self.namespace, name, None)
        if not callable(fn):
            raise StudentRaised({"kind": "missing", "name": name, "call": text,
                                 "type": "missing", "message": f"no function named {name}",
                                 "not_attempted": False, "where": []})
        try:  # guard()'s, without its two frames: a training run calls this every epoch
            out = fn(*args)
        except BaseException as exc:
            raise StudentRaised(raised(exc, text, self.filename)) from None
        finally:
            drop_modes()
        return honest(out, self.subclasses)

    def guard(self, thunk, text: str):
        try:
            out = thunk()
        except BaseException as exc:  # SystemExit too: a student's sys.exit() is a mistake
            raise StudentRaised(raised(exc, text, self.filename)) from None
        finally:
            drop_modes()
        return honest(out, self.subclasses)


def reseed() -> None:
    """The same random state before the submission's top level and every probe, for the
    student and the reference: torch's, Python's and numpy's (each interpreter seeds the last
    two at random, and each run of a fresh child or of the zygote would draw other numbers).
    (Only torch's CPU generator: `torch.manual_seed` also queues a CUDA seeding, at 70 µs a
    call.)"""
    torch.random.default_generator.manual_seed(0)
    _python_seed(0)
    _numpy_seed(0)


def observe_case(probe, call: Caller, args: dict) -> dict:
    """One case of `probe`, from the same start for the student and the reference whatever
    ran before it (the reseeded random state, autograd on), with the torch.Tensor subclasses
    the student's code returned on the way."""
    drop_modes()
    reseed()
    _set_grad_enabled(True)
    call.subclasses.clear()
    obs = probe(call, args)
    if call.subclasses:
        obs["subclasses"] = sorted(call.subclasses)
    return obs


def tensor(values, grad: bool = False) -> torch.Tensor:
    return _tensor(values, dtype=_FLOAT32, requires_grad=grad)
