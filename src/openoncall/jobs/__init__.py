"""Job rows: the table, the kinds, and the one place that writes new ones."""
