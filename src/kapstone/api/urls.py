from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    # /accounts/api-tokens/: the member's personal API tokens (the API itself is under /api/v1/)
    path("", views.token_list, name="list"),
    path("<uuid:token_id>/revoke/", views.token_revoke, name="revoke"),
]
