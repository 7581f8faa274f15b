from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("download/<slug:chart>.csv", views.download, name="download"),
    path("refresh/", views.refresh, name="refresh"),
    path("<slug:chart>/", views.chart_page, name="chart"),
]
