"""Who a demo service call is made as: a staff member, without an HTTP request."""

from kapstone.practice.models import Membership


class As:
    """Stands in for a staff page's request: its user, membership and practice."""

    def __init__(self, membership: Membership):
        self.user = membership.user
        self.membership = membership
        self.practice = membership.practice
        self.META: dict = {}
