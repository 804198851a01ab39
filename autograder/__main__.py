"""The `autograder` command (also `python -m autograder`).

Before the command line is even parsed, `grade` starts the warm pool's zygote (unless a
cluster grades, `--scheduler`), so that it imports torch while this process imports it too:
about a second less before the first result; and it imports torch with the cyclic collector
off (`sandbox.warm.quiet_collector`). Everything else is `cli`.
"""

import sys


def main() -> int:
    argv = sys.argv[1:]
    local = not any(a == "--no-pool" or a.startswith("--scheduler") for a in argv)
    if argv[:1] in (["grade"], ["gradescope-run"]) and local:  # a cluster's workers grade
        from autograder.sandbox import pool

        pool.default().prestart()
    from autograder.sandbox.warm import quiet_collector

    with quiet_collector():  # torch's import, without the collector walking it
        from autograder import cli

    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
