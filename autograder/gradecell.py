"""nbgrader's grading cells, where the course's source notebooks import them from."""

from autograder.integrations.gradecell import points

__all__ = ["points"]
