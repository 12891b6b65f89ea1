import sys


def add(a, b):
    print(f"adding {a} and {b}")
    print("debug on stderr", file=sys.stderr)
    return a + b


def mul(a, b):
    return a * b
