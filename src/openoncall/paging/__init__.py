"""Personal paging: one user's paging policy run for one incident (stage 5 of the path)."""
