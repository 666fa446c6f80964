"""Signals training sends for apps above it (they may not be imported from here).

``spot_check_recorded`` (sender: SpotCheck, ``spot_check_id``): sent after the visit record is
committed; supervision connects R12 to it so a discrepancy opens a finding at once.
"""

from __future__ import annotations

from django.dispatch import Signal

spot_check_recorded = Signal()
