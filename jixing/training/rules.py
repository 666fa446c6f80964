"""Pure training decisions: eligibility for a subsidised place, statutory retirement age,
credited attendance hours, completion. No ORM here: ``queries.eligibility_facts`` gathers
the facts, these functions decide, ``actions`` store the decision with its reasons.

Every rule returns a ``RuleResult`` (rule code, passed?, Chinese message) so a refusal can be
shown to the trainee, the institution and the officer with the same words (DESIGN.md "Every
refusal carries its reason").

Sources
- Working age: 16 (劳动法 第十五条 forbids employing minors under 16) up to the statutory
  retirement age. Retirement ages follow 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定
  (2024-09-13, in force 2025-01-01) and its annex 《国务院关于渐进式延迟法定退休年龄的办法》:
  men 60 → 63, women cadres 55 → 58, women workers 50 → 55, raised by one month for every
  four months of birth (every two months for the 50 → 55 group), starting with those whose
  original retirement month is January 2025. Person records carry no cadre/worker flag, so the
  base age for women is configurable (``TRAINING_FEMALE_RETIREMENT_BASE``): 55 by default,
  which matches the statistical working-age definition (women 16–54) used for 劳动年龄人口 and
  does not wrongly refuse women workers aged 50–55 who still work; 50 is the strict reading
  for women workers. ``RetirementPolicy(reform=False)`` gives the pre-2025 fixed ages.
- Excluded groups (pensioners, full-time students): registry TargetGroup.excludes_subsidy
  (audit findings of fake trainees; 财社〔2017〕164号 五类人员).
- Per-person caps across all projects and fund sources (DESIGN.md key rules): at most N
  (default 3) subsidised trainings per calendar year; the same occupation at the same level
  subsidised only once; no subsidy for a level lower than a certificate already held.
- One person cannot attend two classes at once (audit finding: 同一人同时段参加两个班).
"""

from __future__ import annotations

import calendar
import contextvars
import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils import translation

from jixing.core.display import local_minute

_TRANSLATED: dict[tuple[str | None, str], str] = {}
_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("rules_language", default=None)


def _(message: str) -> str:
    """gettext with a per-language memo (a roster import decides thousands of times);
    ``decide_eligibility`` looks the active language up once per decision."""
    language = _language.get() or translation.get_language()
    text = _TRANSLATED.get((language, message))
    if text is None:
        text = _TRANSLATED[(language, message)] = translation.gettext(message)
    return text

MALE = "M"
FEMALE = "F"

# Rule codes (stable: stored on Enrollment.eligibility and used by supervision and funds).
WORKING_AGE = "working_age"
EXCLUDED_GROUP = "excluded_group"
SESSION_OVERLAP = "session_overlap"
YEARLY_CAP = "yearly_cap"
SAME_OCCUPATION_LEVEL = "same_occupation_level"
LOWER_THAN_CERTIFICATE = "lower_than_certificate"
REQUIRED_GROUP = "required_group"
RULE_CODES = (
    WORKING_AGE, EXCLUDED_GROUP, SESSION_OVERLAP, YEARLY_CAP, SAME_OCCUPATION_LEVEL,
    LOWER_THAN_CERTIFICATE, REQUIRED_GROUP,
)


# ---------------------------------------------------------------- retirement age


@dataclass(frozen=True)
class RetirementStep:
    """One group of the 2024 decision: original age, first birth month affected, months of
    birth per month of delay, the most months of delay."""

    base_years: int
    first_birth_month: tuple[int, int]  # (year, month) whose original retirement month is 2025-01
    birth_months_per_delay_month: int
    max_delay_months: int


MEN = RetirementStep(60, (1965, 1), 4, 36)
WOMEN_CADRES = RetirementStep(55, (1970, 1), 4, 36)
WOMEN_WORKERS = RetirementStep(50, (1975, 1), 2, 60)


@dataclass(frozen=True)
class RetirementPolicy:
    reform: bool = True  # False: the pre-2025 fixed ages 60 / 55 / 50
    female_base: int = 55  # 55 (cadres; statistical working age) or 50 (women workers)

    def step_for(self, sex: str) -> RetirementStep:
        if sex == MALE:
            return MEN
        return WOMEN_WORKERS if self.female_base == 50 else WOMEN_CADRES


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    # The last day of the target month when the birth day does not exist in it (e.g. 29 Feb).
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retirement_delay_months(birth_date: dt.date, step: RetirementStep) -> int:
    first_year, first_month = step.first_birth_month
    since = (birth_date.year - first_year) * 12 + (birth_date.month - first_month)
    if since < 0:
        return 0
    return min(since // step.birth_months_per_delay_month + 1, step.max_delay_months)


def statutory_retirement_date(birth_date: dt.date, sex: str, policy: RetirementPolicy = RetirementPolicy()) -> dt.date:
    """The day a person reaches the statutory retirement age (the age in years plus the
    months of delay of the 2024 decision when ``policy.reform``)."""
    step = policy.step_for(sex)
    months = step.base_years * 12
    if policy.reform:
        months += retirement_delay_months(birth_date, step)
    return _add_months(birth_date, months)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# ---------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class Interval:
    starts_at: dt.datetime
    ends_at: dt.datetime

    def overlaps(self, other: Interval) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass(frozen=True)
class Membership:
    group_code: str
    group_name: str
    excludes_subsidy: bool
    valid_from: dt.date
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class PriorTraining:
    """Another enrollment of the same person that still counts (enrolled or completed)."""

    class_code: str
    year: int  # calendar year of the class start
    subsidised: bool
    occupation_id: int | None
    level_order: int | None
    sessions: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class Candidate:
    birth_date: dt.date
    sex: str
    memberships: tuple[Membership, ...] = ()
    prior: tuple[PriorTraining, ...] = ()
    certificates: tuple[tuple[int, int], ...] = ()  # (occupation_id, highest level order held)

    def certificate_level(self, occupation_id: int) -> int | None:
        levels = [level for occ, level in self.certificates if occ == occupation_id]
        return max(levels) if levels else None


@dataclass(frozen=True)
class Offer:
    """The class a person asks to join, with its project's requirements."""

    class_code: str
    start_date: dt.date
    occupation_id: int | None
    occupation_name: str = ""
    level_order: int | None = None
    level_name: str = ""
    required_groups: tuple[tuple[str, str], ...] = ()  # (code, name)
    sessions: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class EligibilityPolicy:
    min_age: int = 16
    yearly_cap: int = 3
    retirement: RetirementPolicy = field(default_factory=RetirementPolicy)


@dataclass(frozen=True)
class RuleResult:
    code: str
    ok: bool
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "ok": self.ok, "message": self.message}


@dataclass(frozen=True)
class Decision:
    results: tuple[RuleResult, ...]

    @property
    def eligible(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    @property
    def reasons(self) -> list[str]:
        return [r.message for r in self.failures]

    def as_list(self) -> list[dict[str, object]]:
        return [r.as_dict() for r in self.results]


def check_working_age(c: Candidate, o: Offer, p: EligibilityPolicy) -> RuleResult:
    age = age_on(c.birth_date, o.start_date)
    if age < p.min_age:
        return RuleResult(WORKING_AGE, False, _("Under %(min)d years old on the class start date (age %(age)d).")
                          % {"min": p.min_age, "age": age})
    retire_on = statutory_retirement_date(c.birth_date, c.sex, p.retirement)
    if o.start_date >= retire_on:
        return RuleResult(WORKING_AGE, False, _("Past the statutory retirement age on the class start date "
                                                "(reached it on %(day)s).") % {"day": retire_on.isoformat()})
    return RuleResult(WORKING_AGE, True, _("Of working age (age %(age)d).") % {"age": age})


def check_excluded_groups(c: Candidate, o: Offer, p: EligibilityPolicy) -> RuleResult:
    hits = sorted({m.group_name for m in c.memberships if m.excludes_subsidy and m.valid_on(o.start_date)})
    if hits:
        return RuleResult(EXCLUDED_GROUP, False, _("Belongs to a group not eligible for subsidised training: %(groups)s.")
                          % {"groups": "、".join(hits)})
    return RuleResult(EXCLUDED_GROUP, True, _("Not a pensioner or full-time student."))


def check_session_overlap(c: Candidate, o: Offer, p: EligibilityPolicy) -> RuleResult:
    for prior in c.prior:
        if prior.class_code == o.class_code:
            continue
        for mine in o.sessions:
            for theirs in prior.sessions:
                if mine.overlaps(theirs):
                    return RuleResult(SESSION_OVERLAP, False, _(
                        "A session on %(when)s overlaps a session of class %(code)s the person is enrolled in."
                    ) % {"when": local_minute(mine.starts_at), "code": prior.class_code})
    return RuleResult(SESSION_OVERLAP, True, _("No session overlaps another class of the person."))


def check_yearly_cap(c: Candidate, o: Offer, p: EligibilityPolicy) -> RuleResult:
    year = o.start_date.year
    used = sum(1 for t in c.prior if t.subsidised and t.year == year and t.class_code != o.class_code)
    if used >= p.yearly_cap:
        return RuleResult(YEARLY_CAP, False, _("Already has %(used)d subsidised trainings in %(year)d; "
                                               "the limit is %(cap)d a year.")
                          % {"used": used, "year": year, "cap": p.yearly_cap})
    return RuleResult(YEARLY_CAP, True, _("%(used)d of %(cap)d subsidised trainings used in %(year)d.")
                      % {"used": used, "cap": p.yearly_cap, "year": year})


def check_same_occupation_level(c: Candidate, o: Offer, p: EligibilityPolicy) -> RuleResult:
    if o.occupation_id is None or o.level_order is None:
        return RuleResult(SAME_OCCUPATION_LEVEL, True, _("No occupation level to compare."))
    for t in c.prior:
        if (t.subsidised and t.class_code != o.class_code
                and t.occupation_id == o.occupation_id and t.level_order == o.level_order):
            return RuleResult(SAME_OCCUPATION_LEVEL, False, _(
                "Already had subsidised training for %(occupation)s at level %(level)s (class %(code)s); "
                "the same occupation and level is subsidised only once."
            ) % {"occupation": o.occupation_name, "level": o.level_name, "code": t.class_code})
    return RuleResult(SAME_OCCUPATION_LEVEL, True, _("No subsidised training before for this occupation and level."))


def check_certificate_level(c: Candidate, o: Offer, p: EligibilityPolicy) -> RuleResult:
    if o.occupation_id is None or o.level_order is None:
        return RuleResult(LOWER_THAN_CERTIFICATE, True, _("No occupation level to compare."))
    held = c.certificate_level(o.occupation_id)
    if held is not None and held > o.level_order:
        return RuleResult(LOWER_THAN_CERTIFICATE, False, _(
            "Already holds a higher-level certificate for %(occupation)s; no subsidy for a lower level."
        ) % {"occupation": o.occupation_name})
    return RuleResult(LOWER_THAN_CERTIFICATE, True, _("No higher-level certificate held for this occupation."))


def check_required_groups(c: Candidate, o: Offer, p: EligibilityPolicy) -> RuleResult:
    if not o.required_groups:
        return RuleResult(REQUIRED_GROUP, True, _("The project is open to every eligible worker."))
    wanted = {code for code, _name in o.required_groups}
    if any(m.group_code in wanted and m.valid_on(o.start_date) for m in c.memberships):
        return RuleResult(REQUIRED_GROUP, True, _("Belongs to a target group of the project."))
    names = "、".join(name for _code, name in o.required_groups)
    return RuleResult(REQUIRED_GROUP, False, _("Not in a target group the project requires (%(groups)s) "
                                               "on the class start date.") % {"groups": names})


RULES = (  # check_working_age first: ``Decider`` relies on it being the only rule reading birth date and sex
    check_working_age, check_excluded_groups, check_session_overlap, check_yearly_cap,
    check_same_occupation_level, check_certificate_level, check_required_groups,
)


def decide_eligibility(candidate: Candidate, offer: Offer, policy: EligibilityPolicy | None = None) -> Decision:
    """Run every rule; the person is eligible for a subsidised place when all pass."""
    policy = policy or EligibilityPolicy()
    token = _language.set(translation.get_language())
    try:
        return Decision(tuple(rule(candidate, offer, policy) for rule in RULES))
    finally:
        _language.reset(token)


class Decider:
    """``decide_eligibility`` for many candidates of one offer (a roster), each distinct set of
    facts decided once: the working-age rule reads only the birth date and sex, the other
    rules only the memberships, prior trainings and certificates, so a roster of thousands
    has a few hundred distinct answers. ``decide(c)`` equals ``decide_eligibility(c, offer,
    policy)`` in the language active when the decider was made."""

    def __init__(self, offer: Offer, policy: EligibilityPolicy | None = None) -> None:
        self.offer = offer
        self.policy = policy or EligibilityPolicy()
        self.language = translation.get_language()
        self._age: dict[tuple[dt.date, str], RuleResult] = {}
        self._rest: dict[tuple[tuple[Membership, ...], tuple[PriorTraining, ...], tuple[tuple[int, int], ...]],
                         tuple[RuleResult, ...]] = {}
        # keyed by the ids of the memoised results (held above, so the ids stay theirs)
        self._decisions: dict[tuple[int, int], Decision] = {}
        self._stored: dict[int, str] = {}  # id of a decision in _decisions → its JSON

    def _run(self, rules: tuple[Callable[[Candidate, Offer, EligibilityPolicy], RuleResult], ...],
             candidate: Candidate) -> tuple[RuleResult, ...]:
        token = _language.set(self.language)
        try:
            return tuple(rule(candidate, self.offer, self.policy) for rule in rules)
        finally:
            _language.reset(token)

    def as_json(self, decision: Decision) -> str:
        """``json.dumps(decision.as_list())`` of a decision this decider made, dumped once."""
        text = self._stored.get(id(decision))
        if text is None:
            assert any(d is decision for d in self._decisions.values()), "not a decision of this decider"
            text = self._stored[id(decision)] = json.dumps(decision.as_list(), ensure_ascii=False)
        return text

    def decide(self, candidate: Candidate) -> Decision:
        age = self._age.get((candidate.birth_date, candidate.sex))
        if age is None:
            age = self._age[(candidate.birth_date, candidate.sex)] = self._run(RULES[:1], candidate)[0]
        key = (candidate.memberships, candidate.prior, candidate.certificates)
        rest = self._rest.get(key)
        if rest is None:
            rest = self._rest[key] = self._run(RULES[1:], candidate)
        decision = self._decisions.get((id(age), id(rest)))
        if decision is None:
            decision = self._decisions[(id(age), id(rest))] = Decision((age, *rest))
        return decision


# ---------------------------------------------------------------- attendance and completion


def credited_hours(
    session: Interval, session_hours: Decimal, check_in_at: dt.datetime, check_out_at: dt.datetime | None
) -> Decimal:
    """Hours a check-in/out earns: the session's hours times the share of the session between
    check-in and check-out (arriving early or leaving late earns nothing extra).

    A check-in without a check-out earns 0: presence for the lesson is not shown, only
    arrival (the usual proxy sign-in pattern). Rounded to 0.1 hour.
    """
    if check_out_at is None or check_out_at <= check_in_at:
        return Decimal("0")
    start = max(session.starts_at, check_in_at)
    end = min(session.ends_at, check_out_at)
    if end <= start:
        return Decimal("0")
    total = (session.ends_at - session.starts_at).total_seconds()
    share = Decimal(str((end - start).total_seconds() / total))
    return (session_hours * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def attendance_rate(attended_hours: Decimal, class_hours: Decimal) -> Decimal:
    """Attended hours / the class's scheduled hours, capped at 1, three decimals."""
    if class_hours <= 0:
        return Decimal("0")
    rate = min(Decimal(attended_hours) / Decimal(class_hours), Decimal("1"))
    return rate.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def is_completed(rate: Decimal, required: Decimal) -> bool:
    """Completion needs the project's required attendance rate (default 80%, DESIGN.md)."""
    return rate >= required


def yearly_subsidised_counts(prior: Iterable[PriorTraining]) -> Mapping[int, int]:
    counts: dict[int, int] = {}
    for t in prior:
        if t.subsidised:
            counts[t.year] = counts.get(t.year, 0) + 1
    return counts


# ---------------------------------------------------------------- attendance evidence (issue 13)

EARTH_RADIUS_METRES = 6_371_008.8  # mean Earth radius (IUGG)


def distance_metres(lat1: Decimal | float, lon1: Decimal | float, lat2: Decimal | float, lon2: Decimal | float) -> float:
    """Great-circle (haversine) distance between two WGS-84 points, in metres."""
    import math

    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def within_geofence(distance: float, radius_metres: int) -> bool:
    """Inside or on the circle: the radius itself is accepted (whole metres, rounded)."""
    return round(distance) <= radius_metres


def time_step(moment: dt.datetime, step_seconds: int) -> int:
    """The rotating code's time step: whole ``step_seconds`` periods since the Unix epoch."""
    return int(moment.timestamp()) // step_seconds


def step_accepted(token_step: int, current_step: int) -> bool:
    """A code is accepted in its own step and one step after (it was on the screen when scanned)."""
    return current_step - 1 <= token_step <= current_step


@dataclass(frozen=True)
class SessionEvidence:
    """One session of an enrollment as money sees it: the credited hours of its attendance
    row (0 when missing), how the row came to be, and whether a clean spot check verified it."""

    session_id: int
    hours: Decimal
    credited: Decimal
    provenance: str  # "captured", "declared" or "missing"
    verified: bool = False


@dataclass(frozen=True)
class EvidencedAttendance:
    sessions: int
    captured: int
    declared: int
    declared_verified: int
    declared_counted: int  # of the unverified declared sessions, those within the share
    declared_limit: int
    missing: int
    rate: Decimal

    @property
    def declared_uncounted(self) -> int:
        return self.declared - self.declared_verified - self.declared_counted

    def as_json(self) -> dict[str, int | str]:
        return {"sessions": self.sessions, "captured": self.captured, "declared": self.declared,
                "declared_verified": self.declared_verified, "declared_counted": self.declared_counted,
                "declared_limit": self.declared_limit, "missing": self.missing, "rate": str(self.rate)}


def evidenced_attendance(sessions: Iterable[SessionEvidence], declared_share: Decimal) -> EvidencedAttendance:
    """The attendance rate money counts (issue 13): captured sessions count fully; declared
    sessions verified by a clean spot check count fully; other declared sessions count for at
    most ``floor(declared_share × sessions)`` sessions (those crediting the most hours first);
    the rest count nothing until a spot check verifies them."""
    rows = list(sessions)
    total_hours = sum((s.hours for s in rows), Decimal("0"))
    limit = int((declared_share * len(rows)).to_integral_value(rounding=ROUND_FLOOR))
    captured = [s for s in rows if s.provenance == "captured"]
    declared = [s for s in rows if s.provenance == "declared"]
    verified = [s for s in declared if s.verified]
    unverified = sorted((s for s in declared if not s.verified), key=lambda s: (-s.credited, s.session_id))
    counted = unverified[:limit]
    credited = sum((s.credited for s in (*captured, *verified, *counted)), Decimal("0"))
    rate = Decimal("0") if total_hours == 0 else min(credited / total_hours, Decimal("1"))
    return EvidencedAttendance(
        sessions=len(rows), captured=len(captured), declared=len(declared), declared_verified=len(verified),
        declared_counted=len(counted), declared_limit=limit, missing=len(rows) - len(captured) - len(declared),
        rate=rate.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP),
    )


def spot_check_discrepancy(present: int, recorded: int) -> Decimal:
    """Share of the recorded trainees the officer did not find present (0 when none recorded
    or at least as many present as recorded)."""
    if recorded <= 0 or present >= recorded:
        return Decimal("0")
    return (Decimal(recorded - present) / Decimal(recorded)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def draw_sample(candidates: Iterable[int], rate: Decimal, seed: str) -> list[int]:
    """Reproducible sample: ``ceil(rate × n)`` of the sorted candidates (at least one when any),
    chosen by ``random.Random(seed)``; the same seed and candidates give the same selection."""
    import math
    import random

    pool = sorted(set(candidates))
    if not pool:
        return []
    k = min(len(pool), max(1, math.ceil(float(rate) * len(pool))))
    return sorted(random.Random(seed).sample(pool, k))  # noqa: S311 - sampling, not secrecy


# ---------------------------------------------------------------- class filing (开班备案)


@dataclass(frozen=True)
class NoticeVersion:
    valid_from: dt.date
    notice_days: int


def notice_in_force(versions: Iterable[NoticeVersion], day: dt.date) -> NoticeVersion | None:
    """The notice period in force on ``day``: the latest ``valid_from`` not after it."""
    return max((v for v in versions if v.valid_from <= day), key=lambda v: v.valid_from, default=None)


@dataclass(frozen=True)
class FilingTiming:
    days_ahead: int
    late: bool  # after the start date: refused
    short_notice: bool  # on time but inside the notice period: accepted for review, flagged in supervision
    notice_days: int


def filing_timing(*, start_date: dt.date, filed_on: dt.date, notice_days: int) -> FilingTiming:
    """A class is filed at least ``notice_days`` before it starts (鲁人社字〔2025〕37号 开班备案).

    Filing after the start date is refused; filing on the start date or later than the notice
    period allows is accepted for review and flagged (supervision R13)."""
    days_ahead = (start_date - filed_on).days
    return FilingTiming(days_ahead=days_ahead, late=days_ahead < 0,
                        short_notice=0 <= days_ahead < notice_days, notice_days=notice_days)
