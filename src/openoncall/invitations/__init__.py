"""Set-password invitations: one-time links, minted and emailed by the engine."""
