from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.tokens, name="index"),
    path("<int:pk>/rotate/", views.token_rotate, name="rotate"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
    path("<int:pk>/uses/", views.token_uses, name="uses"),
]
