"""`python -m advisor`, and the console script's entry point.

The command line handles Ctrl-C itself (exit 130, no traceback), but only once it is loaded: loading it
(typer, click, the package) takes about a tenth of a second. A Ctrl-C then could land anywhere, even in
the import machinery's own callbacks, where Python prints it and carries on. So SIGINT is held back while
the command line loads, in a module that imports nothing heavy, and let through inside a handler of its
own once it is loaded.
"""

import signal
import sys


def main() -> None:
    held = hasattr(signal, "pthread_sigmask")  # POSIX; elsewhere the handler alone must do
    try:
        if held:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        from .cli import main as run

        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # one sent meanwhile is raised here
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
