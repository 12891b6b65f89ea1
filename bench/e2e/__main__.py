"""`python -m bench.e2e`: run the end-to-end benchmark and print its table."""

from bench.e2e.run import main

if __name__ == "__main__":
    raise SystemExit(main())
