"""Plain-Python rules of the work: lanes, items, SLA, business hours, outcome codes.

Nothing here imports Qt, a database or an upper layer.
"""
