"""Contact methods of users: emails, phones and push devices."""
