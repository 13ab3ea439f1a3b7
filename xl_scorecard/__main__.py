"""``python -m xl_scorecard`` runs the command line."""

from xl_scorecard.cli import main

raise SystemExit(main())
