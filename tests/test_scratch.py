"""The "from scratch" rule, read off the source and never run: every ordinary spelling of
torch.optim, nn.Linear, nn.MSELoss and F.mse_loss is found, with its line and how it was written;
prose and look-alikes are not; a source that cannot be inspected is a ScanError, never a crash."""

import warnings

import pytest
from gallery import REFERENCE

from autograder.grading.scratch import FORBIDDEN, MAX_CHARS, Finding, ScanError, scan

OPTIM, LINEAR, MSE, F_MSE = "torch.optim", "nn.Linear", "nn.MSELoss", "F.mse_loss"

FROM_SCRATCH = REFERENCE.read_text()


def found(*findings: tuple[int, str, str]) -> tuple[Finding, ...]:
    return tuple(Finding(*f) for f in findings)


USES = {
    # torch.optim, and anything inside it
    "torch.optim.SGD": ("import torch\nopt = torch.optim.SGD([w, b], lr=1e-5)\n",
                        found((2, OPTIM, "torch.optim.SGD"))),
    "import torch.optim as optim": ("import torch.optim as optim\n\nopt = optim.Adam([w, b])\n",
                                    found((1, OPTIM, "import torch.optim as optim"),
                                          (3, OPTIM, "optim.Adam"))),
    "import torch.optim as o": ("import torch.optim as o\n", found((1, OPTIM,
                                                                   "import torch.optim as o"))),
    "from torch import optim": ("from torch import nn, optim\nopt = optim.SGD([w], lr=0.1)\n",
                                found((1, OPTIM, "from torch import optim"),
                                      (2, OPTIM, "optim.SGD"))),
    "from torch.optim import SGD": ("from torch.optim import SGD\nopt = SGD([w], lr=0.1)\n",
                                    found((1, OPTIM, "from torch.optim import SGD"),
                                          (2, OPTIM, "SGD"))),
    "from torch.optim import *": ("from torch.optim import *\n",
                                  found((1, OPTIM, "from torch.optim import *"))),
    "a submodule": ("import torch.optim.lr_scheduler\n",
                    found((1, OPTIM, "import torch.optim.lr_scheduler"))),
    "from a submodule, renamed": ("from torch.optim.sgd import SGD as Plain\n",
                                  found((1, OPTIM, "from torch.optim.sgd import SGD as Plain"))),
    "torch renamed": ("import torch as t\nopt = t.optim.SGD([w], lr=0.1)\n",
                      found((2, OPTIM, "t.optim.SGD"))),
    "import inside a function": (
        "def train(w):\n    import torch.optim\n    return torch.optim.SGD([w], lr=0.1)\n",
        found((2, OPTIM, "import torch.optim"), (3, OPTIM, "torch.optim.SGD"))),
    "in a method": ("import torch\n\nclass Trainer:\n    def __init__(self, params):\n"
                    "        self.opt = torch.optim.SGD(params, lr=0.1)\n",
                    found((5, OPTIM, "torch.optim.SGD"))),
    "in an annotation": ("def fit(opt: torch.optim.Optimizer): ...\n",
                         found((1, OPTIM, "torch.optim.Optimizer"))),
    "assigned to a name": ("o = torch.optim\nopt = o.SGD([w], lr=0.1)\n",
                           found((1, OPTIM, "torch.optim"), (2, OPTIM, "o.SGD"))),
    "getattr(torch, 'optim')": ('opt = getattr(torch, "optim").SGD([w], lr=0.1)\n',
                                found((1, OPTIM, "getattr(torch, 'optim').SGD"))),
    "builtins.getattr": ('import builtins\nbuiltins.getattr(torch, "optim")\n',
                         found((2, OPTIM, "getattr(torch, 'optim')"))),
    "importlib.import_module": ('import importlib\nop = importlib.import_module("torch.optim")\n',
                                found((2, OPTIM, "importlib.import_module('torch.optim')"))),
    "import_module imported": ('from importlib import import_module as im\nim("torch.optim")\n',
                               found((2, OPTIM, "im('torch.optim')"))),
    "__import__": ('__import__("torch.optim")\n', found((1, OPTIM, "__import__('torch.optim')"))),
    "__import__ then attributes": ('__import__("torch").optim.SGD([w], lr=0.1)\n',
                                   found((1, OPTIM, "__import__('torch').optim.SGD"))),
    "import_module's module, assigned": (
        'import importlib\nnn2 = importlib.import_module("torch.nn")\nnn2.Linear(3, 2)\n',
        found((3, LINEAR, "nn2.Linear"))),
    # nn.Linear
    "nn.Linear": ("import torch.nn as nn\nmodel = nn.Linear(3, 2)\n",
                  found((2, LINEAR, "nn.Linear"))),
    "from torch import nn": ("from torch import nn\nmodel = nn.Linear(3, 2)\n",
                             found((2, LINEAR, "nn.Linear"))),
    "torch.nn.Linear": ("import torch.nn\nmodel = torch.nn.Linear(3, 2)\n",
                        found((2, LINEAR, "torch.nn.Linear"))),
    "from torch.nn import Linear as Dense": (
        "from torch.nn import Linear as Dense\nmodel = Dense(3, 2)\n",
        found((1, LINEAR, "from torch.nn import Linear as Dense"), (2, LINEAR, "Dense"))),
    "torch.nn.modules.linear.Linear": ("torch.nn.modules.linear.Linear(3, 2)\n",
                                       found((1, LINEAR, "torch.nn.modules.linear.Linear"))),
    "from torch.nn.modules import Linear": (
        "from torch.nn.modules import Linear\n",
        found((1, LINEAR, "from torch.nn.modules import Linear"))),
    "an attribute of it": ("torch.nn.Linear.forward\n",
                           found((1, LINEAR, "torch.nn.Linear.forward"))),
    "inside a Module": ("import torch\n\nclass Model(torch.nn.Module):\n    def __init__(self):\n"
                        "        super().__init__()\n        self.lin = torch.nn.Linear(3, 2)\n",
                        found((6, LINEAR, "torch.nn.Linear"))),
    "nn = torch.nn": ("nn = torch.nn\nmodel = nn.Linear(3, 2)\n", found((2, LINEAR, "nn.Linear"))),
    "getattr(nn, 'Linear')": ('from torch import nn\ngetattr(nn, "Linear")(3, 2)\n',
                              found((2, LINEAR, "getattr(nn, 'Linear')"))),
    "getattr of getattr": ('getattr(getattr(torch, "nn"), "Linear")(3, 2)\n',
                           found((1, LINEAR, "getattr(getattr(torch, 'nn'), 'Linear')"))),
    "from torch.nn import *": ("from torch.nn import *\nmodel = Linear(3, 2)\n",
                               found((2, LINEAR, "Linear"))),
    # nn.MSELoss
    "nn.MSELoss": ("from torch import nn\nloss_fn = nn.MSELoss()\n",
                   found((2, MSE, "nn.MSELoss"))),
    "torch.nn.MSELoss": ('loss_fn = torch.nn.MSELoss(reduction="mean")\n',
                         found((1, MSE, "torch.nn.MSELoss"))),
    "from torch.nn import MSELoss": ("from torch.nn import MSELoss\n",
                                     found((1, MSE, "from torch.nn import MSELoss"))),
    "torch.nn.modules.loss.MSELoss": (
        "import torch.nn.modules.loss as L\nloss_fn = L.MSELoss()\n",
        found((2, MSE, "L.MSELoss"))),
    "getattr(torch.nn, 'MSELoss')": ('getattr(torch.nn, "MSELoss")()\n',
                                     found((1, MSE, "getattr(torch.nn, 'MSELoss')"))),
    "import_module('torch.nn').MSELoss": (
        'import importlib\nimportlib.import_module("torch.nn").MSELoss()\n',
        found((2, MSE, "importlib.import_module('torch.nn').MSELoss"))),
    "star-imported from torch.nn.modules": ("from torch.nn.modules import *\nMSELoss()\n",
                                            found((2, MSE, "MSELoss"))),
    # F.mse_loss
    "F.mse_loss": ("import torch.nn.functional as F\nloss = F.mse_loss(preds, targets)\n",
                   found((2, F_MSE, "F.mse_loss"))),
    "from torch.nn import functional as F": (
        "from torch.nn import functional as F\nloss = F.mse_loss(preds, targets)\n",
        found((2, F_MSE, "F.mse_loss"))),
    "torch.nn.functional.mse_loss": (
        "def mse(p, t):\n    return torch.nn.functional.mse_loss(p, t)\n",
        found((2, F_MSE, "torch.nn.functional.mse_loss"))),
    "from torch.nn.functional import mse_loss": (
        "from torch.nn.functional import mse_loss\nloss = mse_loss(preds, targets)\n",
        found((1, F_MSE, "from torch.nn.functional import mse_loss"), (2, F_MSE, "mse_loss"))),
    "F = torch.nn.functional": ("F = torch.nn.functional\nloss = F.mse_loss(preds, targets)\n",
                                found((2, F_MSE, "F.mse_loss"))),
    "annotated alias": ("from typing import Any\nF: Any = torch.nn.functional\nF.mse_loss(p, t)\n",
                        found((3, F_MSE, "F.mse_loss"))),
    "passed as a value": ("mse = torch.nn.functional.mse_loss\n",
                          found((1, F_MSE, "torch.nn.functional.mse_loss"))),
    "from torch.nn.functional import *": ("from torch.nn.functional import *\nmse_loss(p, t)\n",
                                          found((2, F_MSE, "mse_loss"))),
    "getattr(F, 'mse_loss')": ('import torch.nn.functional as F\ngetattr(F, "mse_loss")(p, t)\n',
                               found((2, F_MSE, "getattr(F, 'mse_loss')"))),
    "the C function underneath": ("loss = torch._C._nn.mse_loss(p, t)\n",
                                  found((1, F_MSE, "torch._C._nn.mse_loss"))),
}


@pytest.mark.parametrize("source, expected", USES.values(), ids=USES.keys())
def test_a_use_is_found_with_its_line_label_and_spelling(source, expected):
    assert scan(source) == expected


NOT_USES = {
    "the from-scratch solution": FROM_SCRATCH,
    "prose in a docstring": '"""Do not use torch.nn.Linear, torch.optim.SGD or F.mse_loss."""\n',
    "prose in a comment": "x = 1  # unlike nn.MSELoss(), torch.optim or F.mse_loss\n",
    "the template's closing words": (
        "# rule. PyTorch's `torch.nn.Linear`, `torch.nn.functional.mse_loss` and "
        "`torch.optim.SGD` do\n"),
    "prose in strings": ('msg = "from torch.optim import SGD"\nprint(f"no {msg}", \'nn.Linear\')\n'
                         'code = "import torch.nn.functional as F; F.mse_loss(a, b)"\n'),
    "a string naming a path": ('path = "torch.optim"\nname = "torch.nn.Linear"\n'),
    "the student's own mse_loss": ("def mse_loss(preds, targets):\n"
                                   "    return ((preds - targets) ** 2).mean()\n\n"
                                   "loss = mse_loss(p, t)\n"),
    "own Linear despite the star import": ("from torch.nn import *\n\n"
                                           "def Linear(x, w, b):\n    return x @ w.t() + b\n\n"
                                           "y = Linear(x, w, b)\n"),
    "optim as a plain variable": ("optim = 0.1\nlr = optim * 2\noptim.real\n"),
    "optim as an attribute": ("self.optim = 0.1\nmodel.optim.step()\n"),
    "another library's optim": ("from mylib import optim\noptim.SGD(p)\nimport scipy.optimize\n"),
    "torch.optimize": "import torch\ntorch.optimize(f)\nimport torch.optimize\n",
    "torch.nn.functional.relu": ("import torch.nn.functional as F\n"
                                 "y = torch.nn.functional.relu(x) + F.relu(x)\n"),
    "names that share a prefix": ("torch.nn.LinearLayerNorm(3)\ntorch.nn.Linear2\n"
                                  "nn = torch.nn\nnn.Bilinear(1, 2, 3)\nnn.MSELossy\n"
                                  "from torch.nn.functional import mse_loss_sum\n"),
    "the rest of torch.nn": ("import torch.nn as nn\n\nclass M(nn.Module):\n"
                             "    w: nn.Parameter\n"),
    "getattr of another name": ('getattr(torch, "optimize")\ngetattr(model, "optim")\n'
                                'getattr(nn, "Linear")\n'),
    "importing allowed modules": ('import importlib\nimportlib.import_module("torch.nn")\n'
                                  '__import__("torch.optimize")\n__import__("torch.nn")\n'),
    "torch's star import binds neither nn nor optim": "from torch import *\noptim.SGD(p)\n",
    "a relative import": "from .optim import SGD\nfrom . import nn\n",
}


@pytest.mark.parametrize("source", NOT_USES.values(), ids=NOT_USES.keys())
def test_prose_and_look_alikes_are_not_uses(source):
    assert scan(source) == ()


def test_one_finding_per_line_and_label_spelled_as_first_written():
    source = ("opt = torch.optim.SGD(p); sched = torch.optim.lr_scheduler.StepLR(opt, 1)\n"
              "from torch.optim import SGD, Adam\n"
              "import torch.nn.functional as F, torch.optim\n")
    assert scan(source) == found((1, OPTIM, "torch.optim.SGD"),
                                 (2, OPTIM, "from torch.optim import SGD"),
                                 (3, OPTIM, "import torch.optim"))


def test_findings_are_sorted_by_line_then_label():
    source = ("import torch\nimport torch.nn.functional as F\n\n"
              "lin = torch.nn.Linear(3, 2); opt = torch.optim.SGD(lin.parameters(), lr=0.1)\n"
              "loss = F.mse_loss(lin(x), y) + torch.nn.MSELoss()(lin(x), y)\n")
    assert scan(source) == found((4, LINEAR, "torch.nn.Linear"), (4, OPTIM, "torch.optim.SGD"),
                                 (5, F_MSE, "F.mse_loss"), (5, MSE, "torch.nn.MSELoss"))


def test_a_chain_over_several_lines_counts_at_its_first_line():
    assert scan("opt = (torch\n       .optim\n       .SGD([w], lr=0.1))\n") == found(
        (1, OPTIM, "torch.optim.SGD"))


def test_a_huge_spelling_is_cut_short():
    text = "getattr(torch.optim, '" + "A" * 500 + "')"
    assert scan(f'getattr(torch.optim, "{"A" * 500}")\n') == found((1, OPTIM, text[:79] + "…"))


def test_a_whole_submission_that_leans_on_torch():
    source = ("import torch\nfrom torch import nn, optim\n\n"
              "def model(x, w, b):\n    return x @ w.t() + b\n\n"
              "def mse(preds, targets):\n    return nn.functional.mse_loss(preds, targets)\n\n"
              "def train_step(inputs, targets, w, b, lr):\n"
              "    opt = optim.SGD([w, b], lr=lr)\n    opt.zero_grad()\n"
              "    loss = mse(model(inputs, w, b), targets)\n"
              "    loss.backward()\n    opt.step()\n    return loss\n")
    assert scan(source) == found((2, OPTIM, "from torch import optim"),
                                 (8, F_MSE, "nn.functional.mse_loss"),
                                 (11, OPTIM, "optim.SGD"))


def test_the_forbidden_paths_and_their_labels():
    assert FORBIDDEN == {
        "torch.optim": OPTIM,
        "torch.nn.Linear": LINEAR, "torch.nn.modules.Linear": LINEAR,
        "torch.nn.modules.linear.Linear": LINEAR,
        "torch.nn.MSELoss": MSE, "torch.nn.modules.MSELoss": MSE,
        "torch.nn.modules.loss.MSELoss": MSE,
        "torch.nn.functional.mse_loss": F_MSE, "torch._C._nn.mse_loss": F_MSE,
    }


def test_a_student_warning_stays_in_the_students_code():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert scan('import re\nDIGITS = re.compile("\\d+")\n') == ()


def test_deep_but_parseable_nesting_is_walked_without_recursion():
    assert scan("x = " + "-" * 800 + "torch.optim.SGD\n") == found((1, OPTIM, "torch.optim.SGD"))


DEEP = "source too deeply nested to inspect"
PARENS = "cannot parse the source: too many nested parentheses (<unknown>, line 1)"
UNINSPECTABLE = {
    "a syntax error": ("def model(x, w, b)\n    return x @ w.t() + b\n",
                       "cannot parse the source: expected ':' (<unknown>, line 1)"),
    "a null byte": ("import torch\x00\n",
                    "cannot parse the source: source code string cannot contain null bytes"),
    "too big": ("#" * (MAX_CHARS + 1),
                "source too big to inspect: 300,001 characters (limit 300,000)"),
    "nested parentheses": ("(" * 10000 + ")" * 10000, PARENS),
    "nested lists": ("[" * 100000 + "]" * 100000, PARENS),
    "a deep expression": ("-" * 100000 + "1", DEEP),
}


@pytest.mark.parametrize("source, message", UNINSPECTABLE.values(), ids=UNINSPECTABLE.keys())
def test_a_source_that_cannot_be_inspected_is_a_scan_error(source, message):
    with pytest.raises(ScanError) as raised:
        scan(source)
    assert str(raised.value) == message


def test_a_very_long_chain_is_refused_or_walked_never_a_crash():
    source = "torch" + ".optim" * 5000
    try:
        findings = scan(source)
    except ScanError as err:  # Python 3.11 and 3.12: the parser gives up
        assert str(err) == DEEP
    else:  # Python 3.10 and 3.13 parse it, and the scan walks it without recursing
        assert findings == found((1, OPTIM, source[:79] + "…"))
