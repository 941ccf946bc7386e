"""Users of an organization: the VictorOps user API."""
