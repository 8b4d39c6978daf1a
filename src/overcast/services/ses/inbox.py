"""SES for the rest of overcast: what SES v2 (`services/sesv2`), which shares SES's state as on AWS,
and CloudFormation's SES resources use without going through the v1 wire API."""

from __future__ import annotations

from overcast.services.ses import config_sets, identities, rules, templates
from overcast.services.ses.errors import SesError, exists, invalid, not_found
from overcast.services.ses.mail import build, parse_raw
from overcast.services.ses.sending import destination_of, quota, send
from overcast.services.ses.store import SesStore

__all__ = ["SesError", "SesStore", "build", "config_sets", "destination_of", "exists", "identities", "invalid",
           "not_found", "parse_raw", "quota", "rules", "send", "templates"]
