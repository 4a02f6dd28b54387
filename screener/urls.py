from django.urls import path

from . import views

app_name = "screener"

urlpatterns = [
    path("", views.start, name="start"),
    path("results/", views.results, name="results"),
]
