"""docs/deploy.md: its unit files verify, its commands exist, its configuration loads."""
from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess

import pytest
from conftest import ROOT

from askposts import Settings
from askposts.cli import parser

DEPLOY = ROOT / "docs" / "deploy"
PAGE = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
INSTALLED = "/opt/askposts/.venv/bin/askposts"


def unit(name: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    cp.read(DEPLOY / name, encoding="utf-8")
    return cp


def askposts_commands() -> list[list[str]]:
    """Every ``askposts`` command line in the page's code blocks and in the unit files."""
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", PAGE, re.S))
    lines = [line for line in blocks.splitlines() if INSTALLED in line]
    lines += [unit(name)["Service"]["ExecStart"] for name in
              ("askposts.service", "askposts-backup.service")]
    commands = []
    for line in lines:
        line = line.replace("$(date +%%Y-%%m-%%d)", "2026-01-01")
        commands.append(shlex.split(line.split(INSTALLED, 1)[1].rstrip("'")))
    return commands


def test_every_askposts_command_of_the_page_exists_with_those_options():
    commands = askposts_commands()
    assert {c[0] for c in commands} >= {"serve", "backup", "restore", "index", "staff-password"}
    for words in commands:
        parser().parse_args(words)  # exits (and fails the test) on an unknown option


def test_the_service_restarts_runs_as_its_own_user_and_writes_only_its_folder():
    service = unit("askposts.service")["Service"]
    assert service["Restart"] == "on-failure" and service["User"] == "askposts"
    assert service["ProtectSystem"] == "strict"
    args = parser().parse_args(askposts_commands()[-2])
    assert args.index.startswith(service["ReadWritePaths"]) and args.content
    port = re.search(r"reverse_proxy 127.0.0.1:(\d+)", (DEPLOY / "Caddyfile").read_text())
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert port and int(port.group(1)) == args.port and f"127.0.0.1:{args.port};" in nginx
    assert "proxy_buffering off" in nginx and "Upgrade" in nginx
    assert unit("askposts-backup.timer")["Timer"]["OnCalendar"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_unit_files_pass_systemd_analyze_verify(tmp_path):
    # Pointed at this checkout's askposts: the verifier checks that the program exists.
    here = str(ROOT / ".venv" / "bin" / "askposts")
    for name in ("askposts.service", "askposts-backup.service", "askposts-backup.timer"):
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace(INSTALLED, here))
    files = [str(tmp_path / n) for n in ("askposts.service", "askposts-backup.timer",
                                         "askposts-backup.service")]
    done = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken.service"
    broken.write_text((tmp_path / "askposts.service").read_text().replace(here, "/no/such"))
    assert subprocess.run(["systemd-analyze", "verify", str(broken)],
                          capture_output=True, timeout=60).returncode != 0


def test_the_example_configuration_loads():
    s = Settings.load(DEPLOY / "askposts.toml", env={})
    assert s.site_url == "https://redciudadana.org" and s.allowed_origins
    assert str(s.cache_dir).startswith("/var/lib/askposts")
