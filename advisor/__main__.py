"""`python -m advisor`, and the console script's entry point.

The command line handles Ctrl-C itself (exit 130, no traceback), but only once it is loaded: loading it
(typer, click, the package) takes about a tenth of a second, and a Ctrl-C then would end in a traceback
and death by signal. So the loading happens here, inside a handler of its own, in a module that imports
nothing heavy.
"""

import sys


def main() -> None:
    try:
        from .cli import main as run

        run()
    except KeyboardInterrupt:
        from .errors import ExitCode

        try:
            sys.stderr.write("\nCancelled.\n")  # the command line's own last-resort words (cli.main)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # stderr closed: the exit code still says it
        sys.exit(int(ExitCode.INTERRUPTED))


if __name__ == "__main__":
    main()
