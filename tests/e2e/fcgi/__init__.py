"""End-to-end tests of fcgi/, the runtime: HTTP, routing errors, CSRF, odd
input, the worker pool and its reloads. run.py lists the modules and their
order (the ones restarting workers last)."""
