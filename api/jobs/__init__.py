"""The runner protocol: claim, heartbeat and result over a leased job queue."""
