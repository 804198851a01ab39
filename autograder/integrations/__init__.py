"""Integrations: the engine inside other tools.

The Gradescope bundle and its run inside the container, nbgrader's test cells, the students'
self-check (pytest and notebook cells), the build of every exercise's generated files from its
template, a batch on a Dask cluster. The top layer: may import every layer below it.
"""
