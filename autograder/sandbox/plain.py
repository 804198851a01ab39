"""Reduce whatever student code returns to plain numbers, before anything else looks at it.

Runs in the child. Nothing here trusts the object, nor torch's Python-level state, which the
submission may have changed: tensors are read through torch's C tensor type (immutable, unlike
`torch.Tensor`, whose methods a submission may replace), with methods taken before any
submission loads, and with torch function and dispatch modes off, so neither an overridden
method, a `__torch_function__` nor a mode left on can lie.
"""

import numbers
import traceback

import numpy as np
import torch

MAX_ELEMENTS = 100_000
MAX_MESSAGE = 500

_BASE = torch._C.TensorBase
_detach, _flatten, _double, _tolist, _item = (_BASE.detach, _BASE.flatten, _BASE.double,
                                              _BASE.tolist, _BASE.item)
_dtype, _layout, _numel, _is_cpu, _is_complex = (_BASE.dtype.__get__, _BASE.layout.__get__,
                                                 _BASE.numel, _BASE.is_cpu.__get__,
                                                 _BASE.is_complex)
_STRIDED = torch.strided
_equal = torch._C._VariableFunctions.equal
_function_modes_on = torch._C._is_torch_function_mode_enabled
_dispatch_modes = torch._C._len_torch_dispatch_stack

# What the probes read of a tensor the submission has had in its hands, the same way, and the
# copies they keep of one.
detach, clone = _detach, _BASE.clone
grad_enabled = torch._C.is_grad_enabled
shape = _BASE.shape.__get__
requires_grad = _BASE.requires_grad.__get__
grad = _BASE.grad.__get__
grad_fn = _BASE.grad_fn.__get__
version = _BASE._version.__get__
is_leaf = _BASE.is_leaf.__get__


# Inside both, no torch function mode, `__torch_function__`, dispatch mode or subclass's
# `__torch_dispatch__` sees what runs.
_NO_FUNCTIONS, _NO_DISPATCH = torch._C.DisableTorchFunction, torch._C._DisableTorchDispatch


def equal(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Whether two tensors hold the same shape and values, whatever a submission did to
    torch.equal, torch.Tensor or the modes."""
    with _NO_FUNCTIONS(), _NO_DISPATCH():
        return shape(a) == shape(b) and bool(_equal(_detach(a), _detach(b)))


def _tensor(obj: torch.Tensor) -> dict:
    with _NO_FUNCTIONS(), _NO_DISPATCH():
        base = _detach(obj)
        out = {"kind": "tensor", "shape": list(shape(base)),
               "dtype": str(_dtype(base)).replace("torch.", ""),
               "requires_grad": bool(requires_grad(obj)), "graph": grad_fn(obj) is not None}
        if type(obj) is not torch.Tensor:
            out["subclass"] = type(obj).__name__
        if _numel(base) > MAX_ELEMENTS:
            return {**out, "kind": "too_big"}
        if _is_complex(base) or _layout(base) != _STRIDED:
            return {**out, "kind": "other", "type": f"{_dtype(base)} {_layout(base)} tensor"}
        out["values"] = _tolist(_double(_flatten(base)))
        return out


def _array(obj: np.ndarray) -> dict:
    out = {"kind": "ndarray", "shape": list(obj.shape), "dtype": str(obj.dtype)}
    if obj.size > MAX_ELEMENTS:
        return {**out, "kind": "too_big"}
    if obj.dtype.kind not in "biuf":
        return {**out, "kind": "other", "type": f"ndarray of {obj.dtype}"}
    return {**out, "values": np.asarray(obj, dtype=np.float64).ravel().tolist()}


def plain(obj) -> dict:
    """A JSON-ready description of `obj`: its kind, shape, dtype and values as floats."""
    if obj is None:
        return {"kind": "none"}
    if isinstance(obj, torch.Tensor):
        return _tensor(obj)
    if isinstance(obj, np.ndarray):
        return _array(obj)
    if isinstance(obj, numbers.Real) and not isinstance(obj, bool):
        return {"kind": "number", "shape": [], "dtype": type(obj).__name__,
                "values": [float(obj)]}
    return {"kind": "other", "type": type(obj).__name__}


_READ_AS_IS = frozenset({torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
                         torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool})
"""dtypes whose one element item() reads as exactly the float that plain() gives."""


def scalar(obj) -> float | None:
    """A loss as one float, or None when it is not one number."""
    # Every epoch of a training run reads one: for a plain tensor of one real number, item()
    # is the float plain() reads (its double() conversion), without plain()'s description or
    # copy (a tenth of a 100-epoch run's time); anything else takes plain()'s way.
    # (a mode the submission left on could lie: then plain() reads it, with the modes off)
    if type(obj) is torch.Tensor and not (_function_modes_on() or _dispatch_modes()) and \
            _dtype(obj) in _READ_AS_IS and _numel(obj) == 1 and \
            _layout(obj) == _STRIDED and _is_cpu(obj):
        return float(_item(obj))
    desc = plain(obj)
    values = desc.get("values")
    if values is None or len(values) != 1:
        return None
    return values[0]


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:MAX_MESSAGE]
    except Exception:  # a hostile __str__ must not break the harness
        return "<message could not be read>"


def raised(exc: BaseException, call: str, filename: str | frozenset[str]) -> dict:
    """An exception from student code: its type, message and only the student's own frames
    (from its file, or from any of its notebook cells, each a file of its own in a kernel)."""
    files = {filename} if isinstance(filename, str) else filename
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in files]
    where = [f"line {f.lineno}, in {f.name}: {f.line}" for f in frames][-3:]
    record = {"kind": "raised", "type": type(exc).__name__, "message": _safe_str(exc),
              "not_attempted": isinstance(exc, NotImplementedError), "call": call,
              "where": where}
    if isinstance(exc, SyntaxError):
        record.update(message=_safe_str(exc.msg), line=exc.lineno, text=(exc.text or "").strip())
    return record
