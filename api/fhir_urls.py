"""FHIR R4 referral endpoints, mounted at api/fhir/r4/."""

from django.urls import path

from . import fhir_views

app_name = "fhir_api"

urlpatterns = [
    path("", fhir_views.base, name="base"),
    path("metadata", fhir_views.base, name="metadata"),
    path("Task", fhir_views.tasks, name="tasks"),
    path("Task/<str:pk>", fhir_views.task, name="task"),
    path("ServiceRequest/<str:pk>", fhir_views.service_request, name="servicerequest"),
    path("Consent/<str:pk>", fhir_views.consent, name="consent"),
    path("Patient/<str:pk>", fhir_views.patient, name="patient"),
]
