"""Moving in: read another on-call tool's organization through its public API, then create
or update the same objects here, remembering each one's source id so a re-run updates."""
