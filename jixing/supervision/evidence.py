"""Evidence laid out for a page: the records a finding rests on, and a timeline of check-ins
(ECharts: one bar from check-in to check-out per record) where times are involved."""

from __future__ import annotations

from typing import Any

from .models import Finding

MAX_TIMELINE_ROWS = 80


def _timeline(records: list[dict[str, Any]], label_key: str) -> dict[str, Any] | None:
    rows = [r for r in records if r.get("check_in")][:MAX_TIMELINE_ROWS]
    if not rows:
        return None
    labels: list[str] = []
    points: list[Any] = []
    for r in rows:
        label = str(r.get(label_key) or r.get("id"))
        if label not in labels:
            labels.append(label)
        end = r.get("check_out") or r["check_in"]
        points += [[r["check_in"], label], [end, label], "-"]
    return {"labels": labels, "points": points}


def layout(finding: Finding) -> dict[str, Any]:
    """What the finding page shows, by the rule's layout."""
    ev = finding.evidence or {}
    rule = finding.rule
    kind = getattr(rule, "layout", "records")
    view: dict[str, Any] = {"kind": kind, "explanation": finding.explanation, "evidence": ev,
                            "timeline_id": f"timeline-{finding.pk}"}
    if kind == "overlap":
        records = []
        for pair in ev.get("pairs", []):
            records += [pair["a"], pair["b"]]
        view["pairs"] = ev.get("pairs", [])
        view["classes"] = ev.get("classes", [])
        view["timeline"] = _timeline(records, "class_code")
    elif kind == "teacher_overlap":
        view["pairs"] = ev.get("pairs", [])
        view["classes"] = ev.get("classes", [])
        records = []
        for pair in ev.get("pairs", []):
            for s in (pair["a"], pair["b"]):
                records.append({"id": s["id"], "class_code": s["class_code"], "check_in": s["starts_at"],
                                "check_out": s["ends_at"]})
        view["timeline"] = _timeline(records, "class_code")
    elif kind in ("timeline", "distance"):
        view["records"] = ev.get("records", [])
        view["timeline"] = _timeline(view["records"], "person")
    return view
