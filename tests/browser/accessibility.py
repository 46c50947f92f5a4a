"""axe-core scans in the browser tests: no serious or critical violation on a page a person uses."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_accessible(page):
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}"
        for v in serious
    )
    assert not serious, f"{page.url}:\n{details}"
