from django.urls import path

from . import setup_views, views

app_name = "register"

urlpatterns = [
    # /register/: the overview, containers and their movements (clinical roles see; movers move)
    path("register/", views.index, name="index"),
    path("register/containers/<uuid:container_id>/", views.container, name="container"),
    path("register/receive/", views.receive, name="receive"),
    path("register/draw/", views.draw, name="draw"),
    path("register/containers/<uuid:container_id>/waste/", views.waste, name="waste"),
    path("register/containers/<uuid:container_id>/transfer/", views.transfer, name="transfer"),
    path("register/containers/<uuid:container_id>/return/", views.return_to_distributor, name="return"),
    path("register/containers/<uuid:container_id>/destroy/", views.destroy, name="destroy"),
    path("register/containers/<uuid:container_id>/loss/", views.loss, name="loss"),
    path("register/containers/<uuid:container_id>/set-aside/", views.set_aside, name="set_aside"),
    path("register/entries/<uuid:entry_id>/correct/", views.correct, name="correct"),
    # counts, discrepancies and theft/loss reporting tasks
    path("register/counts/", views.count_list, name="counts"),
    path("register/counts/new/", views.count_new, name="count_new"),
    path("register/counts/<uuid:count_id>/", views.count_detail, name="count"),
    path("register/discrepancies/", views.discrepancy_list, name="discrepancies"),
    path("register/discrepancies/<uuid:discrepancy_id>/explain/", views.explain, name="explain"),
    path("register/tasks/", views.task_list, name="tasks"),
    path("register/tasks/<uuid:task_id>/done/", views.task_done, name="task_done"),
    # reports for any period, on screen and as CSV
    path("register/reports/", views.report, name="report"),
    path("register/reports.csv", views.report_csv, name="report_csv"),
    # setting up: admins
    path("register/locations/", setup_views.locations, name="locations"),
    path("register/locations/<uuid:location_id>/", setup_views.location, name="location"),
    path("register/products/", setup_views.products, name="products"),
    path("register/products/<uuid:product_id>/", setup_views.product, name="product"),
    path("register/settings/", setup_views.register_settings, name="settings"),
]
