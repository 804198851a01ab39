"""The Gradescope bundle, end to end: built by the command, unpacked into a folder laid out as
Gradescope's /autograder, set up by its own setup.sh, and run by its run_autograder on a
correct, a buggy and a hostile upload, with the student's code as the unprivileged user."""

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from command import ROOT, autograder
from gallery import REFERENCE

from autograder.grading import registry
from autograder.inputs import submission
from autograder.integrations import gradescope

SCHEMA = json.loads((Path(__file__).parent / "gradescope_schema.json").read_text())
SETTINGS = """
[points]
"training.converges" = 20
[policy.from_scratch]
enabled = true
points = 5
"""

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs its scripts as "
                                "root: setup.sh creates a user")


def _unzip(bundle: Path, folder: Path) -> None:
    """As `unzip` does: the files with their modes (setup.sh and run_autograder executable)."""
    with zipfile.ZipFile(bundle) as zipped:
        for info in zipped.infolist():
            path = Path(zipped.extract(info, folder))
            path.chmod((info.external_attr >> 16) & 0o777)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A mimicked /autograder: root-owned, world-traversable, the bundle set up in it."""
    work = tmp_path_factory.mktemp("bundle")
    (work / "autograder.toml").write_text(SETTINGS)
    built = autograder("gradescope", "--out", work / "autograder.zip", "--settings",
                       work / "autograder.toml")
    assert built.returncode == 0, built.stderr
    folder = Path(tempfile.mkdtemp(prefix="gradescope-"))
    folder.chmod(0o755)
    _unzip(work / "autograder.zip", folder / "source")
    env = {**os.environ, "AUTOGRADER_ROOT": str(folder),
           # torch from this machine's disk, as the project's own install takes it, and its
           # pip too (`python -m pip`): a venv's own, from ensurepip, costs 3 CPU-s
           "AUTOGRADER_VENV_ARGS": "--system-site-packages --without-pip"}
    setup = subprocess.run(["bash", "setup.sh"], cwd=folder / "source", env=env,
                           capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    shutil.copy(folder / "source" / "run_autograder", folder / "run_autograder")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_autograder(root: Path, name: str, text: str = "", link: Path | None = None) -> dict:
    for sub in ("submission", "results"):
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir(mode=0o755)
    if link is not None:
        (root / "submission" / name).symlink_to(link)
    else:
        (root / "submission" / name).write_text(text)
    # a Gradescope container has no namespaces: the sandbox's fallback layer, a user of its own
    env = {"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root),
           "AUTOGRADER_SANDBOX": "user"}
    run = subprocess.run([root / "run_autograder"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    import jsonschema  # imported here: 1.1 s, paid only by the worker that runs these tests

    jsonschema.validate(results, SCHEMA)
    return results


def by_id(results: dict) -> dict[str, dict]:
    return {t["tags"][0]: t for t in results["tests"]}


def test_setup_installs_the_bundled_package_and_locks_the_reference_away(root):
    where = subprocess.run([root / "venv" / "bin" / "python", "-c",
                            "import autograder; print(autograder.__file__)"],
                           cwd=root, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(root / "venv"))
    assert pwd.getpwnam(gradescope.STUDENT).pw_shell == "/usr/sbin/nologin"
    assert (root / "source").stat().st_mode & 0o077 == 0
    assert (root / "source" / "reference" / "linreg.py").read_text() == \
        REFERENCE.read_text()


def test_a_correct_upload_gets_full_marks_as_the_student_user(root):
    results = run_autograder(root, "linreg.py", REFERENCE.read_text())
    assert (results["score"], results["max_score"]) == (115, 115)  # the settings' points
    assert by_id(results)["policy.from_scratch"]["status"] == "passed"
    assert "the unprivileged user student" in results["extra_data"]["isolation"]
    hidden = {i for i, t in by_id(results).items() if t["visibility"] == "after_published"}
    assert hidden == {"model.hidden", "mse.hidden"}


def test_a_buggy_upload_loses_the_points_the_command_line_takes_too(root, tmp_path):
    bob = ROOT / "examples" / "bob.py"
    results = run_autograder(root, "bob.py", bob.read_text())
    local = autograder("grade", bob, "--json", tmp_path / "r.json", "--settings",
                       root / "source" / "settings" / "autograder.toml")
    assert local.returncode == 0, local.stderr
    expected = json.loads((tmp_path / "r.json").read_text())
    assert [(t["tags"], t["score"], t["output"]) for t in results["tests"]] == \
        [(t["tags"], t["score"], t["output"]) for t in expected["tests"]]
    assert 0 < results["score"] < results["max_score"] == 115


HOSTILE = """
import os, time
ROOT = {root!r}
try:
    SECRET = open(ROOT + "/source/reference/linreg.py").read()
except OSError as exc:
    SECRET = "denied: " + type(exc).__name__
for target in (ROOT + "/results/results.json", ROOT + "/results/fake.json"):
    try:
        open(target, "w").write('{{"score": 1000}}')
    except OSError:
        pass
# outlive the grading, then try again
if os.fork() == 0:
    os.setsid()
    time.sleep(4)
    open(ROOT + "/results/results.json", "w").write("{{}}")
    os._exit(0)
print("All tests passed! 100/100")

def model(x, w, b):
    if not SECRET.startswith("denied"):
        raise RuntimeError("read the reference")
    return x @ w.t() + b
"""


def test_a_hostile_upload_reads_nothing_forges_nothing_and_leaves_nothing(root):
    results = run_autograder(root, "sneaky.py", HOSTILE.format(root=str(root)))
    tests = by_id(results)
    assert tests["model.values"]["status"] == "passed", results  # the reference stayed unreadable
    assert tests["mse.values"]["status"] == "failed"
    assert results["score"] == sum(t["score"] for t in results["tests"]) < 100
    time.sleep(5)  # past the background process's attempt
    assert json.loads((root / "results" / "results.json").read_text()) == results
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]
    uid = pwd.getpwnam(gradescope.STUDENT).pw_uid
    left = subprocess.run(["ps", "-o", "pid=", "-u", str(uid)], capture_output=True, text=True)
    assert left.stdout.strip() == ""


def test_an_upload_that_links_to_the_reference_is_never_read_through_the_link(root):
    """A repository or an archive can hold a symbolic link. This grader runs as root: read
    through the link, the reference would be graded as the student's (full marks), and any
    other file of the container quoted back in a syntax error's feedback."""
    results = run_autograder(root, "linreg.py", link=root / "source" / "reference" / "linreg.py")
    assert results["score"] == 0 and results["extra_data"]["status"] == "could not load"
    assert results["output"] == submission.LINK


def test_an_upload_without_a_python_file_gets_a_clear_message_and_zero(root):
    results = run_autograder(root, "notes.txt", "I could not do it")
    assert results["score"] == 0
    assert results["output"] == ("No .py or .ipynb file was found in your submission: upload "
                                 "linreg.py or linreg.ipynb.")
    assert results["extra_data"]["status"] == "could not load"


def test_a_failing_grader_writes_no_score_and_one_plain_line(tmp_path, capsys):
    (tmp_path / "source" / "reference").mkdir(parents=True)
    (tmp_path / "source" / "reference" / "linreg.py").write_text("def model(:\n")
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "linreg.py").write_text((ROOT / "examples" / "bob.py").read_text())
    assert gradescope.run(tmp_path) == 1
    assert not (tmp_path / "results" / "results.json").exists()
    out = capsys.readouterr().out
    assert out.startswith("autograder: the grader failed, no score was recorded: ReferenceError")
    assert out.count("\n") == 1 and "Traceback" not in out


def test_the_bundle_is_the_same_bytes_for_the_same_inputs(tmp_path):
    first, second = (gradescope.build(tmp_path / name) for name in ("a.zip", "b.zip"))
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as bundle:
        names = bundle.namelist()
    assert {"setup.sh", "run_autograder", "package/pyproject.toml", "reference/linreg.py",
            "package/autograder/exercises/linreg/checks/policy.py"} <= set(names)
    assert not any("__pycache__" in n or n.startswith("settings/") for n in names)


def test_a_bundle_per_exercise_names_its_exercise_and_holds_no_reference_in_the_package():
    builtins = registry.get("linreg_builtins")
    files = gradescope.files(exercise=builtins, reference_path=None, settings_path=None)
    assert files["reference/linreg_builtins.py"] == builtins.reference_path.read_bytes()
    assert b"--exercise linreg_builtins" in files["run_autograder"]
    assert "package/autograder/exercises/linreg_builtins/exercise.py" in files
    # the bundle's command is the installed package's own (its fast exit included)
    assert b'autograder = "autograder.__main__:run"' in files["package/pyproject.toml"]
    assert not [n for n in files if n.startswith("package/") and "/reference/" in n]
