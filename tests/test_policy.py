"""The "from scratch" policy: off by default; when the settings switch it on, a check of its own
flags PyTorch's optimisers, nn.Linear, nn.MSELoss and F.mse_loss, and costs nothing else."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from gallery import ALL_CHECKS, REFERENCE, _patched

from autograder.grading import registry, scratch
from autograder.grading.pipeline import grade_file, grade_source
from autograder.grading.settings import Policy, Settings
from autograder.outputs import class_summary
from autograder.sandbox import watch

RUBRIC = Settings(policies={"from_scratch": Policy(enabled=True, points=10)}).rubric()

OPTIMISER = """def train_step(inputs, targets, w, b, lr):
    opt = torch.optim.SGD([w, b], lr=lr)
    opt.zero_grad()
    loss = mse(model(inputs, w, b), targets)
    loss.backward()
    opt.step()
    return loss
"""
LOSS = """def mse(preds, targets):
    return torch.nn.functional.mse_loss(preds, targets)
"""
MODULE_LOSS = """def mse(preds, targets):
    return nn.MSELoss()(preds, targets)
"""
HIDDEN_LOSS = """def mse(preds, targets):
    return getattr(torch.nn.functional, "mse" + "_loss")(preds, targets)
"""

SUBMISSIONS = {
    "reference": (REFERENCE.read_text(), []),
    "optimiser": (_patched({"train_step": OPTIMISER}),
                  ["  line 18: torch.optim.SGD (torch.optim)"]),
    "functional loss": (_patched({"mse": LOSS}),
                        ["  line 12: torch.nn.functional.mse_loss (F.mse_loss)"]),
    "module loss": ("from torch import nn\n" + _patched({"mse": MODULE_LOSS}),
                    ["  line 13: nn.MSELoss (nn.MSELoss)"]),
    "unused layer": ("from torch.nn import Linear\n" + REFERENCE.read_text(),
                     ["  line 1: from torch.nn import Linear (nn.Linear)"]),
    "hidden from the code, seen in the run": (_patched({"mse": HIDDEN_LOSS}),
                                              ["  while it ran: F.mse_loss"]),
}


@pytest.fixture(scope="module")
def reports(expect):
    def one(text):
        return grade_source(text, "linreg.py", expect=expect, rubric=RUBRIC)

    with ThreadPoolExecutor(2) as pool:
        graded = pool.map(one, [text for text, _ in SUBMISSIONS.values()])
        return dict(zip(SUBMISSIONS, graded, strict=True))


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_the_policy_names_each_use_and_the_behaviour_checks_ignore_it(name, reports):
    report, found = reports[name], SUBMISSIONS[name][1]
    policy = report.result("policy.from_scratch")
    assert [r.id for r in report.results] == [*ALL_CHECKS, "policy.from_scratch"]
    assert all(r.passed for r in report.results if r.id != "policy.from_scratch"), \
        [r.feedback for r in report.results if not r.passed]
    if not found:
        assert policy.passed and report.score == 110
        return
    assert (policy.points, policy.mistake, report.score) == (0, "used_builtins", 100)
    assert policy.feedback.splitlines()[1:-1] == found
    assert policy.feedback.startswith("Your code uses PyTorch's built-ins:")


def test_off_by_default_a_submission_using_the_built_ins_keeps_full_marks(expect):
    report = grade_source(_patched({"train_step": OPTIMISER}), "linreg.py", expect=expect)
    assert [r.id for r in report.results] == list(ALL_CHECKS) and report.score == 100


def test_in_a_notebook_the_use_is_told_by_cell_and_line(expect, tmp_path):
    import nbformat  # imported here: 0.2 s (1.3 without rfc3987), paid by the worker that runs it

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Linear regression"),
        nbformat.v4.new_code_cell("import torch"),
        nbformat.v4.new_code_cell(_patched({"mse": LOSS}).replace("import torch\n", "")),
    ])
    path = tmp_path / "linreg.ipynb"
    nbformat.write(notebook, path)
    policy = grade_file(path, expect=expect, rubric=RUBRIC).result("policy.from_scratch")
    assert policy.feedback.splitlines()[1] == \
        "  cell 3, line 11: torch.nn.functional.mse_loss (F.mse_loss)"


def test_the_class_summary_counts_who_used_the_built_ins(reports):
    summary = class_summary.summarise(list(reports.values()), registry.get())
    used = next(m for m in summary.mistakes if m.id == "used_builtins")
    assert used.students == len(SUBMISSIONS) - 1
    rate = next(r for r in summary.checks if r.id == "policy.from_scratch")
    assert (rate.passed, rate.graded) == (1, len(SUBMISSIONS))


def test_the_child_reports_exactly_the_labels_the_scan_names():
    assert set(watch.LABELS) == set(scratch.FORBIDDEN.values())


def test_the_policy_is_a_check_of_its_own_outside_the_default_rubric():
    assert "policy.from_scratch" not in registry.get().by_id
    assert RUBRIC[-1].id == "policy.from_scratch" and RUBRIC[:-1] == registry.get().checks
