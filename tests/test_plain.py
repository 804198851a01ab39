"""Reducing student objects to plain numbers: nothing they return can lie to the parent."""

import numpy as np
import torch

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
