"""Teams, their members and team admins."""
