"""The weekly data workflow: scheduled Saturday morning in Taipei, fetch then check, a pull request."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT

pytestmark = pytest.mark.unit  # builds no site (conftest.py: the unit mark)


def test_the_weekly_workflow_fetches_checks_and_opens_a_pull_request_never_pushing_main() -> None:
    text = (ROOT / ".github/workflows/data.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    on = workflow[True]  # YAML 1.1 reads the key `on` as True
    # Saturday 07:00 / 11:00 in Taipei (UTC+8)
    assert [c["cron"] for c in on["schedule"]] == ["0 23 * * 5", "0 3 * * 6"]
    assert "workflow_dispatch" in on
    steps = workflow["jobs"]["fetch"]["steps"]
    pr_steps = workflow["jobs"]["pull-request"]["steps"]
    runs = [s.get("run", "") for s in steps]
    fetch = next(i for i, r in enumerate(runs) if "build.py fetch" in r)
    check = next(i for i, r in enumerate(runs) if "build.py check" in r)
    assert fetch < check
    assert steps[fetch]["env"] == {"FRED_API_KEY": "${{ secrets.FRED_API_KEY }}"}  # from secrets only
    pr = next(s for s in pr_steps if s.get("uses", "").startswith("peter-evans/create-pull-request@"))
    assert pr["with"]["base"] == "main" and pr["with"]["branch"] != "main"
    assert pr["with"]["add-paths"] == "data/"
    assert "git push" not in text
    # write access only in the job that opens the pull request, which runs nothing of the project
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["fetch"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert workflow["jobs"]["pull-request"]["needs"] == "fetch"
    assert not any("build.py" in s.get("run", "") for s in pr_steps)
