"""Make valid identity numbers for demo data and tests (check digits by python-stdnum)."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

_USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_id_number(region_code: str, birth: dt.date, sequence: int) -> str:
    """18-digit resident ID; ``sequence`` 0..999 (odd = male)."""
    body = f"{region_code}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def make_uscc(region_code: str, rng: random.Random, *, kind: str = "91") -> str:
    """Unified social credit code: kind 91 enterprise, 52 民办非企业单位, 12 事业单位."""
    body = kind + region_code + "".join(rng.choice(_USCC_BODY[:10]) for _ in range(8)) + rng.choice(_USCC_BODY)
    return body + uscc.calc_check_digit(body)
