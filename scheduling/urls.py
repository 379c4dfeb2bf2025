from django.urls import path

from scheduling.views import doctor, frontdesk, portal

app_name = "scheduling"
urlpatterns = [
    # Reception
    path("board/", frontdesk.board_view, name="board"),
    path("book/", frontdesk.book_view, name="book"),
    path("appointments/<int:pk>/check-in/", frontdesk.appointment_check_in_view, name="check_in"),
    path("appointments/<int:pk>/cancel/", frontdesk.appointment_cancel_view, name="cancel"),
    path("appointments/<int:pk>/no-show/", frontdesk.appointment_no_show_view, name="no_show"),
    path("appointments/<int:pk>/reschedule/", frontdesk.appointment_reschedule_view, name="reschedule"),
    # Doctors
    path("appointments/<int:pk>/start/", doctor.appointment_start_view, name="start"),
    path("appointments/<int:pk>/complete/", doctor.appointment_complete_view, name="complete"),
    path("my-schedule/", doctor.my_schedule_view, name="my_schedule"),
    path("availability/", doctor.availability_view, name="availability"),
    path("availability/add/", doctor.availability_add_view, name="availability_add"),
    path("availability/<int:pk>/end/", doctor.availability_end_view, name="availability_end"),
    path("time-off/add/", doctor.time_off_add_view, name="time_off_add"),
    path("time-off/<int:pk>/edit/", doctor.time_off_edit_view, name="time_off_edit"),
    path("time-off/<int:pk>/withdraw/", doctor.time_off_withdraw_view, name="time_off_withdraw"),
    # Patient portal
    path("my-appointments/", portal.portal_appointments_view, name="portal_appointments"),
    path("my-appointments/book/", portal.portal_book_view, name="portal_book"),
    path("my-appointments/<int:pk>/cancel/", portal.portal_cancel_view, name="portal_cancel"),
]
