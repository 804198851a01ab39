"""Hostile submissions and the verdict each must get: the proof that the sandbox holds.

Same format as `gallery`: the checks listed in `fails` lose their points with those words in
their feedback; every other check keeps full points. The principle: a failure costs only the
checks that call the failing function, and an attack that the sandbox stops costs nothing by
itself. Entries that attempt something the sandbox must stop record each success in
`BREACHES`, and their `model` raises when there is one: a hole shows as a failed check.
"""

import json
from dataclasses import replace as _with

from gallery import (
    HARNESS,
    MODEL,
    MSE,
    REFERENCE,
    STEP,
    Entry,
    everything_fails,
    model,
    mse,
    only,
    step,
)
from lies import LIES

from autograder.sandbox.limits import Limits

HANG = Limits(load_seconds=1, case_seconds=3, memory_mb=600)
"""For the entries that hang: short limits keep the suite quick (a second to load: an
entry that spins at its top level spins that long each of the three ways the suite grades it,
and a top level that does not spin loads in milliseconds)."""
SLOW_LOAD = Limits(load_seconds=15, case_seconds=3, memory_mb=600)
BOUNDED = Limits(load_seconds=1, case_seconds=10, memory_mb=600)
"""For the entries that must end by a limit other than time (memory, processes, the grader's
channel): each ends by it within a second or two, or six for the hog's six children, but
under the suite's load on a slow machine a case limit of three seconds is a race that their
result can lose, even twice in a row (it is graded again once: `recorded.assert_as_recorded`).
Ten seconds cost nothing where they end as they should."""

MODEL_USERS = (*MODEL, "model.autograd", "gradients", "training.converges")
"""Every check that calls the student's model (train_step's checks use a known-good one)."""
MSE_USERS = (*MSE, "mse.autograd", "gradients", "training.converges")
STEP_USERS = (*STEP, "training.converges")

ATTEMPTS = '''
import os, socket, sys
BREACHES = []


def attempt(what, action):
    """Record `what` when `action` succeeds: the sandbox must make every one fail."""
    try:
        action()
    except BaseException:
        return
    BREACHES.append(what)
'''
"""Appended before an entry's attempts; `GUARDED` below reports what got through."""
GUARDED = {"model": """
def model(x, w, b):
    if BREACHES:
        raise RuntimeError(f"the sandbox let through {BREACHES}")
    return x @ w.T + b
"""}
CORRECT = REFERENCE.read_text()


def attempts(code: str, limits: Limits = Limits()) -> dict:
    """Entry fields for a correct submission that tries `code` at import (see ATTEMPTS)."""
    return {"replace": GUARDED, "extra": ATTEMPTS + code, "limits": limits}


def write(path: str) -> str:
    return f"attempt({'write ' + path!r}, lambda: open({path!r}, 'w').write('hacked'))\n"


def reaching(port: int) -> Entry:
    """Connects to the test's loopback listener at import; must find no network."""
    return Entry("network", **attempts(
        f"attempt('connect', lambda: socket.create_connection(('127.0.0.1', {port}), 2)"
        ".sendall(b'stolen'))\n"))


def background(path: str, name: str, seconds: float = 2.0) -> Entry:
    """Leaves a detached process (double fork, new session, renamed `name`) that writes the
    time to `path` after `seconds`: once the grader is done, when nothing of the job may be
    alive."""
    return Entry(f"background_{name}", extra=f"""
import ctypes, os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, {name.encode()!r}, 0, 0, 0)  # PR_SET_NAME, seen in /proc
        time.sleep({seconds})
        for target in ({path!r}, "/tmp/{name}"):
            try:
                open(target, "w").write(f'{{{{"score": 100, "at": {{time.time()}}}}}}')
            except OSError:
                pass
    os._exit(0)
""")


SIGNAL_PROOF = """
import signal, time
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM):
    signal.signal(sig, signal.SIG_IGN)
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass
"""
FORGED = """
import atexit, json, os, sys
PROTO = int(sys.argv[-1])


def forge():
    os.write(PROTO, b"not json\\n" + json.dumps({"done": True}).encode() + b"\\n")
    for case in ("model/crop", "mse/crop", "gradients/crop", "train_step/crop", "training/public"):
        for obs in ({"kind": "tensor", "values": "x"}, {"out": {"kind": "tensor", "shape": "x"}}):
            os.write(PROTO, json.dumps({"case": case, "obs": obs}).encode() + b"\\n")


forge()
atexit.register(forge)
os._exit = lambda code: None  # so that the harness returns and atexit runs
"""

PUBLIC_ANSWERS = json.dumps(json.loads((HARNESS / "exercises" / "linreg" /
                                         "expected_public.json").read_text()))
"""The public cases' observations as the harness sends them, which every student has."""
IN_ORDER = """
import json, os, sys

PROTO = int(sys.argv[-1])
ANSWERS = json.loads(""" + repr(PUBLIC_ANSWERS) + """)  # pasted in from the stored answers


def forge():
    \"\"\"Send the stored answer of the case being graded, as the harness would: in order.\"\"\"
    frame = sys._getframe()
    while frame is not None and "case" not in frame.f_locals:
        frame = frame.f_back
    case = frame.f_locals["case"]["id"] if frame is not None else None
    if case in ANSWERS:
        os.write(PROTO, json.dumps({"case": case, "obs": ANSWERS[case]}).encode() + b"\\n")
    return case
"""
"""Forges the record of the case under way, in the protocol's order, from the stored public
answers: no work, and without the harness's own record coming last, every public check's
points."""

EXITS = [
    Entry("os_exit_0_at_import", extra="import os\nos._exit(0)",
          fails=everything_fails("ended the Python process")),
    Entry("sys_exit_0_in_train_step", step("import sys\nsys.exit(0)"),
          only(*STEP_USERS, words="sys.exit()")),
    Entry("os_exit_0_in_mse", {"mse": "def mse(preds, targets):\n    import os\n    os._exit(0)"},
          only(*MSE_USERS, words="ended the Python process")),
    Entry("atexit_fake_report", model("x @ w.T"), extra="""
import atexit, json, os
def _fake():
    print("PASSED: 12/12 checks, score 100/100")
    open("results.json", "w").write(json.dumps({"score": 100}))
atexit.register(_fake)
os._exit = lambda code: None  # so that the harness returns and atexit runs
""", fails={**only(*MODEL, words="bias is missing"), "gradients": "model.values",
            "training.converges": "model.values"}),
    Entry("fake_passed_output", mse("((preds - targets) ** 2).sum()"), extra="""
import sys
print('{"done": true}\\n{"case": "mse/crop", "obs": {}}\\nPASSED 100/100')
sys.stderr.write("All tests PASSED\\n")
""", fails={**only(*MSE, words="sum"), "gradients": "too large",
            "training.converges": "pipeline"}),
    Entry("forged_protocol_records", extra=FORGED),
    Entry("forged_case_records_in_order", {"model": """
def model(x, w, b):
    forge()
    return x @ w.T
"""}, extra=IN_ORDER, fails={**only(*MODEL, words="bias is missing"),
                             "gradients": "model.values", "training.converges": "model.values"}),
    Entry("forged_case_record_then_exit", {"mse": """
def mse(preds, targets):
    if forge() == "mse/crop":
        os._exit(0)  # before the harness can send its own record
    diff = preds - targets
    return torch.sum(diff * diff) / diff.numel()
"""}, extra=IN_ORDER, fails=only("mse.values", "mse.autograd", words="ended the Python process")),
]

PATCHES = [
    Entry("patched_allclose_and_numpy", model("x @ w.T - b"), extra="""
import numpy
torch.allclose = torch.equal = lambda *a, **k: True
torch.isclose = lambda a, b, *r, **k: torch.ones_like(a, dtype=torch.bool)
numpy.allclose = numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
""", fails={**only(*MODEL, words="bias is subtracted"), "gradients": "model.values",
            "training.converges": "pipeline"}),
    Entry("patched_tensor_eq", model("x @ w.T"), extra="""
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)
torch.Tensor.__ne__ = lambda self, other: torch.zeros_like(self, dtype=torch.bool)
torch.Tensor.equal = lambda self, other: True
""", fails={**only(*MODEL, words="bias is missing"), "gradients": "model.values",
            "training.converges": "model.values"}),
    Entry("lying_tensor_subclass", {"model": """
class Liar(torch.Tensor):
    def __eq__(self, other):
        return True

    def tolist(self):
        return [[0.0]]

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func.__name__ in ("tolist", "allclose", "equal", "isclose", "__eq__"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


def model(x, w, b):
    return (x @ w.T).as_subclass(Liar)
"""}, {**only(*MODEL, words="bias is missing"), "gradients": "model.values",
       "training.converges": "model.values"}),
]

VALUES = [
    Entry("inf_loss", mse('((preds - targets) ** 2).mean() * float("inf")'),
          {**only(*MSE, words="NaN or infinite"), "gradients": "NaN",
           "training.converges": "NaN"}),
    Entry("model_returns_text", model('"x @ w.T + b"'),
          {**only(*MODEL, words="returned a str"), "model.autograd": "tensor",
           "gradients": "model", "training.converges": "model"}),
    Entry("giant_output", model("torch.zeros(10 ** 8)"),
          {**only(*MODEL, words="very large result"), "model.autograd": "",
           "gradients": "", "training.converges": ""}),
]

HANGS = [
    Entry("endless_loop_at_import", extra="while True:\n    pass",
          fails=everything_fails("too long to load"), limits=HANG),
    Entry("signal_proof_hang_in_train_step", step(SIGNAL_PROOF),
          only(*STEP_USERS, words="ran out of time"), limits=HANG),
    Entry("slow_import_within_limits", extra="import time\ntime.sleep(2)", limits=SLOW_LOAD),
]

RESOURCES = [
    Entry("memory_hog_in_train_step",
          step("hog = []\nwhile True:\n    hog.append(bytearray(10 ** 7))"),
          only(*STEP_USERS, words="more memory than allowed"), limits=BOUNDED),
    Entry("fork_bomb_in_model", {"model": """
def model(x, w, b):
    import os, time
    try:
        while True:
            if os.fork() == 0:  # every child forks too, then sleeps
                while True:
                    try:
                        os.fork()
                    except OSError:
                        time.sleep(100)
    except OSError:
        pass
    return x @ w.T + b
"""}, limits=BOUNDED),
    Entry("process_spawner_at_import", extra="""
import subprocess
try:
    for _ in range(500):
        subprocess.Popen(["sleep", "300"], start_new_session=True)
except OSError:
    pass
"""),
    background("/tmp/autograder-fake-results.json", "ag-hostile-bg"),
]
LEFT_BEHIND = ("/tmp/autograder-fake-results.json", "/tmp/ag-hostile-bg")
"""What the background writer above writes, in the machine's /tmp if it ever could."""

SIGNALS = [
    Entry("kill_parent_at_import", extra="""
import os, signal
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
try:
    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
except OSError:
    pass
"""),
    # the job is pid 1 of its PID namespace (fresh under bwrap --as-pid-1, or forked by the
    # pool): a signal it sends its own group, or its parent (pid 0 seen from inside), is lost
    Entry("killpg_in_train_step", extra="""
import os
_correct_step = train_step


def train_step(inputs, targets, w, b, lr):
    for target in (0, os.getpgid(0), os.getppid()):
        try:
            os.killpg(target, 9)
        except OSError:
            pass
    return _correct_step(inputs, targets, w, b, lr)
"""),
    Entry("segfault_in_train_step", step("import ctypes\nreturn ctypes.string_at(0)"),
          only(*STEP_USERS, words="SIGSEGV")),
    Entry("output_flood_without_newlines", mse("_flood(((preds - targets) ** 2).mean())"), extra="""
import os, sys
FLOODS = []
def _flood(value):
    if not FLOODS:  # once per process: enough to fill any buffer, and the suite stays quick
        sys.stdout.write("PASSED " * 1_000_000)
        os.write(2, b"\\0" * 5_000_000)
        FLOODS.append(1)
    return value
"""),
    Entry("giant_line_on_the_protocol", step("import os, sys\n"
                                             "os.write(int(sys.argv[-1]), b'x' * 200_000_000)"),
          only(*STEP_USERS, words="grader's channel"), limits=BOUNDED),
]

SECRETS = [
    Entry("read_reference_guarded", **attempts(
        f"attempt('reference', lambda: open({str(REFERENCE)!r}).read())\n"
        "attempt('solutions folder', lambda: os.listdir("
        f"{str(REFERENCE.parent)!r}))\n"
        "attempt('other jobs', lambda: next(os.listdir(p) for p in __import__('glob')"
        ".glob('/tmp/autograder-job-*') if not os.path.samefile(p, '.')))\n")),
    Entry("read_reference_unguarded", extra=f"SECRET = open({str(REFERENCE)!r}).read()",
          fails=everything_fails("FileNotFoundError")),
    Entry("write_outside_its_folder", **attempts(
        write(str(HARNESS / "hacked.py"))
        + write(str(REFERENCE)) + write("/etc/autograder-hacked")
        + "attempt('chmod harness', lambda: os.chmod("
        f"{str(HARNESS)!r}, 0o777))\n")),
]

BROKEN = [
    Entry("null_byte_in_source", source=CORRECT + "\n# \0\n",
          fails=everything_fails("null bytes")),
    Entry("missing_import_in_mse", {"mse": "def mse(preds, targets):\n    import tensorflow_x\n"},
          only(*MSE_USERS, words="tensorflow_x")),
    Entry("model_not_callable", {"model": "model = None"},
          {**only(*MODEL_USERS, words="no function named `model`"),
           "training.converges": "not callable"}),
]

HOSTILE = EXITS + PATCHES + VALUES + HANGS + RESOURCES + SIGNALS + SECRETS + BROKEN + LIES
"""Every case that needs nothing from the test; `reaching` and `background` need its paths."""


def at(entry: Entry, limits: Limits) -> Entry:
    return _with(entry, limits=limits)
