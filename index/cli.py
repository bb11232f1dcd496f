"""What every command-line entry point shares: running `main` and exiting quietly when the reader goes away."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def run(main: Callable[[], int]) -> None:
    """`sys.exit(main())`, but a closed pipe (`… | head`) ends the program quietly, as command-line tools do."""
    try:
        sys.exit(main())
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
