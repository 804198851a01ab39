"""How a probe calls student code: through one wrapper that turns whatever it raises into
plain data, from the same random state every time, on float32 tensors made from plain numbers.
Every exercise's probes use these; none of them judges anything."""

import torch

from autograder.sandbox.plain import raised


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

    def __call__(self, name: str, *args, text: str):
        fn = getattr(self.namespace, name, None)
        if not callable(fn):
            raise StudentRaised({"kind": "missing", "name": name, "call": text,
                                 "type": "missing", "message": f"no function named {name}",
                                 "not_attempted": False, "where": []})
        return self.guard(lambda: fn(*args), text)

    def guard(self, thunk, text: str):
        try:
            return thunk()
        except BaseException as exc:  # SystemExit too: a student's sys.exit() is a mistake
            raise StudentRaised(raised(exc, text, self.filename)) from None


def reseed() -> None:
    """The same random state before every probe, for the student and the reference. (Only
    the CPU generator: `torch.manual_seed` also queues a CUDA seeding, at 70 µs a call.)"""
    torch.random.default_generator.manual_seed(0)


def tensor(values, grad: bool = False) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32, requires_grad=grad)
