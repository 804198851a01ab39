"""Grading: from a submission's observations to its verdicts, for any exercise.

The check vocabulary and its ladders (type, shape, dtype, finite, value), verdicts and
reports, the exercise definition and the registry that finds exercises, the reference and the
stored expectations, the pipeline of one submission, the in-process path of a kernel, batches,
the instructor's settings. Imports the sandbox and inputs below it, never outputs or
integrations.
"""
