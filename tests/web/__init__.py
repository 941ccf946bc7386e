"""Web UI tests: HTTP-level (TestClient) and real-browser (Playwright + Debian Chromium)."""
