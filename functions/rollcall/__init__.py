"""Rollcall: event-driven class attendance on Google Cloud.

``functions/main.py`` exposes the entry points and delegates here: ``http`` (the scan
function's endpoints), ``consumers`` (the Pub/Sub push consumers), ``core`` (the domain
both use) over a small base (config, errors, logs, clients, pubsub, contracts).
Imports only go down (decision 0015). Nothing in this package talks to a cloud service
at import time.
"""
