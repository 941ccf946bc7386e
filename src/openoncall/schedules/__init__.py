"""On-call schedules: the pure calculator (oncall.py) and its database loader (service.py)."""
