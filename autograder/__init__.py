"""Autograder for the linear-regression-from-scratch exercise."""

__version__ = "0.1.0"
