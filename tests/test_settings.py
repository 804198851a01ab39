"""The instructor's settings file: what each key changes, and a clear refusal of a bad one."""

import json
import textwrap

import pytest
from command import ROOT, autograder
from gallery import REFERENCE

from autograder.exercises.linreg import checks
from autograder.grading import settings
from autograder.sandbox.limits import Limits

GOOD = """
[points]
"train_step.no_grad" = 15
"gradients" = 5
[visibility]
"model.hidden" = "visible"
"mse.values" = "after_due_date"
[limits]
case_seconds = 4.5
memory_mb = 2048
[policy.from_scratch]
enabled = true
points = 7
"""


def write(folder, text: str, name: str = "autograder.toml"):
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_without_a_file_the_rubric_is_the_checks_own():
    chosen = settings.load(None)
    assert chosen.rubric() == checks.ALL and chosen.limits == Limits()
    assert sum(c.points for c in chosen.rubric()) == 100


def test_points_visibility_limits_and_the_policy_change_as_written(tmp_path):
    chosen = settings.load(write(tmp_path, GOOD))
    rubric = {c.id: c for c in chosen.rubric()}
    assert [c.id for c in chosen.rubric()] == [c.id for c in checks.ALL] + ["policy.from_scratch"]
    assert (rubric["train_step.no_grad"].points, rubric["gradients"].points) == (15, 5)
    assert rubric["policy.from_scratch"].points == 7
    assert sum(c.points for c in chosen.rubric()) == 100 + (15 - 5) + (5 - 10) + 7
    assert rubric["model.hidden"].visibility == "visible"
    assert rubric["mse.values"].visibility == "after_due_date"
    assert rubric["mse.hidden"].visibility == "after_published"  # untouched
    assert chosen.limits == Limits(case_seconds=4.5, memory_mb=2048)


def test_the_policy_is_off_unless_enabled(tmp_path):
    chosen = settings.load(write(tmp_path, "[policy.from_scratch]\npoints = 20\n"))
    assert "policy.from_scratch" not in {c.id for c in chosen.rubric()}


def test_a_course_pyproject_holds_the_same_under_tool_autograder(tmp_path):
    toml = GOOD.replace("[", "[tool.autograder.").replace("[tool.autograder.\"", "[\"")
    path = write(tmp_path, toml, "pyproject.toml")
    assert settings.load(path).rubric() == settings.load(write(tmp_path, GOOD)).rubric()


def test_the_current_folder_is_searched_autograder_toml_first(tmp_path):
    assert settings.find(tmp_path) is None
    write(tmp_path, "[project]\nname = 'course'\n", "pyproject.toml")
    assert settings.find(tmp_path) is None  # a pyproject without [tool.autograder] is not one
    write(tmp_path, "[tool.autograder.points]\ngradients = 1\n", "pyproject.toml")
    assert settings.find(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path, GOOD)
    assert settings.find(tmp_path) == tmp_path / "autograder.toml"


BAD = [
    ("[point]\ngradients = 1\n", "[point]: unknown section; the sections are points, "
     "visibility, limits, policy (did you mean 'points'?)"),
    ('[points]\n"model.valus" = 3\n', "[points] 'model.valus': no such check; the checks are "
     "listed by `autograder rubric` (did you mean 'model.values'?)"),
    ("[points]\ngradients = -1\n", "[points] 'gradients': -1 must be 0 or more"),
    ('[points]\ngradients = "ten"\n', "[points] 'gradients': 'ten' is not a number"),
    ('[visibility]\ngradients = "secret"\n', "[visibility] 'gradients': 'secret' is not a "
     "visibility; use one of visible, hidden, after_due_date, after_published"),
    ("[limits]\ncase_secs = 3\n", "[limits] 'case_secs': unknown limit; the limits are "
     "load_seconds, case_seconds, submission_seconds, cpu_seconds, memory_mb, processes, "
     "output_bytes, file_bytes (did you mean 'case_seconds'?)"),
    ("[limits]\nmemory_mb = 1.5\n", "[limits] 'memory_mb': 1.5 is not an integer"),
    ("[limits]\ncase_seconds = 0\n", "[limits] 'case_seconds': 0 must be positive"),
    ("[limits]\ncase_seconds = nan\n", "[limits] 'case_seconds': nan is not a number"),
    ("[limits]\nprocesses = true\n", "[limits] 'processes': True is not an integer"),
    ("limits = 3\n", "[limits]: must be a table of keys and values"),
    ("[policy.from_scrach]\nenabled = true\n", "[policy] 'from_scrach': unknown policy; the "
     "one policy is from_scratch"),
    ("[policy.from_scratch]\nenabled = 'yes'\n", "[policy.from_scratch] 'enabled': must be "
     "true or false"),
    ("[policy.from_scratch]\npoint = 3\n", "[policy.from_scratch] 'point': unknown key; the "
     "keys are enabled, points, visibility (did you mean 'points'?)"),
    ("[points\n", "not valid TOML: "),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_a_bad_key_is_named_with_the_reason(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(settings.SettingsError) as raised:
        settings.load(path)
    assert str(raised.value).startswith(f"{path}: {message}")


def test_in_a_pyproject_the_key_is_named_as_written_there(tmp_path):
    path = write(tmp_path, '[tool.autograder.points]\n"model.valus" = 3\n', "pyproject.toml")
    with pytest.raises(settings.SettingsError, match=r"\[tool.autograder.points\] 'model.valus'"):
        settings.load(path)
    with pytest.raises(settings.SettingsError, match="has no \\[tool.autograder\\] table"):
        settings.load(write(tmp_path, "[project]\nname = 'x'\n", "pyproject.toml"))


def test_the_command_refuses_a_bad_file_with_exit_status_2(tmp_path):
    path = write(tmp_path, '[points]\n"model.valus" = 3\n')
    run = autograder("grade", "examples/alice.py", "--json", tmp_path / "r.json",
                     "--settings", path)
    assert run.returncode == 2 and not (tmp_path / "r.json").exists()
    assert run.stderr.strip() == f"autograder: {path}: [points] 'model.valus': no such check; " \
        "the checks are listed by `autograder rubric` (did you mean 'model.values'?)"


def test_the_rubric_command_shows_the_settings_points(tmp_path):
    run = autograder("rubric", "--settings", write(tmp_path, GOOD))
    assert "| `train_step.no_grad` | 15 | visible |" in run.stdout
    assert "| `mse.values` | 10 | hidden until the due date |" in run.stdout
    assert "| `policy.from_scratch` | 7 | visible |" in run.stdout
    assert run.stdout.strip().endswith("| **total** | **112** | | |")


def test_grading_uses_the_settings_of_the_current_folder(tmp_path):
    write(tmp_path, '[points]\n"training.converges" = 40\n')
    run = autograder("grade", ROOT / "examples" / "alice.py", "--json", tmp_path / "r.json",
                     cwd=tmp_path)
    results = json.loads((tmp_path / "r.json").read_text())
    assert run.returncode == 0 and (results["score"], results["max_score"]) == (130, 130)
    assert f"settings from {tmp_path / 'autograder.toml'}" in run.stderr


SLOW_STEP = """
import time
_step, _slept = train_step, []
def train_step(inputs, targets, w, b, lr):
    if not _slept:  # once per process: slow, never endless
        _slept.append(time.sleep(2))
    return _step(inputs, targets, w, b, lr)
"""


def test_the_settings_limits_hold_and_the_command_line_overrides_them(tmp_path):
    slow = tmp_path / "slow.py"
    slow.write_text(REFERENCE.read_text() + SLOW_STEP)
    path = write(tmp_path, "[limits]\ncase_seconds = 1\n")
    for extra, timed_out in (((), True), (("--case-seconds", "30"), False)):
        run = autograder("grade", slow, "--json", tmp_path / "r.json", "--settings", path,
                         *extra)
        results = {t["tags"][0]: t for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
        assert run.returncode == 0
        assert (results["train_step.loss"]["extra_data"]["outcome"] == "timed out") is timed_out
        assert results["model.values"]["status"] == "passed"
