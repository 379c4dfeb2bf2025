from django.urls import path

from clinical import views

app_name = "clinical"
urlpatterns = [
    # Doctors: the visit of an appointment
    path("visits/<int:pk>/", views.visit_view, name="visit"),
    path("visits/<int:pk>/icd10/", views.visit_icd10_view, name="visit_icd10"),
    path("visits/<int:pk>/open/", views.visit_open_view, name="visit_open"),
    path("visits/<int:pk>/notes/", views.visit_notes_view, name="visit_notes"),
    path("visits/<int:pk>/diagnoses/", views.visit_diagnosis_add_view, name="visit_diagnosis_add"),
    path("visits/<int:pk>/procedures/", views.visit_procedure_add_view, name="visit_procedure_add"),
    path("visits/<int:pk>/prescriptions/", views.visit_prescription_add_view, name="visit_prescription_add"),
    path("visits/<int:pk>/lab-orders/", views.visit_lab_order_add_view, name="visit_lab_order_add"),
    path(
        "visits/<int:pk>/diagnoses/<int:diagnosis_pk>/remove/",
        views.visit_diagnosis_remove_view,
        name="visit_diagnosis_remove",
    ),
    path(
        "visits/<int:pk>/prescriptions/<int:prescription_pk>/cancel/",
        views.visit_prescription_cancel_view,
        name="visit_prescription_cancel",
    ),
    path("visits/<int:pk>/amend/", views.visit_amend_view, name="visit_amend"),
    path("visits/<int:pk>/sign/", views.visit_sign_view, name="visit_sign"),
    path("visits/<int:pk>/complete/", views.visit_complete_view, name="visit_complete"),
    # Nurses
    path("visits/<int:pk>/vitals/", views.vitals_view, name="vitals"),
    path("vitals/queue/", views.vitals_queue_view, name="vitals_queue"),
    # Lab technicians
    path("lab/worklist/", views.lab_worklist_view, name="lab_worklist"),
    path("lab/orders/<int:pk>/collect/", views.lab_collect_view, name="lab_collect"),
    path("lab/orders/<int:pk>/result/", views.lab_result_view, name="lab_result"),
    path("lab/orders/<int:pk>/correct/", views.lab_correct_view, name="lab_correct"),
    path("lab/results/<int:pk>/call/", views.result_call_view, name="result_call"),
    # Doctors: the results inbox
    path("results/", views.results_inbox_view, name="results_inbox"),
    path("results/<int:pk>/acknowledge/", views.result_acknowledge_view, name="result_acknowledge"),
    # Charts
    path("patients/<int:pk>/chart/", views.chart_view, name="chart"),
    path("my-history/", views.my_history_view, name="my_history"),
]
