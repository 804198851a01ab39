"""The students' self-check, where their notebooks and test files import it from."""

from autograder.integrations.selfcheck import VISIBLE, check, hint, run_checks, visible

__all__ = ["VISIBLE", "check", "hint", "run_checks", "visible"]
