"""End-to-end tests of handlers/devices/. run.py lists the modules and
their order."""
