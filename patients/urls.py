from django.urls import path

from patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_search_view, name="search"),
    path("register/", views.patient_register_view, name="register"),
    path("break-glass/", views.break_glass_reviews_view, name="break_glass_reviews"),
    path("break-glass/<int:pk>/review/", views.break_glass_review_view, name="break_glass_review"),
    path("<int:pk>/", views.patient_detail_view, name="detail"),
    path("<int:pk>/edit/", views.patient_edit_view, name="edit"),
    path("<int:pk>/break-glass/", views.break_glass_view, name="break_glass"),
    path("<int:pk>/consents/", views.consent_view, name="consent"),
    path("<int:pk>/active/", views.patient_set_active_view, name="set_active"),
    path("<int:pk>/allergies/add/", views.allergy_add_view, name="allergy_add"),
    path("<int:pk>/history/add/", views.medical_history_add_view, name="history_add"),
    path("<int:pk>/insurance/add/", views.insurance_policy_add_view, name="insurance_add"),
]
