"""Intake settings, read at call time (so tests and operators can change them)."""

import re
from dataclasses import dataclass

from django.conf import settings

from intake.models import IntakeChannel


def channel_enabled(channel: str) -> bool:
    """A channel without its secrets is off (404), never open."""
    s = settings
    if channel == IntakeChannel.LANDING:
        return bool(landing_keys())
    if channel == IntakeChannel.TELEGRAM:
        return bool(s.TELEGRAM_WEBHOOK_SECRET and s.TELEGRAM_BOT_TOKEN)
    if channel == IntakeChannel.META:
        return bool(s.META_APP_SECRET and s.META_VERIFY_TOKEN)
    if channel == IntakeChannel.WHATSAPP:
        return bool(whatsapp_app_secret() and s.WHATSAPP_VERIFY_TOKEN)
    if channel == IntakeChannel.CALLS:
        return bool(s.CALL_TRACKING_SECRET)
    return False


def landing_keys() -> list[str]:
    return [key.strip() for key in settings.INTAKE_LANDING_KEYS if key and key.strip()]


def whatsapp_app_secret() -> str:
    return settings.WHATSAPP_APP_SECRET or settings.META_APP_SECRET


def verify_token(channel: str) -> str:
    return settings.META_VERIFY_TOKEN if channel == IntakeChannel.META else settings.WHATSAPP_VERIFY_TOKEN


def app_secret(channel: str) -> str:
    return settings.META_APP_SECRET if channel == IntakeChannel.META else whatsapp_app_secret()


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\w*\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text: str) -> Rate:
    """ "30/m" -> 30 per 60 s; "100/10s" -> 100 per 10 s; "1000/h", "5000/d"."""
    match = _RATE.match(text or "")
    if not match:
        raise ValueError(f"INTAKE_LANDING_RATE “{text}” is not like 30/m, 100/10s or 1000/h.")
    count, multiplier, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    return Rate(count=count, seconds=multiplier * _UNIT_SECONDS[unit])


def landing_rate() -> Rate:
    return parse_rate(settings.INTAKE_LANDING_RATE)
