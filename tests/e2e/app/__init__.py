"""End-to-end tests of handlers/app/: the route table's rule of who may call
each route on which hotel. run.py lists the modules and their order."""
