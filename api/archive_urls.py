from django.urls import path

from . import archive_views

app_name = "api_archive"

urlpatterns = [
    path("import/", archive_views.import_archive, name="import"),
    path("<int:pk>/", archive_views.index, name="index"),
    path("<int:pk>/download/", archive_views.download, name="download"),
]
