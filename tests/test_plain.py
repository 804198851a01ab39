"""Reducing student objects to plain numbers: nothing they return can lie to the parent."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from autograder.sandbox import plain as read
from autograder.sandbox.calls import Caller
from autograder.sandbox.plain import plain, scalar


class Liar(torch.Tensor):
    """A tensor subclass that claims other values and shapes."""

    def tolist(self):
        return [0.0]

    @property
    def shape(self):
        return torch.Size([1])

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return torch.zeros(1)


def test_a_tensor_becomes_its_values_shape_and_graph():
    w = torch.ones(2, 2, requires_grad=True)
    desc = plain(w * 2)
    assert desc == {"kind": "tensor", "shape": [2, 2], "dtype": "float32",
                    "requires_grad": True, "graph": True, "values": [2.0] * 4}


def test_a_lying_subclass_is_read_through_the_base_class():
    liar = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).as_subclass(Liar)
    desc = plain(liar)
    assert desc["values"] == [1.0, 2.0, 3.0, 4.0] and desc["shape"] == [2, 2]
    assert desc["subclass"] == "Liar"


def test_numbers_arrays_and_others():
    assert plain(np.float32(2.5))["values"] == [2.5]
    assert plain(np.arange(3))["kind"] == "ndarray"
    assert plain(None) == {"kind": "none"}
    assert plain(True)["kind"] == "other" and plain("1.0")["kind"] == "other"
    assert plain(np.array(["a"]))["kind"] == "other"


def test_nan_survives_as_nan_and_giants_are_not_copied():
    assert np.isnan(plain(torch.tensor(float("nan")))["values"][0])
    assert plain(torch.zeros(1000, 1000))["kind"] == "too_big"


def test_scalar_is_one_number_or_none():
    assert scalar(torch.tensor([3.0])) == 3.0 and scalar(4) == 4.0
    assert scalar(torch.ones(2)) is None and scalar("x") is None


class LyingMode(TorchFunctionMode):
    """What a submission could enter at its top level: every item() and tolist() says 42."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        return 42.0 if func is torch.Tensor.item else [42.0] if func is torch.Tensor.tolist \
            else out


def test_a_torch_function_mode_cannot_lie_to_scalar_or_plain():
    loss = torch.tensor(1.5, requires_grad=True) * 2
    with LyingMode():
        assert loss.item() == 42.0  # the mode lies to everyone else
        assert scalar(loss) == 3.0 and scalar(torch.tensor([2.5], dtype=torch.float16)) == 2.5
        assert plain(loss)["values"] == [3.0]


class ReadsSeven(TorchDispatchMode):
    """Below autograd: every number read out of a tensor is 7, every comparison equal."""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func is torch.ops.aten._local_scalar_dense.default:
            return 7.0
        if func is torch.ops.aten.equal.default:
            return True
        return torch.full_like(out, 7.0) if func is torch.ops.aten._to_copy.default else out


def test_a_dispatch_mode_cannot_lie_to_scalar_plain_or_equal():
    loss, other = torch.tensor(1.5, requires_grad=True) * 2, torch.tensor(2.0)
    with ReadsSeven():
        assert loss.item() == 7.0 and torch.equal(loss, other)  # it lies to everyone else
        assert scalar(loss) == 3.0 and plain(loss)["values"] == [3.0]
        assert not read.equal(loss, other) and read.equal(loss, loss.detach().clone())


def test_torch_tensors_replaced_methods_cannot_lie_to_the_reads():
    t = torch.tensor([[1.0, 2.0]], requires_grad=True)
    (t * 3).sum().backward()
    replaced = {"tolist": lambda self: [9.0], "item": lambda self: 9.0,
                "double": lambda self: self * 0, "detach": lambda self: self * 0,
                "_version": property(lambda self: 99), "is_leaf": property(lambda self: False),
                "grad": property(lambda self: None), "shape": property(lambda self: (9,))}
    saved = {name: torch.Tensor.__dict__.get(name) for name in replaced}
    try:
        for name, value in replaced.items():
            setattr(torch.Tensor, name, value)
        assert plain(t)["values"] == [1.0, 2.0] and plain(t)["shape"] == [1, 2]
        assert scalar(t[0, 1]) == 2.0 and plain(read.grad(t))["values"] == [3.0, 3.0]
        assert read.version(t) == 0 and read.is_leaf(t) and read.shape(t) == (1, 2)
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(torch.Tensor, name)
            else:
                setattr(torch.Tensor, name, value)


def test_modes_left_on_by_student_code_are_turned_off_after_the_call():
    def leaves_them_on(x):
        LyingMode().__enter__()
        ReadsSeven().__enter__()
        return x * 2

    call = Caller(SimpleNamespace(f=leaves_them_on), "f.py")
    out = call("f", torch.tensor(2.0), text="f(x)")
    assert torch._C._len_torch_function_stack() == 0 == torch._C._len_torch_dispatch_stack()
    assert out.item() == 4.0


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
def test_scalar_reads_one_element_exactly_as_plain_does_whatever_its_dtype():
    dtypes = {v for v in vars(torch).values() if isinstance(v, torch.dtype)}
    numbers = [3.0, -0.0, -2.5, float("nan"), float("-inf"), 2.0 ** 53 + 1, 1e-45, 65504.0]
    tried = 0
    for dtype in dtypes:
        for number in numbers:
            try:
                t = torch.tensor([number], dtype=torch.float64).to(dtype)
            except (RuntimeError, TypeError):  # a dtype this number cannot become
                continue
            negated = torch._neg_view(t) if t.is_floating_point() else t  # a lazy negation
            for one in (t, t.reshape(()), negated, t.to("meta")):
                tried += 1
                assert _read(scalar, one) == _read(plain, one), (dtype, number)
    assert tried > 200
    loss = (torch.ones(1, requires_grad=True) * 2).sum()  # a loss, with its graph
    assert scalar(loss) == 2.0 and scalar(torch.ones(1).to_sparse()) is None


def _read(reader, t) -> str:
    """What `reader` makes of a one-element tensor, -0.0 and NaN told apart, or the error it
    raises (both raise alike on a dtype torch cannot convert)."""
    try:
        found = reader(t)
    except Exception as exc:
        return type(exc).__name__
    if isinstance(found, dict):  # plain's description: its one value, if it has one
        found = found["values"][0] if len(found.get("values") or ()) == 1 else None
    return repr(found)
