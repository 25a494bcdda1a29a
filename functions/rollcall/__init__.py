"""Rollcall: event-driven class attendance on Google Cloud.

One module per concern; ``functions/main.py`` exposes the entry points and delegates
here. Nothing in this package talks to a cloud service at import time.
"""
