"""Limits on one submission's run: settings with their defaults defined once."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    load_seconds: float = 20.0
    """Wall-clock time to run the submission's top level, counted from when the harness is
    ready (a fresh interpreter's own start and `import torch` are not the submission's)."""
    case_seconds: float = 10.0
    """Wall-clock time for one probe (one call pattern, or a 100-epoch training run)."""
    submission_seconds: float = 90.0
    """Wall-clock budget for all the children of one submission, restarts included."""
    cpu_seconds: int = 60
    """CPU time of one child (kernel-enforced: SIGXCPU, then SIGKILL), beyond what its harness
    spent before the submission's code (a fresh interpreter's import of torch), to the
    second."""
    memory_mb: int = 1536
    """Memory of one child and everything it starts (cgroup), where cgroups are available,
    beyond what the harness holds once ready (as `load_seconds` counts from then: a fresh
    interpreter's own torch, about 150 MB here, which a fork of the warm pool shares, is not
    the submission's)."""
    processes: int = 64
    """Processes and threads of one child, where the child runs as a user of its own."""
    output_bytes: int = 64 * 1024
    """How much of the submission's printed output is kept; the rest is counted and dropped."""
    file_bytes: int = 16 * 1024 * 1024
    """Largest file the submission may write (RLIMIT_FSIZE); its files never count anyway."""
