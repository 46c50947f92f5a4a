from django.urls import path

from .views import ledger, setup

app_name = "register"

urlpatterns = [
    # /register/: the overview, containers and their movements (clinical roles see; movers move)
    path("register/", ledger.index, name="index"),
    path("register/containers/<uuid:container_id>/", ledger.container, name="container"),
    path("register/receive/", ledger.receive, name="receive"),
    path("register/containers/<uuid:container_id>/waste/", ledger.waste, name="waste"),
    path("register/containers/<uuid:container_id>/transfer/", ledger.transfer, name="transfer"),
    path("register/containers/<uuid:container_id>/return/", ledger.return_to_distributor, name="return"),
    path("register/containers/<uuid:container_id>/destroy/", ledger.destroy, name="destroy"),
    path("register/containers/<uuid:container_id>/loss/", ledger.loss, name="loss"),
    path("register/containers/<uuid:container_id>/set-aside/", ledger.set_aside, name="set_aside"),
    path("register/entries/<uuid:entry_id>/correct/", ledger.correct, name="correct"),
    # counts, discrepancies and theft/loss reporting tasks
    path("register/counts/", ledger.count_list, name="counts"),
    path("register/counts/new/", ledger.count_new, name="count_new"),
    path("register/counts/<uuid:count_id>/", ledger.count_detail, name="count"),
    path("register/discrepancies/", ledger.discrepancy_list, name="discrepancies"),
    path("register/discrepancies/<uuid:discrepancy_id>/explain/", ledger.explain, name="explain"),
    path("register/tasks/", ledger.task_list, name="tasks"),
    path("register/tasks/<uuid:task_id>/done/", ledger.task_done, name="task_done"),
    # reports for any period, on screen, as CSV and as PDF
    path("register/reports/", ledger.report, name="report"),
    path("register/reports.csv", ledger.report_csv, name="report_csv"),
    path("register/reports.pdf", ledger.report_pdf, name="report_pdf"),
    # setting up: admins
    path("register/locations/", setup.locations, name="locations"),
    path("register/locations/<uuid:location_id>/", setup.location, name="location"),
    path("register/products/", setup.products, name="products"),
    path("register/products/<uuid:product_id>/", setup.product, name="product"),
    path("register/settings/", setup.register_settings, name="settings"),
]
