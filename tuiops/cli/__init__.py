"""Command line: `tuiops status|vars|lint`. User errors print one line and exit 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tuiops.cli.output import write_error
from tuiops.cli.parser import build_parser
from tuiops.errors import TuiopsError

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 fine, 1 errors found, 2 usage)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    try:
        code: int = args.run(args)
    except TuiopsError as error:
        write_error(str(error))  # messages quote repo and cluster text: shown inert
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `tuiops status | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return 0
    return code
