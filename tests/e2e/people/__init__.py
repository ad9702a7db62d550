"""End-to-end tests of handlers/people/. run.py lists the modules and
their order."""
