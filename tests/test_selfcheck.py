"""Students' self-check: `pytest` in assignments/linreg/, one test per visible check."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gallery import REFERENCE

from autograder.grading import registry
from autograder.integrations import selfcheck

ROOT = Path(__file__).resolve().parent.parent


def _pytest_in_copy(tmp_path: Path, solution: Path) -> subprocess.CompletedProcess:
    work = tmp_path / "linreg"
    shutil.copytree(ROOT / "assignments" / "linreg", work)
    shutil.copy(solution, work / "linreg.py")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           # no short summary: its lines repeat messages up to the terminal's width
                           "-rN", "--rootdir", str(work)], cwd=work, capture_output=True, text=True,
                          timeout=300)


def test_the_visible_checks_are_the_non_hidden_ones():
    assert "model.hidden" not in selfcheck.VISIBLE and "mse.hidden" not in selfcheck.VISIBLE
    assert len(selfcheck.VISIBLE) == 10


def test_stubs_fail_every_check_as_not_attempted(tmp_path):
    run = _pytest_in_copy(tmp_path, ROOT / "assignments" / "linreg" / "linreg.py")
    assert "10 failed" in run.stdout, run.stdout
    assert run.stdout.count("(not attempted): Not attempted") == 10


def test_the_reference_passes_every_check(tmp_path):
    run = _pytest_in_copy(tmp_path, REFERENCE)
    assert "10 passed" in run.stdout, run.stdout


@pytest.mark.parametrize("example, failing", [("bob.py", {"mse.values", "gradients",
                                                          "train_step.update",
                                                          "training.converges"})])
def test_the_feedback_is_the_graders(example, failing):
    report = selfcheck.check(ROOT / "examples" / example)
    assert {r.id for r in report.results if not r.passed} == failing
    assert "sum of the squared errors" in report.result("mse.values").feedback


def _namespace(path: Path) -> dict:
    namespace = {"__name__": "__main__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def test_in_process_the_verdicts_are_the_same_as_in_children():
    from autograder.grading.kernel import grade_namespace
    from autograder.grading.pipeline import Expectations

    bob = ROOT / "examples" / "bob.py"
    here = grade_namespace(_namespace(bob), expect=Expectations.stored_for(registry.get()),
                           only_visible=True)
    assert here.results == selfcheck.check(bob).results


def test_a_notebook_self_check_is_quiet_and_leaves_the_kernel_as_it_was(capsys):
    import torch

    namespace = _namespace(ROOT / "examples" / "bob.py")
    torch.manual_seed(123)
    selfcheck.run_checks(namespace, "mse")
    after = torch.rand(1)
    torch.manual_seed(123)
    assert torch.equal(after, torch.rand(1)), "the kernel's random numbers are untouched"
    out = capsys.readouterr()
    assert "FAIL  mse: loss on the crop data" in out.out and "hint('mse')" in out.out
    assert out.err == ""


@pytest.mark.parametrize("kind", ["function", "dispatch"])
def test_a_self_check_inside_a_students_own_mode_is_judged_on_plain_torch(kind, capsys):
    """A student who wraps the self-check in a mode of their own gets the verdicts they get
    without it, and their `with` still leaves the mode it entered."""
    import torch
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    seen = []

    class Counting(TorchFunctionMode if kind == "function" else TorchDispatchMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append(func)
            return func(*args, **(kwargs or {}))

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            seen.append(func)
            return func(*args, **(kwargs or {}))

    namespace = _namespace(ROOT / "examples" / "bob.py")
    selfcheck.run_checks(namespace, "mse")
    plain = capsys.readouterr().out
    with Counting():
        selfcheck.run_checks(namespace, "mse")
        assert seen == [], "the checks ran with the student's mode off"
        torch.ones(2).sum()
        assert seen, "and it is on again after them"
    assert capsys.readouterr().out == plain
    assert torch._C._len_torch_function_stack() == torch._C._len_torch_dispatch_stack() == 0


def test_a_self_check_in_an_imported_module_does_nothing(capsys):
    namespace = _namespace(ROOT / "examples" / "bob.py") | {"__name__": "linreg"}
    selfcheck.run_checks(namespace, "model")
    assert capsys.readouterr().out == ""
