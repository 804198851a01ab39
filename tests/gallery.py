"""Known submissions and the verdict each must get: the proof that the grader is right.

Each entry is the reference with some functions replaced (or a whole file of its own), and the
checks it must fail, each with words its feedback must contain. Every check not listed must pass
with full points.
"""

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder.inputs import syntax
from autograder.sandbox.limits import Limits

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "autograder"
REFERENCE = HARNESS / "exercises" / "linreg" / "reference" / "linreg.py"
STUB = ROOT / "assignments" / "linreg" / "linreg.py"
LINREG_JOB = {"probes": "autograder.exercises.linreg.probes", "module": "linreg",
              "functions": ("model", "mse", "train_step")}
"""What a child needs to run the crop-yield exercise's probes (`sandbox.runner.run_cases`)."""
ALL_CHECKS = ("model.values", "model.hidden", "model.autograd", "mse.values", "mse.hidden",
              "mse.autograd", "gradients", "train_step.loss", "train_step.update",
              "train_step.zero_grad", "train_step.no_grad", "training.converges")


@dataclass(frozen=True)
class Entry:
    name: str
    replace: dict[str, str] = field(default_factory=dict)
    """Function name -> its new source, put in place of the reference's ("" removes it)."""
    fails: dict[str, str] = field(default_factory=dict)
    """Check id -> words its feedback must contain (case-insensitive). All others pass."""
    source: str | None = None
    """A whole file, instead of the patched reference."""
    extra: str = ""
    """Top-level code appended to the file."""
    limits: Limits = Limits()
    """Shorter limits for the entries that hang, so the gallery stays quick."""
    mistake: str = ""
    """The misconception it is an example of (an id of `checks.mistakes.NAMES`): its report
    names this one and no other; "" for an entry that names none."""
    in_class_mix: bool = True
    """False for an entry whose own code is slower than any student's would be (a torch mode
    left on under every operation of its own: a second of CPU, twenty correct submissions'
    worth): the benchmark's class leaves it out, as it leaves out the entries that hang."""

    def text(self) -> str:
        base = self.source if self.source is not None else _patched(self.replace)
        return base + ("\n" + self.extra if self.extra else "")


def assert_verdicts(entry: Entry, report, all_checks: tuple[str, ...] = ALL_CHECKS) -> None:
    """The report gives exactly the entry's verdict: its failing checks lose every point and
    name the cause; every other check (of `all_checks`, the exercise's) keeps all its points."""
    __tracebackhide__ = True
    assert [r.id for r in report.results] == list(all_checks), report.message
    for result in report.results:
        if result.id in entry.fails:
            assert result.points == 0, f"{result.id} should fail: {result.feedback}"
            assert entry.fails[result.id].lower() in result.feedback.lower(), (
                f"{result.id}: {result.feedback!r} does not name {entry.fails[result.id]!r}")
        else:
            assert result.points == result.max_points, f"{result.id}: {result.feedback}"


def _patched(replace: dict[str, str]) -> str:
    return patched(REFERENCE, replace)


def patched(reference: Path, replace: dict[str, str]) -> str:
    """The reference at `reference` with some functions replaced ("" removes one)."""
    source = reference.read_text()
    lines = source.splitlines(keepends=True)
    nodes = {n.name: n for n in syntax.parse(source).body if isinstance(n, ast.FunctionDef)}
    for name in sorted(replace, key=lambda n: -nodes[n].lineno):  # bottom up keeps line numbers
        node = nodes[name]
        lines[node.lineno - 1:node.end_lineno] = [replace[name].strip("\n") + "\n"]
    return "".join(lines)


def model(expr: str) -> dict[str, str]:
    return {"model": f"def model(x, w, b):\n    return {expr}\n"}


def mse(expr: str) -> dict[str, str]:
    return {"mse": f"def mse(preds, targets):\n    return {expr}\n"}


def step(body: str) -> dict[str, str]:
    """A train_step that computes the loss first, then runs `body`."""
    return {"train_step": "def train_step(inputs, targets, w, b, lr):\n"
                          "    loss = mse(model(inputs, w, b), targets)\n"
                          + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")}


def only(*ids: str, words: str) -> dict[str, str]:
    """These checks fail, each with `words` in its feedback."""
    return {check: words for check in ids}


def everything_fails(words: str) -> dict[str, str]:
    return only(*ALL_CHECKS, words=words)


MODEL = ("model.values", "model.hidden")
"""The value checks of model (public and hidden); the same for mse below."""
MSE = ("mse.values", "mse.hidden")
STEP = ("train_step.loss", "train_step.update", "train_step.zero_grad", "train_step.no_grad")
CROP = """
inputs = torch.tensor([[73., 67., 43.], [91., 88., 64.], [87., 134., 58.], [102., 43., 37.],
                       [69., 96., 70.]])
targets = torch.tensor([[56., 70.], [81., 101.], [119., 133.], [22., 37.], [103., 119.]])
"""
"""The notebook's data at the top level, as students' files define it."""
QUICK = Limits(load_seconds=1.0, case_seconds=1.0)
"""For the entries that hang: each spins a core for as long as its limit, every time the suite
grades it (the load counts from the harness ready, so a fresh interpreter's import of torch
is not in it)."""

CORRECT = [
    Entry("reference"),
    Entry("matmul", model("torch.matmul(x, w.t()) + b")),
    Entry("mm", model("x.mm(w.t()) + b")),
    Entry("einsum", model('torch.einsum("nf,kf->nk", x, w) + b')),
    Entry("addmm", model("torch.addmm(b, x, w.T)")),
    Entry("torch_mean", mse("torch.mean((preds - targets) ** 2)")),
    Entry("reversed_difference", mse("((targets - preds) ** 2).mean()")),
    Entry("sub_", step("""
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            b.sub_(lr * b.grad)
        w.grad.zero_()
        b.grad.zero_()
        return loss
        """)),
    Entry("copy_", step("""
        loss.backward()
        with torch.no_grad():
            w.copy_(w - lr * w.grad)
            b.copy_(b - lr * b.grad)
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """)),
    Entry("autograd_grad_direct", step("""
        gw, gb = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= lr * gw
            b -= lr * gb
        return loss
        """)),
    Entry("autograd_grad_sets_grad", step("""
        w.grad, b.grad = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        return loss
        """)),
    Entry("grad_none_after_update", step("""
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        return loss.item()
        """)),
    Entry("optimizer_style_zeroing", {"train_step": """
def train_step(inputs, targets, w, b, lr):
    w.grad = None
    b.grad = None
    loss = mse(model(inputs, w, b), targets)
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    return loss.item()
"""}),
    Entry("optimizer_style_guarded_zero", step("""
        for p in (w, b):
            if p.grad is not None:
                p.grad.zero_()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        return loss
        """)),
    Entry("top_level_exploration", extra=CROP + """
w = torch.randn(2, 3, requires_grad=True)
b = torch.randn(2, requires_grad=True)
print(model(inputs, w, b), mse(model(inputs, w, b), targets))
for epoch in range(100):
    loss = train_step(inputs, targets, w, b, 1e-5)
print("loss after 100 epochs:", float(loss))
"""),
    Entry("main_block", extra="""
if __name__ == "__main__":
    import matplotlib.pyplot as plt
    plt.plot([1, 2, 3])
    raise SystemExit(1)
"""),
]

MISTAKES = [
    Entry("missing_transpose", model("x @ w + b"),
          {**only(*MODEL, "model.autograd", "gradients", words="transpos"),
           "training.converges": "model"}, mistake="missing_transpose"),
    Entry("missing_bias", model("x @ w.T"),
          {**only(*MODEL, words="bias is missing"), "gradients": "model.values",
           "training.converges": "model.values"}, mistake="missing_bias"),
    Entry("subtracted_bias", model("x @ w.T - b"),
          {**only(*MODEL, words="bias is subtracted"), "gradients": "model.values",
           "training.converges": "pipeline"}, mistake="subtracted_bias"),
    Entry("model_returns_numpy", model("(x @ w.T + b).detach().numpy()"),
          {"model.autograd": "numpy", "gradients": "model.autograd",
           "training.converges": "model.autograd"}, mistake="numpy_output"),
    Entry("model_detached", model("(x @ w.T + b).detach()"),
          {"model.autograd": "detached", "gradients": "model.autograd",
           "training.converges": "model.autograd"}, mistake="detached_output"),
    Entry("sum_instead_of_mean", mse("((preds - targets) ** 2).sum()"),
          {**only(*MSE, words="sum"), "gradients": "too large", "training.converges": "pipeline"},
          mistake="sum_instead_of_mean"),
    Entry("mean_over_rows_only", mse("((preds - targets) ** 2).mean(dim=0)"),
          {**only(*MSE, words="one value per column"), "mse.autograd": "single number",
           "gradients": "mse.values", "training.converges": "mse.values"},
          mistake="mean_over_rows_only"),
    Entry("rmse", mse("torch.sqrt(((preds - targets) ** 2).mean())"),
          {**only(*MSE, words="RMSE"), "gradients": "mse.values",
           "training.converges": "pipeline"}, mistake="rmse"),
    Entry("mae", mse("(preds - targets).abs().mean()"),
          {**only(*MSE, words="MAE"), "gradients": "mse.values", "training.converges": "pipeline"},
          mistake="mae"),
    Entry("squared_mean", mse("(preds - targets).mean() ** 2"),
          {**only(*MSE, words="squares the mean"), "gradients": "mse.values",
           "training.converges": "pipeline"}, mistake="squared_mean"),
    Entry("loss_item", mse("((preds - targets) ** 2).mean().item()"),
          {"mse.autograd": "plain Python number", "gradients": ".item()",
           "training.converges": "mse.autograd"}, mistake="loss_item"),
    Entry("gradient_ascent", step("""
        loss.backward()
        with torch.no_grad():
            w += lr * w.grad
            b += lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {"train_step.update": "gradient ascent", "training.converges": "pipeline"},
          mistake="gradient_ascent"),
    Entry("shrinks_weights", step("""
        loss.backward()
        with torch.no_grad():
            w -= w * lr
            b -= b * lr
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {"train_step.update": "shrinks the weights", "training.converges": "pipeline"},
          mistake="shrinks_weights"),
    Entry("lr_ignored", step("""
        loss.backward()
        with torch.no_grad():
            w -= w.grad
            b -= b.grad
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {"train_step.update": "multiply it by the learning rate",
               "training.converges": "NaN"}, mistake="lr_ignored"),
    Entry("hard_coded_lr", step("""
        loss.backward()
        with torch.no_grad():
            w -= w.grad * 1e-5
            b -= b.grad * 1e-5
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {"train_step.update": "use the lr argument"}, mistake="hard_coded_lr"),
    Entry("only_w_updated", step("""
        loss.backward()
        with torch.no_grad():
            w -= w.grad * lr
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {"train_step.update": "Only w is updated", "training.converges": "pipeline"},
          mistake="only_w_updated"),
    Entry("b_updated_with_w_grad", step("""
        loss.backward()
        with torch.no_grad():
            w -= w.grad * lr
            b -= w.grad * lr
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {**only(*STEP, "training.converges", words="b with b.grad")},
          mistake="b_updated_with_w_grad"),
    Entry("double_backward", step("""
        loss.backward()
        loss.backward()
        with torch.no_grad():
            w -= w.grad * lr
            b -= b.grad * lr
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {**only(*STEP, "training.converges", words="call it once per step")},
          mistake="double_backward"),
    Entry("double_backward_retain_graph", step("""
        loss.backward(retain_graph=True)
        loss.backward()
        with torch.no_grad():
            w -= w.grad * lr
            b -= b.grad * lr
            w.grad.zero_()
            b.grad.zero_()
        return loss
        """), {"train_step.update": "counted twice", "training.converges": "pipeline"},
          mistake="double_step"),
    Entry("zeroed_before_use", step("""
        loss.backward()
        with torch.no_grad():
            w.grad.zero_()
            b.grad.zero_()
            w -= w.grad * lr
            b -= b.grad * lr
        return loss
        """), {"train_step.update": "zeroed before it was used",
               "training.converges": "did not change"}, mistake="zeroed_before_use"),
    Entry("never_zeroed", step("""
        loss.backward()
        with torch.no_grad():
            w -= w.grad * lr
            b -= b.grad * lr
        return loss
        """), {"train_step.zero_grad": "w.grad and b.grad are never reset",
               "training.converges": "pipeline"}, mistake="grad_not_reset"),
    Entry("only_w_grad_zeroed", step("""
        loss.backward()
        with torch.no_grad():
            w -= w.grad * lr
            b -= b.grad * lr
            w.grad.zero_()
        return loss
        """), {"train_step.zero_grad": "b.grad is never reset", "training.converges": "pipeline"},
          mistake="grad_not_reset"),
    Entry("rebinding", step("""
        w.grad = None
        b.grad = None
        loss.backward()
        with torch.no_grad():
            w = w - lr * w.grad
            b = b - lr * b.grad
        return loss
        """), {"train_step.update": "makes a new tensor", "train_step.no_grad": "in-place",
               "training.converges": "did not change"}, mistake="rebinding"),
    Entry("data_update", step("""
        loss.backward()
        w.data -= lr * w.grad
        b.data -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        return loss
        """), {"train_step.no_grad": ".data"}, mistake="data_update"),
    Entry("update_outside_no_grad", step("""
        loss.backward()
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        return loss
        """), only(*STEP, "training.converges", words="with torch.no_grad()"),
          mistake="update_outside_no_grad"),
    Entry("loss_after_update", step("""
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        return mse(model(inputs, w, b), targets)
        """), {"train_step.loss": "loss after the update"}, mistake="loss_after_update"),
    Entry("nothing_returned", step("""
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        """), {"train_step.loss": "forget `return`"}, mistake="no_return"),
    Entry("global_inputs_in_model", model("inputs @ w.T + b"), extra=CROP,
          fails={"model.hidden": "hard-coded", "gradients": "hard-coded"}, mistake="hard_coded"),
    Entry("reshape_to_crop", model("(x @ w.T + b).reshape(5, 2)"),
          {"model.hidden": "hard-coded", "gradients": "hard-coded"}, mistake="hard_coded"),
    Entry("model_modifies_x", {"model": """
def model(x, w, b):
    x.mul_(2)  # scaled in place, compensated below
    return x @ w.T / 2 + b
"""}, {**only(*MODEL, words="changed its argument x"), "training.converges": "model.values"},
          mistake="modifies_input"),
    Entry("nan_output", model('x @ w.T + b + float("nan")'),
          {**only(*MODEL, "gradients", words="NaN"), "training.converges": "NaN"},
          mistake="nan_values"),
    Entry("transposed_output", model("(x @ w.T + b).T"),
          {**only(*MODEL, words="one row of predictions per row of x"),
           "gradients": "model.values", "training.converges": "model.values"},
          mistake="transposed_output"),
    Entry("mean_over_columns_only", mse("((preds - targets) ** 2).mean(dim=1)"),
          {**only(*MSE, words="one value per row"), "mse.autograd": "single number",
           "gradients": "mse.values", "training.converges": "mse.values"},
          mistake="mean_over_columns_only"),
    Entry("no_mean", mse("(preds - targets) ** 2"),
          {**only(*MSE, words="every squared error"), "mse.autograd": "single number",
           "gradients": "mse.values", "training.converges": "mse.values"}, mistake="no_mean"),
    Entry("sum_over_rows", mse("((preds - targets) ** 2).sum(dim=0).mean()"),
          {**only(*MSE, words="sums over the rows"), "gradients": "too large",
           "training.converges": "pipeline"}, mistake="sum_over_rows"),
    Entry("sum_over_columns", mse("((preds - targets) ** 2).sum(dim=1).mean()"),
          {**only(*MSE, words="sums over the columns"), "gradients": "too large",
           "training.converges": "pipeline"}, mistake="sum_over_columns"),
    Entry("half_mse", mse("((preds - targets) ** 2).mean() / 2"),
          {**only(*MSE, words="factor 1/2"), "gradients": "too small",
           "training.converges": "pipeline"}, mistake="half_mse"),
    Entry("mean_n_minus_1", mse("((preds - targets) ** 2).sum() / (preds.numel() - 1)"),
          {**only(*MSE, words="count minus one"), "gradients": "mse.values",
           "training.converges": "pipeline"}, mistake="mean_n_minus_1"),
    Entry("zero_before_first_backward", {"train_step": """
def train_step(inputs, targets, w, b, lr):
    w.grad.zero_()
    b.grad.zero_()
    loss = mse(model(inputs, w, b), targets)
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    return loss
"""}, only("train_step.loss", "train_step.update", "train_step.no_grad", "training.converges",
           words="None before the first backward()"), mistake="zero_before_first_backward"),
    Entry("grad_mode_left_off", step("""
        loss.backward()
        torch.set_grad_enabled(False)
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad = None
        b.grad = None
        return loss
        """), {"train_step.no_grad": "still off", "training.converges": "autograd on"},
          mistake="grad_mode_left_off"),
]

BROKEN = [
    Entry("stubs", source=STUB.read_text(), fails=everything_fails("not attempted")),
    Entry("syntax_error", source="def model(x, w, b)\n    return x\n",
          fails=everything_fails("syntax error at line 1")),
    Entry("missing_function", {"train_step": ""},
          only(*STEP, "training.converges", words="no function named `train_step`")),
    Entry("sys_exit_at_import", extra="import sys\nsys.exit()",
          fails=everything_fails("sys.exit()")),
    Entry("sys_exit_in_mse", {"mse": "def mse(preds, targets):\n    import sys\n    sys.exit()"},
          only(*MSE, "mse.autograd", "gradients", "training.converges", words="sys.exit()")),
    Entry("os_exit_in_model", {"model": "def model(x, w, b):\n    import os\n    os._exit(1)"},
          only(*MODEL, "model.autograd", "gradients", "training.converges",
               words="ended the Python process")),
    Entry("endless_train_step", step("while True:\n    pass"),
          only(*STEP, "training.converges", words="ran out of time"), limits=QUICK),
    Entry("endless_import", extra="while True:\n    pass",
          fails=everything_fails("too long to load"), limits=QUICK),
    Entry("missing_import", extra="import matplotlib_not_here",
          fails=everything_fails("matplotlib_not_here")),
    Entry("output_flood", extra='print("x" * 10_000_000)'),
]

GALLERY = CORRECT + MISTAKES + BROKEN
