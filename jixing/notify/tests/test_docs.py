"""docs/notifications.md lists every event of the table with its channels and template."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixing.notify.catalogue import EVENTS, EventSpec

DOC = Path(__file__).resolve().parents[3] / "docs" / "notifications.md"
CHANNEL_NAMES = {"in_app": "in-app", "email": "email", "sms": "SMS"}


@pytest.mark.parametrize("spec", EVENTS, ids=lambda s: s.name)
def test_the_docs_list_the_event_with_its_channels_and_template(spec: EventSpec) -> None:
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{spec.name}` |")]
    assert len(rows) == 1, f"{spec.name} missing from docs/notifications.md"
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    channels = ", ".join(CHANNEL_NAMES[c] for c in ("in_app", "email", "sms") if c in spec.channels)
    assert cells[1] == spec.kind and cells[3] == channels and cells[4] == f"`{spec.template}`"
    assert (cells[5] == "—" or cells[5].startswith("— ")) == (not spec.published)
