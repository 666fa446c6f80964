"""Running the rules: incremental by default (only data changed since the rule's last
successful run, by its watermark), full on request; hits become findings without duplicates.

Each rule first reads (``_scan``: inside ``heavy_reads()``, so on the streaming replica when it
keeps up, in one read-only transaction there; on the primary otherwise or if the replica fails
mid-scan), then saves its findings in its own transaction on the primary: a rule that fails
leaves no half-written findings and its run is recorded as failed, the watermark unchanged, so
the next run retries the same window. The watermark is the time before the scan; the router's
fence makes the replica have replayed at least what the primary held when the scan began, so a
replica scan misses nothing a primary scan would have seen (and WATERMARK_OVERLAP re-reads ten
minutes on top).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from jixing.accounts.models import User
from jixing.core import audit, events
from jixing.core.db_router import forget_replica_state, heavy_reads, read_alias

from . import rules
from .models import Finding, FindingStatus, RuleSetting, RunStatus, SupervisionRun

log = logging.getLogger(__name__)

# Re-read a little before the watermark: rows committed late by a long transaction still get seen;
# fingerprints make the re-read harmless.
WATERMARK_OVERLAP = dt.timedelta(minutes=10)
BATCH = 500


@dataclass
class RuleResult:
    code: str
    status: str  # succeeded, failed, skipped
    mode: str = ""  # full, incremental
    hits: int = 0
    created: int = 0
    updated: int = 0
    seconds: float = 0.0
    reason: str = ""
    run_id: int | None = None


@dataclass
class RunReport:
    results: list[RuleResult] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rules": {r.code: {k: v for k, v in asdict(r).items() if k != "code"} for r in self.results},
            "created": sum(r.created for r in self.results),
            "updated": sum(r.updated for r in self.results),
            "failed": [r.code for r in self.results if r.status == RunStatus.FAILED],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class EffectiveSetting:
    enabled: bool
    severity: str
    params: dict[str, int | float]


def effective_setting(rule: type[rules.Rule]) -> EffectiveSetting:
    stored = RuleSetting.objects.filter(code=rule.code).first()
    params = rule.defaults()
    if stored is None:
        return EffectiveSetting(True, rule.severity, params)
    cleaned, _errors = rules.clean_params(rule.params, {k: v for k, v in stored.params.items() if k in params})
    return EffectiveSetting(stored.enabled, stored.severity or rule.severity, cleaned)


def last_watermark(code: str) -> dt.datetime | None:
    return (
        SupervisionRun.objects.filter(code=code, status=RunStatus.SUCCEEDED, watermark__isnull=False)
        .order_by("-watermark").values_list("watermark", flat=True).first()
    )


def run_rules(*, codes: Iterable[str] | None = None, full: bool = False, since: dt.datetime | None = None,
              by: User | None = None) -> RunReport:
    """Run the selected rules (all by default) and record one audit event for the whole run."""
    started = time.monotonic()
    registry = rules.by_code()
    wanted = list(codes) if codes else list(registry)
    unknown = [c for c in wanted if c not in registry]
    if unknown:
        raise ValueError(f"unknown rule(s): {', '.join(unknown)}")
    report = RunReport()
    for code in wanted:
        report.results.append(_run_one(registry[code], full=full, since=since, by=by, explicit=bool(codes)))
    report.seconds = time.monotonic() - started
    audit.record(
        "supervision.run", actor=by, object_type="supervision.run",
        detail={"full": full, "since": since.isoformat() if since else None, **report.as_dict()},
    )
    return report


def _run_one(rule: type[rules.Rule], *, full: bool, since: dt.datetime | None, by: User | None, explicit: bool) -> RuleResult:
    available, why = rule.available()
    if not available:
        return RuleResult(rule.code, "skipped", reason=why)
    setting = effective_setting(rule)
    if not setting.enabled and not explicit:
        return RuleResult(rule.code, "skipped", reason="disabled")
    window: dt.datetime | None = None
    if not full:
        if since is not None:
            window = since
        elif (mark := last_watermark(rule.code)) is not None:
            window = mark - WATERMARK_OVERLAP
    now = timezone.now()
    run = SupervisionRun.objects.create(
        code=rule.code, full=window is None, since=window, started_at=now, params=setting.params,
        started_by=by if getattr(by, "is_authenticated", False) else None,
    )
    clock = time.monotonic()
    result = RuleResult(rule.code, RunStatus.SUCCEEDED, mode="full" if window is None else "incremental",
                        run_id=run.pk)
    try:
        hits = _scan(rule, setting.params, window)
        result.hits = len(hits)
        with transaction.atomic(), events.batch(f"{rule.code} {rule.title}"):
            result.created, result.updated = save_hits(rule, hits, run=run, severity=setting.severity)
        run.status, run.watermark = RunStatus.SUCCEEDED, now
    except Exception as exc:  # a broken rule must not stop the others; its run records why
        log.exception("supervision rule %s failed", rule.code)
        result.status, result.reason = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500]
        run.status, run.error = RunStatus.FAILED, result.reason
    result.seconds = round(time.monotonic() - clock, 3)
    run.finished_at = timezone.now()
    run.hits, run.created, run.updated, run.seconds = result.hits, result.created, result.updated, result.seconds
    run.save()
    return result


def _scan(rule: type[rules.Rule], params: dict[str, Any], window: dt.datetime | None) -> list[rules.Hit]:
    """The rule's reads, outside the transaction that saves its findings: on the replica when the
    router says it keeps up, else (or when the replica fails mid-scan, e.g. a query cancelled by
    a recovery conflict) on the primary."""
    with heavy_reads():
        alias = read_alias()
        if alias != DEFAULT_DB_ALIAS:
            try:
                return _find_on(alias, rule, params, window)
            except DatabaseError as exc:
                log.warning("supervision rule %s: replica scan failed (%s); scanning the primary", rule.code, exc)
                forget_replica_state()
    return _find_on(DEFAULT_DB_ALIAS, rule, params, window)


def _find_on(alias: str, rule: type[rules.Rule], params: dict[str, Any],
             window: dt.datetime | None) -> list[rules.Hit]:
    """One read transaction (one snapshot for all of the rule's queries) on ``alias``."""
    with transaction.atomic(using=alias):
        _tune_session(alias)
        return rule().find(params, window)


def _tune_session(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Scans sort millions of rows: give this transaction room to sort in memory (PostgreSQL;
    ``JIXING_SUPERVISION_WORK_MEM``, default 512MB), and no JIT: the rules' plans are simple and
    compiling them cost ~0.3 s per query at 3 M attendance rows (bench/supervision.py).
    SET LOCAL ends with the transaction."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    work_mem = getattr(settings, "JIXING_SUPERVISION_WORK_MEM", "512MB")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)", [work_mem])


def _content_type(label: str) -> ContentType:
    """Django's manager caches content types and clears that cache when they are re-created
    (a module-level dict here would keep ids that no longer exist after a flush)."""
    app_label, model = label.lower().split(".")
    return ContentType.objects.get_by_natural_key(app_label, model)


def save_hits(rule: type[rules.Rule], hits: list[rules.Hit], *, run: SupervisionRun, severity: str) -> tuple[int, int]:
    """Create findings for new fingerprints; refresh the evidence of unresolved ones already known.

    Findings already in a case or decided keep the evidence they were decided on."""
    now = timezone.now()
    by_fp: dict[str, rules.Hit] = {}
    for hit in hits:
        by_fp[rules.fingerprint(rule.code, hit.subject_model, hit.subject_id, hit.key)] = hit
    created = updated = 0
    fps = list(by_fp)
    for start in range(0, len(fps), BATCH):
        chunk = fps[start:start + BATCH]
        existing = {f.fingerprint: f for f in Finding.objects.filter(fingerprint__in=chunk)}
        new, changed = [], []
        for fp in chunk:
            hit = by_fp[fp]
            evidence = {"context": hit.context, **hit.evidence}
            finding = existing.get(fp)
            if finding is None:
                new.append(Finding(
                    code=rule.code, fingerprint=fp, subject_type=_content_type(hit.subject_model),
                    subject_id=str(hit.subject_id), subject_label=hit.subject_label[:200],
                    organisation_id=hit.organisation_id, county_id=hit.county_id,
                    severity=hit.severity or severity, evidence=evidence, first_run=run, last_seen_at=now,
                ))
                continue
            finding.last_seen_at = now
            if finding.status in (FindingStatus.OPEN, FindingStatus.EXPLAINED) and finding.evidence != evidence:
                finding.evidence = evidence
                finding.subject_label = hit.subject_label[:200]
                updated += 1
            changed.append(finding)
        Finding.objects.bulk_create(new, batch_size=BATCH)
        for finding in new:
            events.publish("supervision.finding.opened", obj=finding, title=f"{rule.code} {rule.title}")
        Finding.objects.bulk_update(changed, ["last_seen_at", "evidence", "subject_label"], batch_size=BATCH)
        created += len(new)
    return created, updated
