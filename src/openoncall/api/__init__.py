"""The HTTP API: VictorOps paths, wire models, error mapping and rate limits."""
