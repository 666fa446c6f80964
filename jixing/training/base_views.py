"""The class page's training-base panel: which accepted booking the class is held under."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixing.bases.models import Booking, BookingStatus
from jixing.core.access import get_for_user
from jixing.core.permissions import AuthedRequest, require_roles

from . import base_actions
from .access import is_organiser_staff
from .models import TrainingClass
from .nav import READERS


class BookingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Booking) -> str:  # type: ignore[override]
        return f"{obj.code} · {obj.base.name} · {obj.facility.name} · {obj.starts_at:%Y-%m-%d}–{obj.ends_at:%Y-%m-%d}"


class BaseBookingForm(forms.Form):
    booking = BookingChoiceField(label=gettext_lazy("training base booking"), queryset=Booking.objects.none(),
                                     required=False)

    def __init__(self, *args: object, klass: TrainingClass, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["booking"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (Booking.objects.filter(requester_id=klass.project.organiser_id, status=BookingStatus.ACCEPTED)
                          .select_related("base", "facility").order_by("-starts_at"))


@require_roles(*READERS)
def class_base_booking(request: AuthedRequest, pk: int) -> HttpResponse:
    klass = get_for_user(TrainingClass.objects.select_related("project", "base_booking__base", "base_booking__facility"),
                         request.user, pk)
    can_edit = is_organiser_staff(request.user, klass.project) and not klass.is_locked
    form = BaseBookingForm(request.POST or None, klass=klass, initial={"booking": klass.base_booking_id})
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            base_actions.link_class_to_booking(klass, form.cleaned_data["booking"], by=request.user)
        except ValidationError as exc:
            form.add_error("booking" if hasattr(exc, "error_dict") and "booking" in exc.message_dict else None,
                           exc.message_dict.get("booking", exc.messages) if hasattr(exc, "error_dict") else exc.messages)
        else:
            if not getattr(request, "htmx", False):
                messages.success(request, _("Training base saved."))
                return redirect("training:class_detail", pk=klass.pk)
            form = BaseBookingForm(klass=klass, initial={"booking": klass.base_booking_id})
    return TemplateResponse(request, "training/_base_booking.html", {"klass": klass, "form": form, "can_edit": can_edit})
