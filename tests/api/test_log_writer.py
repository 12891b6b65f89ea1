"""The API's log sink: writes never wait on the output, lines keep their order, overflow is counted."""

import io
import threading

from api.log_writer import BackgroundLineWriter
from api.metrics import LOG_LINES_DROPPED


class StuckStream(io.StringIO):
    """An output whose writes block until released, like a full pipe to a log collector."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()

    def write(self, text: str) -> int:
        self.entered.set()
        self.release.wait()
        return super().write(text)


def test_lines_arrive_in_order_when_closed() -> None:
    out = io.StringIO()
    writer = BackgroundLineWriter(out, interval=0.01)
    for n in range(500):
        print(f"line {n}", file=writer, flush=True)
    writer.close()
    assert out.getvalue().splitlines() == [f"line {n}" for n in range(500)]


def test_a_blocked_output_never_blocks_the_writer() -> None:
    out = StuckStream()
    writer = BackgroundLineWriter(out, interval=0.01, max_pending=10)
    writer.write("first\n")
    assert out.entered.wait(5)  # the thread is now stuck inside the output's write

    def log_more() -> None:
        for n in range(50):
            writer.write(f"more {n}\n")

    caller = threading.Thread(target=log_more)
    caller.start()
    caller.join(5)
    assert not caller.is_alive(), "a write waited on the blocked output"
    dropped_before = LOG_LINES_DROPPED._value.get()
    writer.write("one too many\n")
    assert LOG_LINES_DROPPED._value.get() == dropped_before + 1
    out.release.set()
    writer.close()
    lines = out.getvalue().splitlines()
    assert lines[:11] == ["first"] + [f"more {n}" for n in range(10)]  # the first ten fit, in order
    assert lines[-1] == "log-writer: 41 log lines dropped (the output fell behind)"


def test_a_closed_output_is_survived() -> None:
    out = io.StringIO()
    writer = BackgroundLineWriter(out, interval=0.01)
    out.close()
    writer.write("lost\n")
    writer.close()  # no exception: logging never takes the process down
