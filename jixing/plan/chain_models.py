"""Industrial chains and skill-master studios (鲁人社字〔2025〕87号 一(七)): "围绕我省18条标志性
产业链和66条重点产业链，培育技能生态链链主企业……链主企业可优先建设技能实训基地和技能大师工作室".

A chain is reference data with its source; where the province has not published a chain's name
the row is a placeholder (``is_placeholder``) and says so — never an invented name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jixing.core.access import scope_for, scope_q
from jixing.core.models import ArchivableModel, ArchivableQuerySet
from jixing.registry.models import Organisation


class ChainTier(models.TextChoices):
    SIGNATURE = "signature", _("signature industrial chain (标志性产业链)")
    KEY = "key", _("key industrial chain (重点产业链)")


class IndustrialChain(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    tier = models.CharField(_("tier"), max_length=20, choices=ChainTier.choices)
    number = models.PositiveSmallIntegerField(_("number in its list"))
    name = models.CharField(_("name"), max_length=100)
    lead_department = models.ForeignKey("registry.Department", verbose_name=_("lead department"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    key_occupations = models.ManyToManyField("registry.Occupation", verbose_name=_("key occupations"), blank=True,
                                             related_name="chains")
    is_placeholder = models.BooleanField(_("placeholder (list not published in full)"), default=False)
    source = models.TextField(_("source"))
    history = HistoricalRecords(m2m_fields=[key_occupations])

    class Meta:
        ordering = ["tier", "number"]
        verbose_name = _("industrial chain")
        verbose_name_plural = _("industrial chains")
        constraints = [
            models.UniqueConstraint(fields=["tier", "number"], name="chain_number_once_per_tier"),
            models.CheckConstraint(name="chain_number_positive", condition=Q(number__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name


class ChainLeaderQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> ChainLeaderQuerySet:
        """Chain leaders are public recognition: whoever may see the enterprise sees its leaderships
        (the organisation's declared scope: officers their region's, an enterprise itself)."""
        return self.filter(organisation__in=Organisation.objects.visible_to(user).values("pk"))


class ChainLeader(ArchivableModel):
    """An enterprise recognised as 链主企业 of one chain (an enterprise may lead several)."""

    chain = models.ForeignKey(IndustrialChain, verbose_name=_("industrial chain"), on_delete=models.PROTECT,
                              related_name="leaders")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                     related_name="chain_leaderships")
    recognised_on = models.DateField(_("recognised on"))
    basis = models.CharField(_("basis (document or decision)"), max_length=200)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChainLeaderQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "organisation"]
        verbose_name = _("chain-leader enterprise")
        verbose_name_plural = _("chain-leader enterprises")
        constraints = [
            models.UniqueConstraint(fields=["chain", "organisation"], condition=Q(archived_at__isnull=True),
                                    name="chain_leader_once_while_live"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} · {self.organisation}"


class StudioLevel(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")
    ENTERPRISE = "enterprise", _("enterprise")


class MasterStudioQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> MasterStudioQuerySet:
        """A studio is seen by whoever sees its host enterprise, and by the studio's own login."""
        scope = scope_for(user)
        visible = Organisation.objects.visible_to(user).values("pk")
        q = Q(host__in=visible)
        if scope.organisation_id:
            q |= scope_q(scope, organisation=["organisation"])
        return self.filter(q)


class MasterStudio(ArchivableModel):
    """A 技能大师工作室: hosted by an enterprise (a chain leader builds them first, 一(七)); where
    the studio is registered as an organisation of its own (kind ``master_studio``) it is linked."""

    name = models.CharField(_("name"), max_length=120)
    host = models.ForeignKey("registry.Organisation", verbose_name=_("host enterprise"), on_delete=models.PROTECT,
                             related_name="master_studios")
    organisation = models.OneToOneField("registry.Organisation", verbose_name=_("registered as organisation"),
                                        null=True, blank=True, on_delete=models.PROTECT, related_name="studio")
    chain = models.ForeignKey(IndustrialChain, verbose_name=_("industrial chain"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="studios")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=20, choices=StudioLevel.choices)
    recognised_on = models.DateField(_("recognised on"))
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = MasterStudioQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill master studio")
        verbose_name_plural = _("skill master studios")
        constraints = [
            models.UniqueConstraint(fields=["host", "name"], name="studio_name_once_per_host"),
        ]

    def __str__(self) -> str:
        return self.name


class StudioRole(models.TextChoices):
    MASTER = "master", _("master (技能大师)")
    APPRENTICE = "apprentice", _("apprentice")


class StudioMember(ArchivableModel):
    """A master or an apprentice of a studio over a period; an apprentice names their master."""

    studio = models.ForeignKey(MasterStudio, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=StudioRole.choices)
    master = models.ForeignKey("self", verbose_name=_("master"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="apprentices")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["studio", "role", "joined_on", "id"]
        verbose_name = _("studio member")
        verbose_name_plural = _("studio members")
        constraints = [
            models.UniqueConstraint(fields=["studio", "person", "role"], condition=Q(archived_at__isnull=True),
                                    name="studio_member_once_while_live"),
            models.CheckConstraint(name="studio_member_period_ordered",
                                   condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on"))),
            models.CheckConstraint(name="studio_only_apprentice_has_master",
                                   condition=Q(role="apprentice") | Q(master__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.studio} · {self.get_role_display()} · {self.person.name}"
