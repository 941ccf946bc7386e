"""Settings read from OPENONCALL_* environment variables; read only by entry points."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a running OpenOnCall; validated once at start-up."""

    # env_ignore_empty: `OPENONCALL_SMTP_URL=` (as compose files and unit files write an
    # optional value left blank) means unset, not an empty URL.
    model_config = SettingsConfigDict(
        env_prefix="OPENONCALL_", extra="ignore", env_ignore_empty=True
    )

    database_url: str = "sqlite:///./openoncall.db"
    redis_url: str | None = None
    rate_limit_scale: float = Field(default=1.0, ge=0)
    # Failed password sign-ins are throttled per address and per account
    # (auth/login_throttle.py) whatever rate_limit_scale says; false turns that off.
    login_throttle: bool = True
    # SQLite only: FULL syncs every commit to disk; NORMAL may lose the last commits on a
    # power cut (never on a crash of the process). Tests use NORMAL for speed.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    # Signing key for sessions and signed links; generated and kept in the database when unset.
    secret_key: SecretStr | None = None
    # Public base URL used in links inside notifications (ack links, calendar feeds).
    base_url: str = "http://127.0.0.1:8080"
    usage_flush_seconds: float = Field(default=5.0, gt=0)
    # Threads for the blocking endpoints (FastAPI's threadpool; anyio's default is 40).
    # They share one GIL: past a few, more threads only lengthen the queue for it (each
    # waits up to a switch interval per turn), so 40 busy threads push the tail latency of
    # every request, the event loop's own work included, up by hundreds of milliseconds.
    threadpool_size: int = Field(default=8, ge=1)
    smtp_url: SecretStr | None = None
    smtp_from: str = "openoncall@localhost"
    sms_url: str | None = None
    sms_account_sid: str | None = None
    sms_auth_token: SecretStr | None = None
    sms_from: str | None = None
    push_url: str | None = None
    # Outgoing webhooks and chat posts reach public addresses only; these CIDRs and host
    # names (comma-separated) are allowed too, e.g. "127.0.0.0/8,10.1.0.0/16,hooks.internal".
    webhook_allowlist: str | None = None
    log_level: str = "INFO"
    # `text` reads well in a terminal; `json` is one object per line for a log pipeline.
    log_format: Literal["text", "json"] = "text"
    # One line per HTTP request (method, path with secrets redacted, status, duration).
    access_log: bool = False
    # Every engine writes a heartbeat row at most this often; /readyz answers 503 when the
    # newest is older than `ready_engine_max_age_seconds` (0: /readyz ignores the engine).
    engine_heartbeat_seconds: float = Field(default=5.0, gt=0)
    ready_engine_max_age_seconds: float = Field(default=60.0, ge=0)
    # Called by the engine (GET, or POST with an empty JSON body) at most every
    # `deadman_interval_seconds`, so an outside monitor can page when the calls stop. It goes
    # through the same egress guard as webhooks (OPENONCALL_WEBHOOK_ALLOWLIST).
    deadman_url: SecretStr | None = None
    deadman_method: Literal["GET", "POST"] = "GET"
    deadman_interval_seconds: float = Field(default=60.0, gt=0)
    # Request bodies larger than this are refused with 413 before they are read further
    # (alerts are a few KB; every route but the incident notes uses this cap).
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # The body cap of the incident-notes routes and the largest stored note value (its
    # JSON); the vendor allows notes of up to 16 MB.
    max_note_bytes: int = Field(default=1024 * 1024, ge=1024, le=16 * 1024 * 1024)
