"""Code that runs inside the sandbox (stdlib + pytest only) and turns its events into result documents."""
