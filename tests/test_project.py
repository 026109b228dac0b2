"""What a new user reads first stays true: the README's commands, settings and CI."""
import re
from pathlib import Path

from portal.config import SETTINGS, load

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the Quick start section has a code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_has_the_run_then_the_test_command():
    assert quick_start_commands() == ["./tribune run", "./tribune test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert quick_start_commands()[1] in ci.splitlines()


def test_readme_documents_every_setting_with_its_default():
    for setting in SETTINGS:
        row = next((line for line in README.splitlines() if line.startswith(f"| `{setting.name}` |")), None)
        assert row, f"{setting.name} is missing from the README's settings table"
        default = f"`{setting.default}`" if setting.default else "(empty)"
        assert f"| {default} |" in row, f"{setting.name}: README default differs from portal/config.py"


def test_settings_are_read_from_the_environment():
    values = load(environ={"SMTP_PORT": "2525", "PRODUCTION": "yes", "SITE_NAME": "Club"})
    assert values["SMTP_PORT"] == 2525
    assert values["PRODUCTION"] is True
    assert values["SITE_NAME"] == "Club"
    assert load(environ={})["MAIL_BACKEND"] == "outbox"


def test_a_malformed_setting_is_reported_by_name():
    import pytest

    with pytest.raises(RuntimeError, match="SMTP_PORT"):
        load(environ={"SMTP_PORT": "twenty-five"})


def test_code_passes_the_linter():
    import subprocess
    import sys

    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "portal", "tests", "bench", "wsgi.py"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
