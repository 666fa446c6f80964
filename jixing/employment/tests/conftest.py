from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from jixing.accounts.models import User
from jixing.employment.models import JobDemand
from jixing.registry.models import Organisation

from . import factories as f

TODAY = dt.date(2025, 12, 1)


@dataclass
class Employers:
    """Two enterprises with a staff member each, and one open demand: where employment tests start."""

    p: object  # Personas
    ent: Organisation  # enterprise in Lixia (370102)
    eve: User  # its staff
    other_ent: Organisation  # enterprise in Qingdao
    olga: User  # its staff
    demand: JobDemand  # ent's open demand in Lixia, occupation 0, level 3 (中级工)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def employers(personas, frozen) -> Employers:
    ent = f.enterprise()
    eve = f.enterprise_user(ent, "eve")
    other = f.enterprise("青岛海工有限公司", "370202", seed=2)
    olga = f.enterprise_user(other, "olga")
    demand = f.demand(ent, eve)
    return Employers(personas, ent, eve, other, olga, demand)
