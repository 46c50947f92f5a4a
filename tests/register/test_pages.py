"""The register's pages: setting up, receiving, drawing, witnessed waste, counting, explaining;
bad input is refused next to its field and nothing typed is lost; pages cost bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.practice.tenancy import scopes_disabled
from kapstone.register import services
from kapstone.register.models import Container, Discrepancy, Entry, Location, Product, RegisterHandler
from tests.factories import PASSWORD

from .builders import ketamine_vial, make_location, receive, request_as, safe_of


def sign_in(client, world, role="prescriber"):
    client.force_login(world.members[role].user)


def errors_of(response) -> str:
    return response.content.decode()


def test_an_admin_sets_up_a_location_and_a_bad_dea_number_is_refused(client, world):
    sign_in(client, world, "admin")
    data = {
        "name": "Downtown clinic",
        "address": "12 Elm St, Chicago IL",
        "dea_number": "12345",
        "dea_expires_on": "2028-01-31",
        "is_active": "on",
    }
    response = client.post(reverse("register:locations"), data)
    assert response.status_code == 200
    assert "is not a DEA registration number: two letters and seven digits" in errors_of(response)
    assert 'value="12 Elm St, Chicago IL"' in errors_of(response) or "12 Elm St, Chicago IL" in errors_of(
        response
    )
    response = client.post(reverse("register:locations"), {**data, "dea_number": "ab1234563"})
    with scopes_disabled():
        location = Location.objects.get()
    assert location.dea_number == "AB1234563"
    assert response["Location"] == reverse("register:location", args=[location.pk])
    response = client.post(
        reverse("register:location", args=[location.pk]),
        {"storage": "1", "storage-name": "Safe A", "storage-kind": "safe"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="register.storage.saved").count() == 1


def test_a_bad_ndc_is_refused_and_the_product_form_keeps_the_rest(client, world):
    sign_in(client, world, "admin")
    data = {
        "substance": "ketamine",
        "name": "Ketamine HCl Injection",
        "ndc": "12-34",
        "form": "injection",
        "strength_mg": "50",
        "per_container": "10",
        "is_active": "on",
    }
    response = client.post(reverse("register:products"), data)
    assert "is not an NDC" in errors_of(response) and 'value="Ketamine HCl Injection"' in errors_of(response)
    client.post(reverse("register:products"), {**data, "ndc": ""})
    with scopes_disabled():
        assert str(Product.objects.get()) == "Ketamine HCl injection (solution) 50 mg/mL, 10 mL vial"


def receipt_data(location, product, **changes):
    with scopes_disabled():
        storage = safe_of(location)
    data = {
        "location": location.pk,
        "received_on": "2026-01-05",
        "invoice_number": "INV-77",
        "supplier_name": "Acme Pharma Distribution",
        "supplier_address": "1 Supply Way, Memphis TN",
        "supplier_dea_number": "RA1234567",
        "line-TOTAL_FORMS": "3",
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "3",
        "line-0-product": product.pk,
        "line-0-containers": "2",
        "line-0-lot": "K2601",
        "line-0-expires_on": "2028-01-31",
        "line-0-storage": storage.pk,
    }
    return {**data, **changes}


def test_a_prescriber_records_a_receipt_from_the_invoice(client, world):
    location, product = make_location(world.practice), ketamine_vial(world.practice)
    sign_in(client, world)
    data = receipt_data(location, product, received_by=world.members["prescriber"].pk)
    response = client.post(reverse("register:receive"), {**data, "line-0-lot": ""})
    assert response.status_code == 200 and "Required for each product received" in errors_of(response)
    assert 'value="INV-77"' in errors_of(response)
    response = client.post(reverse("register:receive"), data, follow=True)
    assert "Received invoice INV-77: V-0001, V-0002." in errors_of(response)
    with scopes_disabled():
        assert Container.objects.filter(lot="K2601", balance=10).count() == 2


def test_waste_with_the_wrong_witness_password_is_refused_and_keeps_the_amount(client, world):
    location = make_location(world.practice)
    (vial,) = receive(world.members["prescriber"], location, ketamine_vial(world.practice))
    sign_in(client, world)
    data = {
        "quantity": "0.4",
        "manner": "Drug-waste container",
        "witness": world.members["monitor"].pk,
        "witness_password": "wrong",
    }
    response = client.post(reverse("register:waste", args=[vial.pk]), data)
    assert "That is not A monitor" in errors_of(response) and 'value="0.4"' in errors_of(response)
    response = client.post(reverse("register:waste", args=[vial.pk]), {**data, "witness_password": PASSWORD})
    assert response.status_code == 302
    with scopes_disabled():
        assert Entry.objects.get(kind="waste").witness == world.members["monitor"].user


def test_the_witness_list_leaves_out_the_recorder_and_the_front_desk(client, world):
    location = make_location(world.practice)
    (vial,) = receive(world.members["prescriber"], location, ketamine_vial(world.practice))
    sign_in(client, world)
    html = client.get(reverse("register:waste", args=[vial.pk])).content.decode()
    assert "A monitor (Monitor)" in html and "A prescriber (Prescriber)" not in html
    assert "A front_desk" not in html


def test_a_count_with_a_discrepancy_is_explained_on_its_page(client, world):
    location = make_location(world.practice)
    (vial,) = receive(world.members["prescriber"], location, ketamine_vial(world.practice))
    sign_in(client, world)
    url = reverse("register:count_new") + f"?location={location.pk}&kind=ad_hoc"
    assert "V-0001 found (mL)" in client.get(url).content.decode()
    data = {
        "business_time": "shift",
        "date": world.practice.today().isoformat(),
        "time": "00:00",
        f"counted_{vial.pk}": "9",
        f"method_{vial.pk}": "estimated",
    }
    response = client.post(url, data)
    assert "V-0001 is sealed: count it exactly" in errors_of(response)
    response = client.post(url, {**data, f"method_{vial.pk}": "exact"}, follow=True)
    assert "1 discrepancy to explain" in errors_of(response)
    with scopes_disabled():
        discrepancy = Discrepancy.objects.get()
    response = client.post(reverse("register:explain", args=[discrepancy.pk]), {"explanation": ""})
    assert "This field is required" in errors_of(response)
    client.post(
        reverse("register:explain", args=[discrepancy.pk]), {"explanation": "Miscounted; recounted 10."}
    )
    with scopes_disabled():
        assert not Discrepancy.objects.get().is_open


def test_a_named_monitor_may_move_stock(client, world):
    sign_in(client, world, "monitor")
    assert client.get(reverse("register:receive")).status_code == 403
    client.force_login(world.members["admin"].user)
    response = client.post(
        reverse("register:settings"), {"retention_years": "1", "handlers": [world.members["monitor"].pk]}
    )
    assert "kept at least 2 years" in errors_of(response)
    client.post(
        reverse("register:settings"), {"retention_years": "3", "handlers": [world.members["monitor"].pk]}
    )
    with scopes_disabled():
        assert RegisterHandler.objects.get().membership == world.members["monitor"]
    sign_in(client, world, "monitor")
    assert client.get(reverse("register:receive")).status_code == 200


def test_the_front_desk_cannot_be_named(client, world):
    client.force_login(world.members["admin"].user)
    html = client.get(reverse("register:settings")).content.decode()
    assert "A monitor (Monitor)" in html and "A front_desk" not in html


def stock_up(world, vials: int):
    location = make_location(world.practice)
    return receive(world.members["prescriber"], location, ketamine_vial(world.practice), containers=vials)


@pytest.mark.parametrize("name", ["register:index", "register:report"])
def test_pages_cost_the_same_queries_for_more_stock(client, world, name):
    sign_in(client, world, "admin")
    query = "?kind=administrations&start=2020-01-01&end=2099-01-01" if name == "register:report" else ""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name) + query).status_code == 200
        return len(captured)

    stock_up(world, 2)
    few = queries()
    stock_up(world, 6)
    assert queries() == few


def test_a_container_page_costs_the_same_queries_for_more_entries(client, world):
    (vial,) = stock_up(world, 1)
    sign_in(client, world)
    url = reverse("register:container", args=[vial.pk])

    def draw():
        with scopes_disabled():
            services.draw_for_dose(
                request_as(world.members["prescriber"]),
                container=vial,
                client=world.client,
                administration_ref="x",
                ml=1,
            )

    draw()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    few = len(captured)
    for _ in range(4):
        draw()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert len(captured) == few


def test_a_products_strength_is_fixed_once_containers_arrived(client, world):
    product = ketamine_vial(world.practice)
    receive(world.members["prescriber"], make_location(world.practice), product)
    client.force_login(world.members["admin"].user)
    data = {
        "substance": "ketamine",
        "name": "Ketamine HCl Injection",
        "ndc": "",
        "form": "injection",
        "strength_mg": "100",
        "per_container": "10",
    }
    response = client.post(reverse("register:product", args=[product.pk]), data)
    assert "Containers of this product were received" in response.content.decode()
    response = client.post(reverse("register:product", args=[product.pk]), {**data, "strength_mg": "50"})
    assert response.status_code == 302
