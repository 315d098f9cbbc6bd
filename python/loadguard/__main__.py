"""The ``loadguard`` command: the Rust command line, run in this process."""

import signal
import sys


def main() -> None:
    from loadguard import _loadguard

    # The scan runs in Rust with the GIL released; Ctrl-C must stop it as it
    # stops the native binary, not wait for Python to get the GIL back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(_loadguard.main(["loadguard", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
