"""Scheduling pages, one module per audience: ``frontdesk`` (booking, the board and its actions), ``doctor``
(visits, my schedule, availability and time off) and ``portal`` (the patient's own appointments). Helpers they
share are in ``common``. URLs: scheduling/urls.py."""
