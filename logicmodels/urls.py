from django.urls import path

from . import views

app_name = "logicmodels"

urlpatterns = [
    path("partnership/<int:pk>/", views.model_index, name="index"),
    path("<int:model_pk>/", views.model_detail, name="model"),
    path(
        "partnership/<int:pk>/from-proposal/<int:entry_pk>/",
        views.from_proposal,
        name="from_proposal",
    ),
    path("<int:model_pk>/elements/", views.element_add, name="element_add"),
    path("<int:model_pk>/links/", views.link_add, name="link_add"),
    path("<int:model_pk>/ties/", views.element_tie, name="element_tie"),
    path("<int:model_pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("<int:model_pk>/adopt/", views.model_adopt, name="adopt"),
    path("<int:model_pk>/new-version/", views.model_new_version, name="new_version"),
    path("<int:model_pk>/diagram.svg", views.diagram_svg, name="diagram"),
    path("<int:model_pk>/results.<str:fmt>", views.model_export, name="export"),
    path("indicators/<int:indicator_pk>/", views.indicator_detail, name="indicator"),
]
