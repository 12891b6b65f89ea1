"""`python -m bench.api`: run the API load benchmark and print its table."""

from bench.api.run import main

if __name__ == "__main__":
    raise SystemExit(main())
