from django.urls import path

from . import public, views

app_name = "measures"

urlpatterns = [
    # /clients/<id>/measures/: one client's questionnaires, outcomes and alerts (clinical roles)
    path("clients/<uuid:client_id>/measures/", views.client_measures, name="client"),
    path("clients/<uuid:client_id>/measures/administer/", views.administer, name="choose"),
    path(
        "clients/<uuid:client_id>/measures/administer/<str:instrument_id>/",
        views.administer,
        name="administer",
    ),
    path(
        "clients/<uuid:client_id>/measures/responses/<uuid:response_id>/",
        views.response_detail,
        name="response",
    ),
    path("clients/<uuid:client_id>/measures/assign/", views.assign, name="assign"),
    path("clients/<uuid:client_id>/measures/assign-plan/", views.assign_plan, name="assign_plan"),
    path(
        "clients/<uuid:client_id>/measures/assignments/<uuid:assignment_id>/link/",
        views.new_link,
        name="new_link",
    ),
    path("clients/<uuid:client_id>/alerts/<uuid:alert_id>/", views.acknowledge, name="acknowledge"),
    # /measures/: practice-wide lists
    path("measures/alerts/", views.alert_list, name="alerts"),
    path("measures/due/", views.due_list, name="due"),
    path("measures/outcomes/", views.outcomes, name="outcomes"),
    path("measures/plan/", views.plan, name="plan"),
    path("measures/plan/<int:item_id>/remove/", views.plan_remove, name="plan_remove"),
    # /q/<token>/: the client's one-time questionnaire link (public)
    path("q/<str:token>/", public.questionnaire, name="link"),
]
