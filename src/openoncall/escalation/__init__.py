"""Escalation: policy snapshots, the pure planner, and progress rows the engine advances."""
