"""Inputs: a submission file as Python source, whatever its format.

`.py` files, `.ipynb` notebooks (code cells in order, magics and shell lines neutralised, line
numbers mapped back to cells). Runs in the trusted parent. Imports only itself and the
standard library.
"""
