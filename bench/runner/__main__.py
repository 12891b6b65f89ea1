"""`python -m bench.runner`: print the runner benchmark table."""

from .run import main

main()
