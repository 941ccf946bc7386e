"""Organizations (tenants), their API credentials and call tallies."""
