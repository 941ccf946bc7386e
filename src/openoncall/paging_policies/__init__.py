"""Personal paging policies: how each user wants to be notified, step by step."""
