"""A case: one call pattern with its inputs, as plain numbers, so it travels as it is (in
marshal) to a child and to the reference's observer. The exercise draws its cases; the sandbox
only carries them."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One call pattern with its inputs."""

    id: str
    """Unique name, "<probe>/<what>"; results are keyed by it."""
    probe: str
    """Name of the probe (in the exercise's `probes.PROBES`) that runs it."""
    args: dict = field(hash=False)
    """Plain numbers (nested lists, floats, ints) handed to the probe."""
    secret: bool = False
    """Drawn at grading time; never stored, never run by the students' self-check."""

    def job(self) -> dict:
        """The case as its child gets it: `asdict` without its deep copy of the inputs (plain
        data already, and only ever written out, in marshal)."""
        return {"id": self.id, "probe": self.probe, "args": self.args, "secret": self.secret}
