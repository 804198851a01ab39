"""The sandbox: where student code runs and how its results come back.

Children (fresh interpreters or forks of the warm pool's zygote), the layers that confine them
(namespaces, a user of their own, cgroups, rlimits), the protocol between child and parent,
the calls into student code and the reduction of whatever it returns to plain numbers. It knows
no exercise: a job names the probes module to run. Imports only the standard library, torch and
numpy (in the child), and itself.
"""
