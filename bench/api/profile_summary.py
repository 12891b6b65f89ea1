"""Summarise py-spy collapsed stacks: `python -m bench.api.profile_summary DIR ROUTE` prints hot frames."""

import sys
from collections import Counter
from pathlib import Path


def summarise(directory: Path, route: str, top: int = 30) -> str:
    """Inclusive share of samples per frame (each frame counted once per stack) across the route's files."""
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for path in directory.glob(f"{route}-*.txt"):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = stack.split(";")
            leaves[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    lines = [f"{route}: {total} samples; inclusive"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / max(total, 1):5.1f}%  {frame[:150]}")
    lines.append("self")
    for frame, n in leaves.most_common(top):
        lines.append(f"{100 * n / max(total, 1):5.1f}%  {frame[:150]}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 30))
