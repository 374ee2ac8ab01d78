"""Timestamps: fixture notation in, AWS wire formats out.

Fixture timestamps may be epoch seconds (number), ISO 8601 strings, or the
relative forms ``"now"``, ``"now-90s"``, ``"now-5m"``, ``"now-2h"``,
``"now+1d"``.  Relative forms are resolved when a response is built, so a
long-running fake keeps "recent" things recent.
"""
import datetime
import re
import time
from decimal import Decimal

_REL = re.compile(r"^now(?:([+-])(\d+(?:\.\d+)?)([smhd]))?$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def to_epoch(value, now=None):
    """Fixture timestamp -> float epoch seconds."""
    if now is None:
        now = time.time()
    if isinstance(value, bool):
        raise ValueError("boolean is not a timestamp")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    if isinstance(value, str):
        m = _REL.match(value.strip())
        if m:
            if not m.group(1):
                return now
            delta = float(m.group(2)) * _UNIT[m.group(3)]
            return now + delta if m.group(1) == "+" else now - delta
        text = value.strip().replace("Z", "+00:00")
        dt = datetime.datetime.fromisoformat(text)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=datetime.timezone.utc)
        return dt.timestamp()
    raise ValueError("not a timestamp: %r" % (value,))


def iso8601(epoch, millis=True):
    """Query-protocol timestamp: 2024-01-10T10:20:30.123Z (or without ms)."""
    dt = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    if millis:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def java_double(value):
    """Format a float the way Java's Double.toString does (Coral services).

    1568047466.588 -> "1.568047466588E9"; 12.5 -> "12.5"; 3.0 -> "3.0".
    """
    value = float(value)
    if value == 0:
        return "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digits, exp = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, digits))
    exponent = exp + len(digits) - 1
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return ("-" if sign else "") + mantissa + "E" + str(exponent)


def amz_date(epoch=None):
    """X-Amz-Date form: 20150830T123600Z."""
    if epoch is None:
        epoch = time.time()
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def parse_amz_date(text):
    """X-Amz-Date -> epoch seconds, or None when malformed."""
    try:
        dt = datetime.datetime.strptime(text, "%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        return None
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp()
