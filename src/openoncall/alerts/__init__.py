"""Alert ingestion: the REST and email endpoints, group commit, dedup by entity_id."""
