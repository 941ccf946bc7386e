"""OpenOnCall: on-call and incident response, wire-compatible with the Splunk On-Call API."""

__version__ = "0.1.0"
