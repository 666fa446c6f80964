"""Demo bookings of the Jinan public training base by two outside institutions (the ``school``
and ``enterprise`` demo accounts' organisations): past months accepted (so utilisation shows),
one declined, one request waiting for the ``base`` account, and the 职业训练院 designation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.demo import DemoContext
from jixing.core.numbering import save_with_serial
from jixing.core.workflow import move
from jixing.registry.models import Organisation, OrganisationKind

from . import actions, school_actions
from .models import Booking, BookingStatus, Facility


def _past_booking(*, facility: Facility, user: User, start: dt.datetime, days: int, stations: int, purpose: str,
                  decider: User, accept: bool) -> Booking:
    """History cannot be requested through the action (no booking starts in the past): written
    as it happened, with its transition row."""
    booking = Booking(facility=facility, base_id=facility.base_id, requester=user.organisation, starts_at=start,
                      ends_at=start + dt.timedelta(days=days - 1, hours=9), stations=stations, purpose=purpose,
                      requested_by=user)
    save_with_serial(booking, "code", f"SX{timezone.localtime(start):%Y%m}", width=5)
    booking.decided_by, booking.decided_at = decider, start - dt.timedelta(days=7)
    booking.decision_note = "" if accept else "该时段车间已安排基地自有培训"
    booking.save(update_fields=["decided_by", "decided_at", "decision_note"])
    move(booking, BookingStatus.ACCEPTED if accept else BookingStatus.DECLINED, by=decider,
         reason=booking.decision_note, event=f"bases.booking.{'accepted' if accept else 'declined'}")
    return booking


def _base_account(base: Organisation) -> User:
    """The ``base`` demo account (staff of the Jinan base), its password generated per installation
    and added to var/demo-accounts.txt like the others (registry.demo_accounts)."""
    from django.conf import settings

    from jixing.registry.demo_accounts import _password

    password = _password()
    user = User.objects.create_user(username="base", password=password, role=Role.INSTITUTION, organisation=base,
                                    is_demo=True)
    path = settings.VAR_DIR / "demo-accounts.txt"
    if path.exists():
        with path.open("a", encoding="utf-8") as accounts:
            accounts.write(f"base\t{password}\t{Role.INSTITUTION}\n")
    return user


def seed(ctx: DemoContext) -> None:
    base = ctx.shared.get("demo_base") or Organisation.objects.filter(kind=OrganisationKind.PUBLIC_TRAINING_BASE).first()
    if base is None:
        return
    staff = User.objects.filter(username="base").first() or _base_account(base)
    school = User.objects.filter(username="school").first()
    enterprise = User.objects.filter(username="enterprise").first()
    if school is None or enterprise is None:
        return
    workshop, welding, housekeeping = (Facility.objects.get(base=base, name=n)
                                       for n in ("智能制造实训车间", "焊接实训车间", "家政服务实训室"))
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    month_start = today.replace(day=1)
    made = []
    for back in (3, 2, 1, 0):
        first = (month_start - dt.timedelta(days=28 * back)).replace(day=3)
        start = dt.datetime.combine(first, dt.time(8, 30), tzinfo=tz)
        if start > timezone.now():
            continue
        made.append(_past_booking(facility=workshop, user=school, start=start, days=10, stations=24,
                                  purpose="电工技能提升培训班", decider=staff, accept=True))
        made.append(_past_booking(facility=housekeeping, user=enterprise, start=start + dt.timedelta(days=7), days=5,
                                  stations=20, purpose="企业新招员工岗前培训", decider=staff, accept=True))
    first = today.replace(day=1) - dt.timedelta(days=20)
    made.append(_past_booking(facility=workshop, user=enterprise, start=dt.datetime.combine(first, dt.time(8, 30), tzinfo=tz),
                              days=8, stations=30, purpose="数控操作岗前培训", decider=staff, accept=False))
    # still to come: one accepted through the actions, one request waiting for the base
    soon = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(8, 30), tzinfo=tz)
    upcoming = actions.request_booking(by=school, facility=welding, starts_at=soon,
                                       ends_at=soon + dt.timedelta(days=6, hours=9), stations=16, purpose="焊工培训班")
    actions.accept_booking(upcoming, by=staff, note="请提前一天报到安全培训")
    made.append(upcoming)
    made.append(actions.request_booking(by=enterprise, facility=workshop, starts_at=soon + dt.timedelta(days=4),
                                        ends_at=soon + dt.timedelta(days=12, hours=9), stations=20,
                                        purpose="工业机器人运维订单班"))
    ctx.counts["base_bookings"] = len(made)

    officer = User.objects.filter(username="jinan").first()
    school_org = Organisation.objects.filter(kind=OrganisationKind.TECHNICAL_SCHOOL, name="济南技师学院").first()
    if officer is not None and school_org is not None and not hasattr(school_org, "training_college"):
        school_actions.designate_training_college(by=officer, school=school_org, name="济南技师学院职业训练院",
                                                  designated_on=today.replace(month=1, day=15), document="济人社字〔2025〕12号")
