"""Outputs: reports turned into files and text.

Gradescope's results.json (and the batch's store of them), grades.csv, the terminal summary,
the rubric table, the students' feedback reports, plots, the class summary, the progress bar.
Imports grading (and the sandbox's plain types) below it, never integrations.
"""
