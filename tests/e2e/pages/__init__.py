"""End-to-end tests of handlers/pages/. run.py lists the modules and
their order."""
