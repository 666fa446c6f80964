"""Pure decisions of the employment service: outcome measures and candidate matching.

No ORM here: ``queries.py`` builds the frozen dataclasses below from the database and calls
these functions; tests call them on hand-made timelines. Every decision carries its reasons.
The definitions are written out for users in ``docs/outcomes.md``; keep both in step.

Outcome measures follow the US WIOA primary indicators of performance (employment in the 2nd
and 4th quarter after exit, median earnings in the 2nd quarter after exit, credential
attainment within one year after exit), with China's social-insurance contribution records
(缴费基数, the contribution base) in the place of UI wage records, plus two local measures:
employment within 6 months of completion (鲁人社字〔2025〕37号: cities may raise the subsidy
when a trainee of 就业技能培训 finds a job within 6 months and proves it) and the earnings
change against the 6 months before training (the policy aim "劳动者提技增收").

Quarters are calendar quarters. The quarter containing the completion date is the
*completion quarter*; "Q1 after completion" is the next calendar quarter, Q2 the one after,
and so on (WIOA counts from the exit quarter the same way).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")

MET = "met"
NOT_MET = "not_met"
PENDING = "pending"  # the window has not closed yet and nothing shows the measure met so far

EMPLOYED = "employed"
FLEXIBLE = "flexible"
STARTUP = "startup"

WITHIN_MONTHS = 6  # 鲁人社字〔2025〕37号
BEFORE_MONTHS = 6  # earnings before training: the 6 calendar months before the start month
CREDENTIAL_MONTHS = 12  # WIOA credential attainment: during training or within one year after


# ------------------------------------------------------------------ calendar helpers


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def month_end(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1) - dt.timedelta(days=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from ``first``'s month to ``last``'s month, inclusive."""
    out: list[dt.date] = []
    current = month_start(first)
    stop = month_start(last)
    while current <= stop:
        out.append(current)
        current = add_months(current, 1)
    return out


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return month_end(dt.date(self.year, 3 * self.number, 1))

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.first_day, self.last_day)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarter_after(completed_on: dt.date, n: int) -> Quarter:
    """The n-th calendar quarter after the completion quarter (n=1: the next quarter)."""
    q = quarter_of(completed_on)
    index = q.year * 4 + (q.number - 1) + n
    return Quarter(index // 4, index % 4 + 1)


# ------------------------------------------------------------------ facts


@dataclass(frozen=True)
class Contribution:
    """One month of social-insurance contributions (administrative wage record)."""

    month: dt.date  # first day of the month
    employer_uscc: str
    base: Decimal


@dataclass(frozen=True)
class PlacementFact:
    start: dt.date
    kind: str  # EMPLOYED / FLEXIBLE / STARTUP
    source: str
    verified: bool
    employer_uscc: str = ""
    end: dt.date | None = None
    monthly_wage: Decimal | None = None

    def active_in(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass(frozen=True)
class Timeline:
    """What is known about one completed training of one person."""

    training_start: dt.date
    completed_on: dt.date
    contributions: tuple[Contribution, ...] = ()
    placements: tuple[PlacementFact, ...] = ()
    certificates: tuple[dt.date, ...] = ()  # issue dates of valid certificates (same occupation)

    def monthly_totals(self) -> dict[dt.date, Decimal]:
        """Month → total base over all employers (a person may contribute through two)."""
        totals: dict[dt.date, Decimal] = defaultdict(Decimal)
        for c in self.contributions:
            if c.base > 0:
                totals[month_start(c.month)] += c.base
        return dict(totals)


@dataclass(frozen=True)
class Evidence:
    kind: str  # "insurance" or "placement"
    on: dt.date  # the contribution month or the placement start
    employer_uscc: str = ""
    source: str = ""  # placement source


@dataclass(frozen=True)
class Measure:
    status: str  # MET / NOT_MET / PENDING
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()
    window: tuple[dt.date, dt.date] | None = None

    @property
    def met(self) -> bool:
        return self.status == MET

    @property
    def observed(self) -> bool:
        return self.status != PENDING


def _fmt(day: dt.date) -> str:
    return day.isoformat()


# ------------------------------------------------------------------ measures


def within_six_months_window(t: Timeline) -> tuple[dt.date, dt.date]:
    return t.completed_on, add_months(t.completed_on, WITHIN_MONTHS)


def employed_within_6_months(t: Timeline, *, as_of: dt.date) -> Measure:
    """Employed within 6 months of completion (鲁人社字〔2025〕37号).

    Met by either
    - a contribution month from the completion month to the month that contains
      completion + 6 months (inclusive), or
    - a VERIFIED placement (any kind) starting on or after the training start and no later
      than completion + 6 months, not ended before the completion date.
    Unverified placements are listed in the reasons but do not count. Not met once ``as_of``
    is past completion + 6 months; pending before that.
    """
    first, last = within_six_months_window(t)
    evidence: list[Evidence] = []
    for c in sorted(t.contributions, key=lambda c: (c.month, c.employer_uscc)):
        if c.base > 0 and month_start(first) <= c.month <= month_start(last):
            evidence.append(Evidence("insurance", c.month, c.employer_uscc))
    claimed: list[PlacementFact] = []
    for p in sorted(t.placements, key=lambda p: p.start):
        in_window = t.training_start <= p.start <= last and (p.end is None or p.end >= first)
        if not in_window:
            continue
        if p.verified:
            evidence.append(Evidence("placement", p.start, p.employer_uscc, p.source))
        else:
            claimed.append(p)
    window = (first, last)
    reasons: list[str] = []
    if evidence:
        e = evidence[0]
        if e.kind == "insurance":
            reasons.append(_("Social-insurance contributions in %(month)s, within 6 months of completion on %(done)s.")
                           % {"month": e.on.strftime("%Y-%m"), "done": _fmt(t.completed_on)})
        else:
            reasons.append(_("Verified placement starting %(start)s, within 6 months of completion on %(done)s.")
                           % {"start": _fmt(e.on), "done": _fmt(t.completed_on)})
        status = MET
    elif as_of > last:
        reasons.append(_("No contributions and no verified placement between %(first)s and %(last)s.")
                       % {"first": _fmt(first), "last": _fmt(last)})
        status = NOT_MET
    else:
        reasons.append(_("Nothing yet; the 6-month window runs until %(last)s.") % {"last": _fmt(last)})
        status = PENDING
    for p in claimed:
        reasons.append(_("A placement starting %(start)s is reported but not verified, so it does not count.")
                       % {"start": _fmt(p.start)})
    return Measure(status, tuple(reasons), tuple(evidence), window)


def employed_in_quarter_after(t: Timeline, n: int, *, as_of: dt.date) -> Measure:
    """Employed in the n-th quarter after the completion quarter (WIOA-style, n = 2 or 4).

    Met by a contribution month inside that quarter, or (supplemental data, as WIOA allows
    for self-employment) a VERIFIED flexible-employment or business start-up placement active
    during the quarter. A verified "employed" placement alone does not count here: whether a
    person still holds a job months later is read from the wage record. Observable once the
    quarter has ended (``as_of`` after its last day).
    """
    q = quarter_after(t.completed_on, n)
    evidence = [
        Evidence("insurance", c.month, c.employer_uscc)
        for c in sorted(t.contributions, key=lambda c: (c.month, c.employer_uscc))
        if c.base > 0 and q.first_day <= c.month <= q.last_day
    ]
    evidence += [
        Evidence("placement", p.start, p.employer_uscc, p.source)
        for p in t.placements
        if p.verified and p.kind in (FLEXIBLE, STARTUP) and p.active_in(q.first_day, q.last_day)
    ]
    window = (q.first_day, q.last_day)
    if as_of <= q.last_day:
        return Measure(PENDING, (_("Quarter %(q)s after completion ends on %(last)s.")
                                 % {"q": q, "last": _fmt(q.last_day)},), tuple(evidence), window)
    if evidence:
        e = evidence[0]
        reason = (_("Contributions in %(month)s (quarter %(q)s).") % {"month": e.on.strftime("%Y-%m"), "q": q}
                  if e.kind == "insurance"
                  else _("Verified flexible employment or business start-up active in quarter %(q)s.") % {"q": q})
        return Measure(MET, (reason,), tuple(evidence), window)
    return Measure(NOT_MET, (_("No contributions in quarter %(q)s.") % {"q": q},), (), window)


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quarter_monthly_earnings(t: Timeline, n: int) -> Decimal:
    """Total contribution base in the n-th quarter after completion ÷ 3 (average per month,
    zero months included, like WIOA's quarterly earnings ÷ 3)."""
    q = quarter_after(t.completed_on, n)
    totals = t.monthly_totals()
    return _quantize(sum((totals.get(m, Decimal(0)) for m in q.months), Decimal(0)) / 3)


def q2_wage(t: Timeline, *, as_of: dt.date) -> Decimal | None:
    """Monthly earnings in Q2 after completion, for the median: None unless Q2 has ended and
    the person had contributions in it (WIOA: median earnings of those employed in Q2)."""
    q = quarter_after(t.completed_on, 2)
    if as_of <= q.last_day:
        return None
    totals = t.monthly_totals()
    if not any(m in totals for m in q.months):
        return None
    return quarter_monthly_earnings(t, 2)


def earnings_before(t: Timeline) -> Decimal:
    """Average monthly base over the 6 calendar months before the training start month
    (months without contributions count as zero)."""
    first = add_months(month_start(t.training_start), -BEFORE_MONTHS)
    totals = t.monthly_totals()
    months = months_between(first, add_months(month_start(t.training_start), -1))
    return _quantize(sum((totals.get(m, Decimal(0)) for m in months), Decimal(0)) / BEFORE_MONTHS)


@dataclass(frozen=True)
class WageChange:
    status: str  # MET (observed) / PENDING
    before: Decimal | None
    after: Decimal | None
    reasons: tuple[str, ...]

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def rose(self) -> bool | None:
        change = self.change
        return None if change is None else change > 0


def wage_change(t: Timeline, *, as_of: dt.date) -> WageChange:
    """提技增收: average monthly earnings in Q2 after completion against the 6 months before
    the training start. Both sides include zero months, so moving from no contributions to a
    job counts as a rise. Pending until Q2 after completion has ended."""
    before = earnings_before(t)
    q = quarter_after(t.completed_on, 2)
    if as_of <= q.last_day:
        return WageChange(PENDING, before, None, (_("Quarter %(q)s after completion ends on %(last)s.")
                                                 % {"q": q, "last": _fmt(q.last_day)},))
    after = quarter_monthly_earnings(t, 2)
    return WageChange(MET, before, after, (
        _("Average monthly contribution base %(before)s yuan in the 6 months before training, "
          "%(after)s yuan in quarter %(q)s after completion.") % {"before": before, "after": after, "q": q},
    ))


def certificate_within_year(t: Timeline, *, as_of: dt.date) -> Measure:
    """A valid certificate issued from the training start to one year after completion."""
    last = add_months(t.completed_on, CREDENTIAL_MONTHS)
    hits = sorted(d for d in t.certificates if t.training_start <= d <= last)
    window = (t.training_start, last)
    if hits:
        return Measure(MET, (_("Certificate issued on %(day)s.") % {"day": _fmt(hits[0])},),
                       (Evidence("certificate", hits[0]),), window)
    if as_of <= last:
        return Measure(PENDING, (_("No certificate yet; the window runs until %(last)s.") % {"last": _fmt(last)},),
                       (), window)
    return Measure(NOT_MET, (_("No certificate issued between %(first)s and %(last)s.")
                             % {"first": _fmt(t.training_start), "last": _fmt(last)},), (), window)


@dataclass(frozen=True)
class Outcome:
    within_6_months: Measure
    q2: Measure
    q4: Measure
    q2_wage: Decimal | None
    wage: WageChange
    certificate: Measure


def outcome_for(t: Timeline, *, as_of: dt.date) -> Outcome:
    return Outcome(
        within_6_months=employed_within_6_months(t, as_of=as_of),
        q2=employed_in_quarter_after(t, 2, as_of=as_of),
        q4=employed_in_quarter_after(t, 4, as_of=as_of),
        q2_wage=q2_wage(t, as_of=as_of),
        wage=wage_change(t, as_of=as_of),
        certificate=certificate_within_year(t, as_of=as_of),
    )


# ------------------------------------------------------------------ aggregation


def median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return _quantize((ordered[mid - 1] + ordered[mid]) / 2)


@dataclass(frozen=True)
class Rate:
    met: int
    observed: int  # denominators leave out those whose window is still open

    @property
    def share(self) -> Decimal | None:
        if not self.observed:
            return None
        return (Decimal(self.met) / Decimal(self.observed)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OutcomeSummary:
    completers: int
    within_6_months: Rate
    q2: Rate
    q4: Rate
    median_q2_wage: Decimal | None
    median_wage_change: Decimal | None
    wage_rose: Rate
    certificate: Rate


def _rate(measures: Iterable[Measure]) -> Rate:
    met = observed = 0
    for m in measures:
        if m.observed:
            observed += 1
            met += m.met
    return Rate(met, observed)


def summarise(outcomes: Sequence[Outcome]) -> OutcomeSummary:
    wages = [o.q2_wage for o in outcomes if o.q2_wage is not None]
    changes = [c for o in outcomes if (c := o.wage.change) is not None]
    rose = Rate(sum(1 for c in changes if c > 0), len(changes))
    return OutcomeSummary(
        completers=len(outcomes),
        within_6_months=_rate(o.within_6_months for o in outcomes),
        q2=_rate(o.q2 for o in outcomes),
        q4=_rate(o.q4 for o in outcomes),
        median_q2_wage=median(wages),
        median_wage_change=median(changes),
        wage_rose=rose,
        certificate=_rate(o.certificate for o in outcomes),
    )


# ------------------------------------------------------------------ placement confirmation


def confirms_placement(start: dt.date, employer_uscc: str, contributions: Iterable[Contribution]) -> Contribution | None:
    """A placement is confirmed by contributions from the same employer in its start month or
    the month after (employers register a new hire for the next contribution cycle)."""
    months = {month_start(start), add_months(month_start(start), 1)}
    for c in sorted(contributions, key=lambda c: c.month):
        if c.employer_uscc == employer_uscc and c.base > 0 and c.month in months:
            return c
    return None


# ------------------------------------------------------------------ matching


@dataclass(frozen=True)
class DemandFacts:
    occupation_id: int
    level: int | None  # SkillLevel.order
    county: str  # GB/T 2260 code

    @property
    def city(self) -> str:
        return self.county[:4]


@dataclass(frozen=True)
class Credential:
    """A completed training or a valid certificate the person holds."""

    kind: str  # "certificate" or "training"
    occupation_id: int
    level: int | None
    on: dt.date  # issue date or completion date
    enrollment_id: int | None = None


@dataclass(frozen=True)
class CandidateFacts:
    person_id: int
    region: str  # current region code
    credentials: tuple[Credential, ...]
    already_referred: bool = False
    employed_since: dt.date | None = None  # a current verified placement, if any


SAME_COUNTY, SAME_CITY, ELSEWHERE = 0, 1, 2


@dataclass(frozen=True)
class Match:
    person_id: int
    fits: bool
    tier: int  # SAME_COUNTY / SAME_CITY / ELSEWHERE
    score: int
    reasons: tuple[str, ...]
    basis: Credential | None = field(default=None)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.tier, -self.score, self.person_id)


def match_candidate(demand: DemandFacts, c: CandidateFacts, *, today: dt.date) -> Match:
    """Does a completed trainee fit a job demand, and how well? Same city first (the tier),
    then the score: a certificate at or above the required level outranks training alone."""
    if c.region[:6] == demand.county:
        tier, reasons, score = SAME_COUNTY, [_("Lives in the same county as the post.")], 30
    elif c.region[:4] == demand.city:
        tier, reasons, score = SAME_CITY, [_("Lives in the same city as the post.")], 20
    else:
        tier, reasons, score = ELSEWHERE, [_("Lives in another city.")], 0
    relevant = [cr for cr in c.credentials if cr.occupation_id == demand.occupation_id]
    if not relevant:
        return Match(c.person_id, False, tier, 0, (_("No completed training or certificate in this occupation."),))
    if c.already_referred:
        return Match(c.person_id, False, tier, 0, (_("Already referred to this demand."),))

    def rank(cr: Credential) -> tuple[int, int, dt.date]:
        if demand.level is None or (cr.level is not None and cr.level >= demand.level):
            level_fit = 2
        else:
            level_fit = 1 if cr.level is None else 0
        return (level_fit, int(cr.kind == "certificate"), cr.on)

    best = max(relevant, key=rank)
    if demand.level is not None and best.level is not None and best.level < demand.level:
        return Match(c.person_id, False, tier, 0, (
            _("Highest level in this occupation is below the level the post requires."),), best)
    if best.kind == "certificate":
        score += 40
        reasons.append(_("Holds a certificate in the occupation (issued %(day)s).") % {"day": _fmt(best.on)})
    else:
        score += 15
        reasons.append(_("Completed training in the occupation on %(day)s.") % {"day": _fmt(best.on)})
    if demand.level is None:
        reasons.append(_("The post requires no particular level."))
    elif best.level is None:
        score -= 10
        reasons.append(_("Level of the training not stated; check at interview."))
    elif best.level == demand.level:
        score += 15
        reasons.append(_("Level matches the post exactly."))
    else:
        score += 10
        reasons.append(_("Level is above what the post requires."))
    if (today - best.on).days <= 365:
        score += 10
        reasons.append(_("Qualified within the last 12 months."))
    if c.employed_since is not None:
        score -= 20
        reasons.append(_("Already in a verified job since %(day)s.") % {"day": _fmt(c.employed_since)})
    return Match(c.person_id, True, tier, max(score, 0), tuple(reasons), best)


def rank_candidates(demand: DemandFacts, candidates: Iterable[CandidateFacts], *, today: dt.date) -> list[Match]:
    """Candidates that fit, same county first, then same city, then elsewhere; best score first."""
    matches = [match_candidate(demand, c, today=today) for c in candidates]
    return sorted((m for m in matches if m.fits), key=lambda m: m.sort_key)


def demand_fits_person(demand: DemandFacts, credentials: Sequence[Credential]) -> bool:
    """For a trainee's recommended posts: a credential in the occupation at (or above) the level."""
    return any(
        cr.occupation_id == demand.occupation_id
        and (demand.level is None or cr.level is None or cr.level >= demand.level)
        for cr in credentials
    )
