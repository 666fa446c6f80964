"""Evaluation in the admin: pass rules are configuration (edited with an audit row per save);
filings, sessions, results and certificates change only through the actions, so the admin
shows them read-only."""

from __future__ import annotations

from django.contrib import admin

from jixing.core.admin_base import JixingModelAdmin, ReadOnlyModelAdmin

from .engineer_models import DigitalField
from .models import Certificate, DirectRecognition, EvaluationFiling, EvaluationResult, EvaluationSession, PassRule


@admin.register(PassRule)
class PassRuleAdmin(JixingModelAdmin):
    list_display = ["occupation", "level", "theory_min", "practical_min", "comprehensive_min", "source"]
    list_filter = ["level"]
    fields = ["occupation", "level", "theory_min", "practical_min", "comprehensive_min", "source"]


@admin.register(EvaluationFiling)
class EvaluationFilingAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "organisation", "kind", "valid_from", "valid_to", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "organisation__name"]


@admin.register(EvaluationSession)
class EvaluationSessionAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "filing", "occupation", "level", "mode", "date", "status"]
    list_filter = ["status", "mode"]
    search_fields = ["code"]


@admin.register(EvaluationResult)
class EvaluationResultAdmin(ReadOnlyModelAdmin):
    list_display = ["candidate", "version", "theory_score", "practical_score", "comprehensive_score", "passed", "status"]
    list_filter = ["status", "passed"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "occupation", "level", "mode", "issuer", "issued_on", "status"]
    list_filter = ["status", "mode", "level"]
    search_fields = ["number"]
    exclude = ["person"]  # the holder's identity is seen masked on the pages, not here


@admin.register(DirectRecognition)
class DirectRecognitionAdmin(ReadOnlyModelAdmin):
    list_display = ["organisation", "occupation", "level", "status", "decided_at"]
    list_filter = ["status"]
    exclude = ["person"]


@admin.register(DigitalField)
class DigitalFieldAdmin(JixingModelAdmin):
    """The 数字技术工程师 fields (reference data); codes stay blank until verified."""

    list_display = ["key", "name", "code", "verified"]
    fields = ["key", "name", "code", "verified", "source"]
