import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from hms.exceptions import DomainError
from hms.pages import add_form_errors, staff_page
from staff.forms import RosterFilterForm, ShiftForm
from staff.selectors import roster_for_week
from staff.services import shift_cancel, shift_create


def _default_department(user):
    member = getattr(user, "staff_profile", None)
    return member.department if member and member.department_id else None


@staff_page("staff.view_shift")
def roster(request):
    """The weekly roster of one department: who works when, in the hospital's local time."""
    params = request.GET.copy()
    if "department" not in params and _default_department(request.user):
        params["department"] = _default_department(request.user).pk
    filter_form = RosterFilterForm(params or None)
    context = {"filter_form": filter_form}
    if filter_form.is_bound and filter_form.is_valid():
        department = filter_form.cleaned_data["department"]
        week_start = filter_form.week_start()
        shift_form = None
        if request.user.has_perm("staff.add_shift"):
            shift_form = ShiftForm(request.POST or None, department=department, initial={"day": week_start})
            if request.method == "POST" and shift_form.is_valid():
                try:
                    shift_create(
                        staff_member=shift_form.cleaned_data["staff_member"],
                        department=department,
                        start=shift_form.cleaned_data["start"],
                        end=shift_form.cleaned_data["end"],
                        notes=shift_form.cleaned_data["notes"],
                        acting_user=request.user,
                    )
                except (DomainError, ValidationError) as exc:
                    add_form_errors(shift_form, exc)
                else:
                    messages.success(request, "Shift added to the roster.")
                    return redirect(f"{reverse('staff:roster')}?department={department.pk}&week={week_start}")
        context.update(roster_for_week(department=department, week_start=week_start))
        context.update(
            {
                "department": department,
                "shift_form": shift_form,
                "previous_week": week_start - datetime.timedelta(days=7),
                "next_week": week_start + datetime.timedelta(days=7),
            }
        )
    return render(request, "staff/roster.html", context)


@staff_page("staff.change_shift")
def shift_cancel_view(request, pk):
    from django.shortcuts import get_object_or_404

    from staff.models import Shift

    if request.method != "POST":
        return redirect("staff:roster")
    shift = get_object_or_404(Shift.objects.select_related("department"), pk=pk)
    shift_cancel(shift=shift, acting_user=request.user)
    messages.success(request, "Shift cancelled.")
    local_day = shift.start.astimezone(shift.department.hospital.tzinfo).date()
    return redirect(f"{reverse('staff:roster')}?department={shift.department_id}&week={local_day}")
