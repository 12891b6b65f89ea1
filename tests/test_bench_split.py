"""bench.api.split counts a process's established connections on a port from /proc."""

import os
import socket

from bench.api.split import connections_per_worker


def test_counts_the_accepted_connections_a_process_holds() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert connections_per_worker([os.getpid()], port) == (0,)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in clients]
        try:
            assert connections_per_worker([os.getpid()], port) == (3,)
            accepted[0].close()
            assert connections_per_worker([os.getpid()], port) == (2,)
        finally:
            for s in clients + accepted:
                s.close()
