"""What the apps above scheduling add to the doctor's start page (my schedule), without scheduling importing them.

An app registers a panel in its ``AppConfig.ready()``: a template and a function ``(doctor, user) -> dict`` that
reads what the panel shows (within the page's query budget: one query a panel). clinical adds the results inbox,
the critical-result banner and the unsigned records this way.
"""

_DOCTOR_PANELS = []


def register_doctor_panel(*, name, template, context):
    """Add (once per name) a panel to the doctor's own start page."""
    if not any(panel[0] == name for panel in _DOCTOR_PANELS):
        _DOCTOR_PANELS.append((name, template, context))


def doctor_panels(*, doctor, user):
    """The registered panels for this doctor, each as {"name", "template", **its context}."""
    return [{"name": name, "template": template, **context(doctor=doctor, user=user)} for name, template, context in
            _DOCTOR_PANELS]  # fmt: skip
