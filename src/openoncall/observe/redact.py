"""Request paths fit for a log: secrets in URLs replaced by `[redacted]`.

Some URLs are credentials: the REST endpoint key in an alert URL, signed ack links, the
set-password link, calendar feed tokens. A matched route names its parameters, so every one
whose name says secret (token, key, secret, password, signature) is redacted; a path no
route matched is redacted after the prefixes that carry secrets, and any long token-like
segment too. Query values are redacted by the same names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

REDACTED = "[redacted]"
# Names of parameters that are credentials (`routing_key` and `key_id` are not).
_SECRET_NAME = re.compile(
    r"^(?:key|rest_key|api_key|sig|code)$|token|secret|password|signature", re.IGNORECASE
)
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
# Everything after these is a credential when no route matched (a mistyped alert URL).
_SECRET_PREFIXES = (
    "/integrations/generic/20131114/alert/",
    "/links/",
    "/set-password/",
    "/api-ext/v1/calendar/",
)
# Signed tokens and keys are long runs of URL-safe characters; ids and names are short.
_TOKENISH = re.compile(r"^[A-Za-z0-9_\-.~]{24,}$")


def redact_path(path: str, template: str | None, params: Mapping[str, Any] | None) -> str:
    if template is not None and params is not None:
        if "{" not in template:
            return path

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if _SECRET_NAME.search(name):
                return REDACTED
            return quote(str(params.get(name, "")), safe="")

        return _PARAM.sub(value, template)
    for prefix in _SECRET_PREFIXES:
        if path.startswith(prefix):
            return prefix + REDACTED
    return "/".join(REDACTED if _TOKENISH.match(s) else s for s in path.split("/"))


def redact_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if _SECRET_NAME.search(k) else v) for k, v in pairs])
