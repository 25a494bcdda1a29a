"""Operator and developer tools of Rollcall (the ``rollcall`` CLI). Not deployed."""
