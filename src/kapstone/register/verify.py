"""``kapstone register check``: prove one practice's register is whole, or say what is wrong.

Each check is a function ``(practice) -> list[str]`` in :data:`CHECKS`, one clear line per
problem. To add a check (e.g. "every dose administration has its draw", once the sessions app
calls ``services.draw_for_dose``), write the function here and append it to ``CHECKS``.
"""

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from kapstone.audit.chain import first_break
from kapstone.practice.models import Practice

from .models import Container, Discrepancy, Entry, RegisterChain, ReportingTask, Stock


def check_chain(practice: Practice) -> list[str]:
    """Every entry in sequence, following the one before it, unaltered; the head at the last one."""
    entries = Entry.objects.filter(practice=practice).order_by("seq").iterator(chunk_size=2000)
    head = RegisterChain.objects.filter(practice=practice).values_list("seq", "hash").first()
    found = first_break(entries, head)
    if found is None:
        return []
    return [
        {
            "missing": f"entry #{found.seq} is missing (the next entry found is #{found.found})",
            "follow": f"entry #{found.seq} does not follow the entry before it (removed or reordered)",
            "altered": f"entry #{found.seq} was altered: its content no longer matches its hash",
            "truncated": (
                f"entries after #{found.seq - 1} are missing (the register should end at #{found.found})"
            ),
        }[found.kind]
    ]


def _sums(practice: Practice, *keys: str, field: str) -> dict:
    totals: dict = defaultdict(Decimal)
    for row in Entry.objects.filter(practice=practice).values_list(*keys, field):
        totals[row[:-1]] += row[-1]
    return totals


def check_container_balances(practice: Practice) -> list[str]:
    """Each container's stored balance equals the sum of its entries."""
    totals = _sums(practice, "container", field="quantity")
    problems = []
    for container in Container.objects.filter(practice=practice).select_related("product").order_by("code"):
        computed = totals.get((container.pk,), Decimal(0))
        if computed != container.balance:
            problems.append(
                f"container {container.code}: stored balance {container.amount(container.balance)}, "
                f"entries add up to {container.amount(computed)}"
            )
    return problems


def check_stock_balances(practice: Practice) -> list[str]:
    """Each product's stored balance at each location equals the sum of its entries there."""
    totals = _sums(practice, "product", "location", field="stock_delta")
    problems = []
    stocks = Stock.objects.filter(practice=practice).select_related("product", "location")
    for stock in stocks.order_by("location__name", "product__name"):
        computed = totals.pop((stock.product_id, stock.location_id), Decimal(0))
        if computed != stock.balance:
            problems.append(
                f"{stock.product} at {stock.location}: stored balance {stock.balance.normalize():f}, "
                f"entries add up to {computed.normalize():f}"
            )
    problems += [f"entries for product {p} at location {loc} have no stock balance" for p, loc in totals]
    return problems


def check_counts_explained(practice: Practice) -> list[str]:
    open_ones = Discrepancy.objects.filter(practice=practice, explanation__isnull=True)
    return [
        f"count discrepancy on container {d.container.code} found {d.line.count.taken_at:%Y-%m-%d} "
        "is not explained"
        for d in open_ones.select_related("container", "line__count").order_by("raised_at")
    ]


def check_reporting_deadlines(practice: Practice) -> list[str]:
    today = practice.today()
    overdue = ReportingTask.objects.open().filter(practice=practice, due_on__lt=today)
    return [
        f"{task.get_kind_display()} for the {task.report.get_kind_display().lower()} discovered "
        f"{task.report.discovered_at:%Y-%m-%d} was due {task.due_on:%Y-%m-%d}"
        for task in overdue.select_related("report").order_by("due_on")
    ]


CHECKS: list[Callable[[Practice], list[str]]] = [
    check_chain,
    check_container_balances,
    check_stock_balances,
    check_counts_explained,
    check_reporting_deadlines,
]


def check_register(practice: Practice) -> list[str]:
    """Every problem in the practice's register, one line each; empty when the register is whole."""
    return [problem for check in CHECKS for problem in check(practice)]
