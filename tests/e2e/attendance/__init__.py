"""End-to-end tests of handlers/attendance/. run.py lists the modules and
their order."""
