from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    # Reception
    path("board/", views.board_view, name="board"),
    path("book/", views.book_view, name="book"),
    path("appointments/<int:pk>/check-in/", views.appointment_check_in_view, name="check_in"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel_view, name="cancel"),
    path("appointments/<int:pk>/no-show/", views.appointment_no_show_view, name="no_show"),
    path("appointments/<int:pk>/reschedule/", views.appointment_reschedule_view, name="reschedule"),
    # Doctors
    path("appointments/<int:pk>/start/", views.appointment_start_view, name="start"),
    path("appointments/<int:pk>/complete/", views.appointment_complete_view, name="complete"),
    path("my-schedule/", views.my_schedule_view, name="my_schedule"),
    path("availability/", views.availability_view, name="availability"),
    path("availability/add/", views.availability_add_view, name="availability_add"),
    path("availability/<int:pk>/end/", views.availability_end_view, name="availability_end"),
    path("time-off/add/", views.time_off_add_view, name="time_off_add"),
    path("time-off/<int:pk>/edit/", views.time_off_edit_view, name="time_off_edit"),
    path("time-off/<int:pk>/withdraw/", views.time_off_withdraw_view, name="time_off_withdraw"),
    # Patient portal
    path("my-appointments/", views.portal_appointments_view, name="portal_appointments"),
    path("my-appointments/book/", views.portal_book_view, name="portal_book"),
    path("my-appointments/<int:pk>/cancel/", views.portal_cancel_view, name="portal_cancel"),
]
