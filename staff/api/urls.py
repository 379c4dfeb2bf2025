from staff.api import views


def register(router):
    router.register("hospitals", views.HospitalViewSet, basename="hospitals")
    router.register("departments", views.DepartmentViewSet, basename="departments")
    router.register("staff", views.StaffMemberViewSet, basename="staff")
    router.register("doctors", views.DoctorViewSet, basename="doctors")
