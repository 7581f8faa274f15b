from django.urls import include, path

urlpatterns = [
    path("", include("thrive.care.urls")),
    path("account/", include("thrive.accounts.urls")),
    path("young-people/", include("thrive.people.urls")),
    path("risk/", include("thrive.risk.urls")),
    path("sharing/", include("thrive.sharing.urls")),
]
