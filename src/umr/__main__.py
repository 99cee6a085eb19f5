"""``python -m umr``: the same as the ``umr`` command."""

from umr.cli import main

main()
