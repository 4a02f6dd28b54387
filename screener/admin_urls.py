from django.urls import path

from . import staff

app_name = "screening"

urlpatterns = [
    path("", staff.assist, name="assist"),
    path("results/", staff.results, name="results"),
    path("refer/", staff.refer, name="refer"),
    path("needs/", staff.needs_picture, name="needs"),
    path("needs.<str:fmt>", staff.needs_picture, name="needs_export"),
]
