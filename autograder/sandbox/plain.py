"""Reduce whatever student code returns to plain numbers, before anything else looks at it.

Runs in the child. Nothing here trusts the object: tensor subclasses are read through the base
class with torch functions disabled, so an overridden method or `__torch_function__` cannot lie.
"""

import numbers
import traceback

import numpy as np
import torch

MAX_ELEMENTS = 100_000
MAX_MESSAGE = 500


def _tensor(obj: torch.Tensor) -> dict:
    with torch._C.DisableTorchFunction():
        base = torch.Tensor.detach(obj)
        shape = list(base.shape)
        out = {"kind": "tensor", "shape": shape, "dtype": str(base.dtype).replace("torch.", ""),
               "requires_grad": bool(torch.Tensor.requires_grad.__get__(obj)),
               "graph": torch.Tensor.grad_fn.__get__(obj) is not None}
        if type(obj) is not torch.Tensor:
            out["subclass"] = type(obj).__name__
        if base.numel() > MAX_ELEMENTS:
            return {**out, "kind": "too_big"}
        if base.is_complex() or base.layout != torch.strided:
            return {**out, "kind": "other", "type": f"{base.dtype} {base.layout} tensor"}
        out["values"] = torch.Tensor.tolist(torch.Tensor.flatten(base).double())
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
    if type(obj) is torch.Tensor:
        # a mode the submission entered could lie: read again with it off (disabled only
        # then, which saves a microsecond an epoch)
        if torch._C._is_torch_function_mode_enabled():
            with torch._C.DisableTorchFunction():
                return scalar(obj)
        if (obj.dtype in _READ_AS_IS and obj.numel() == 1 and obj.layout == torch.strided
                and obj.is_cpu):
            return float(torch.Tensor.item(obj))
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
