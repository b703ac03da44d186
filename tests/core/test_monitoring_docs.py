"""docs/monitoring.md and the Grafana dashboard speak of the series the panel really exports."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from prometheus_client import Counter, Histogram

from panel.core import metrics
from panel.core.metrics_live import LiveStateCollector

from .helpers import ROOT

DOC = (ROOT / "docs" / "monitoring.md").read_text()
DASHBOARD = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
SERIES = re.compile(r"\bpanel_[a-z_]+\b")


@pytest.fixture
def exported(db) -> dict[str, set[str]]:
    """Family name -> the sample names a query may use (`_total`, `_bucket`, `_count`, `_sum`)."""
    families: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            families[value._name] = {value._name + "_total"}
        elif isinstance(value, Histogram):
            families[value._name] = {value._name + suffix for suffix in ("_bucket", "_count", "_sum")}
    for family in LiveStateCollector().collect():
        families[family.name] = {family.name}
    assert "panel_celery_queue_length" in families  # every live source answered
    return families


def _queried(expressions: list[str]) -> set[str]:
    return {name for expression in expressions for name in SERIES.findall(expression)}


def test_every_series_is_described(exported) -> None:
    table = {line.split("`")[1] for line in DOC.splitlines() if line.startswith("| `panel_")}
    documented = {name.removesuffix("_total") for name in table}
    assert documented == set(exported)


def test_five_alert_rules_on_real_series(exported) -> None:
    block = DOC.split("## Five alert rules worth having", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    rules = yaml.safe_load(block)["groups"][0]["rules"]
    assert len(rules) == 5
    assert all(rule["alert"] and rule["annotations"]["summary"] for rule in rules)
    samples = set().union(*exported.values())
    assert _queried([rule["expr"] for rule in rules]) <= samples


def test_dashboard_queries_real_series(exported) -> None:
    expressions = [target["expr"] for panel in DASHBOARD["panels"] for target in panel["targets"]]
    samples = set().union(*exported.values())
    assert _queried(expressions) <= samples
    charted = {name for name in _queried(expressions)}
    assert {family for family, names in exported.items() if names & charted} == set(exported)
    assert DASHBOARD["__inputs"][0]["pluginId"] == "prometheus"
