"""The exercises, one folder each: data, cases, probes, checks, hints, template, reference and
stored answers (the README's "Adding an exercise"). Folders named by AUTOGRADER_EXERCISES hold
more of them, a course's own, found the same way (`grading.registry`)."""

from autograder.sandbox.folders import exercise_dirs

__path__ += [str(d) for d in exercise_dirs()]
