"""Chat: `POST /api-public/v1/chat` messages written into incident timelines."""
