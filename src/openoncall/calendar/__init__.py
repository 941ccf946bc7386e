"""iCalendar feeds of the final on-call (after overrides and takes) over secret URLs."""
