"""The Rules Engine: match alerts, transform and annotate them, reroute them."""
