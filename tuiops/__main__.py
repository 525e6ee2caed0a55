"""`python -m tuiops` runs the command line."""

from tuiops.cli import main

raise SystemExit(main())
