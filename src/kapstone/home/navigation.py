"""The staff side navigation: one list, in the order shown, each entry with the capability it needs.

An entry is current when the resolved view is one of ``current`` (a view name, or ``namespace:*`` for
every view of an app). ``base.html`` renders :func:`navigation` as it comes.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from kapstone.practice.permissions import Capability, can


@dataclass(frozen=True)
class NavItem:
    label: str
    view: str
    capability: Capability | None  # None: every member
    current: tuple[str, ...] = ()  # default: the item's own view

    def is_current(self, view_name: str, namespace: str) -> bool:
        return any(view_name == name or name == f"{namespace}:*" for name in (self.current or (self.view,)))


C = Capability
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "home:index", None, ("home:*",)),
    NavItem("Clients", "clients:list", C.VIEW_CLIENT, ("clients:*",)),
    NavItem("Calendar", "scheduling:day", C.VIEW_CLIENT, ("scheduling:day", "scheduling:week")),
    NavItem("Integrations due", "scheduling:integrations", C.VIEW_CLIENT),
    NavItem(
        "Inquiries",
        "screening:inquiries",
        C.CREATE_CLIENT,
        ("screening:inquiries", "screening:inquiry"),
    ),
    NavItem("Screening", "screening:worklist", C.VIEW_CLINICAL),
    NavItem("Safety alerts", "measures:alerts", C.VIEW_CLINICAL),
    NavItem("Live board", "sessions:board", C.VIEW_CLINICAL),
    NavItem("Reporting forms due", "sessions:reporting_due", C.VIEW_CLINICAL),
    NavItem("Protocols", "sessions:protocols", C.VIEW_CLINICAL),
    NavItem("Controlled substances", "register:index", C.VIEW_CLINICAL, ("register:*",)),
    NavItem("Prescribing records", "prescribing:index", C.VIEW_CLINICAL, ("prescribing:*",)),
    NavItem("Questionnaires due", "measures:due", C.VIEW_CLIENT),
    NavItem("Outcomes", "measures:outcomes", C.VIEW_CLINICAL),
    NavItem("Measurement plan", "measures:plan", C.CONFIGURE_PRACTICE),
    NavItem("Programmes", "pathway:programmes", C.CONFIGURE_PRACTICE),
    NavItem("Consent documents", "pathway:consent_documents", C.CONFIGURE_PRACTICE),
    NavItem("Integration themes", "integration:themes", C.CONFIGURE_PRACTICE),
    NavItem("Rooms and scheduling", "scheduling:rooms", C.CONFIGURE_PRACTICE),
    NavItem("Safety alert escalation", "practice:alert_settings", C.CONFIGURE_PRACTICE),
    NavItem("Evidence", "screening:evidence_list", C.VIEW_CLIENT),
    NavItem("Public page", "screening:about_edit", C.CONFIGURE_PRACTICE),
    NavItem(
        "Staff",
        "practice:staff",
        C.MANAGE_STAFF,
        ("practice:staff", "practice:staff_invite", "practice:staff_edit"),
    ),
    NavItem("Audit trail", "audit:events", C.VIEW_AUDIT, ("audit:*",)),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool
    view: str


def navigation(request: HttpRequest) -> dict[str, list[NavLink]]:
    """Context processor: the entries the signed-in member may open, with the current one marked."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"navigation": []}
    match = request.resolver_match
    view_name, namespace = (match.view_name, match.namespace) if match else ("", "")
    return {
        "navigation": [
            NavLink(item.label, reverse(item.view), item.is_current(view_name, namespace), item.view)
            for item in NAVIGATION
            if item.capability is None or can(membership, item.capability)
        ]
    }
