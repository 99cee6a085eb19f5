"""`umr site` with the cyclic GC paused for the whole command (the CLI's default) or running.

    UMR_REGISTRY=sqlite:///demo.db /usr/bin/time -f "%e s %M KB" \
        python bench/site_gc.py paused OUTDIR      # or: running
"""

import sys

import umr.cli as cli

if sys.argv[1] == "paused":  # as if site were not in KEEP_GC
    cli.KEEP_GC = cli.KEEP_GC - {"site"}
sys.argv = ["umr", "site", sys.argv[2]]
cli.main()
