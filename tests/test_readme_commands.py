"""README "Running in production" shows the commands the rehearsal runs: the
lines of Procfile.prod, and the systemd units run the same programs."""

from pathlib import Path

from tests.test_rehearsal import procfile_commands

ROOT = Path(__file__).resolve().parents[1]


def test_readme_shows_every_production_role_command_as_the_rehearsal_runs_it():
    readme = (ROOT / "README.md").read_text()
    commands = procfile_commands()
    assert set(commands) == {"release", "web", "worker", "beat"}
    for role, command in commands.items():
        assert f"`{command}`" in readme, f"README does not show the {role} command of Procfile.prod: {command}"


def test_systemd_units_run_the_procfile_programs():
    units = ROOT / "deploy" / "systemd"
    expected = {
        "crm-release.service": "manage.py release",
        "crm-web.service": "gunicorn --config crm_project/gunicorn.py",
        "crm-worker@.service": "celery --app crm_project worker --queues %i",
        "crm-beat.service": "celery --app crm_project beat",
    }
    for unit, program in expected.items():
        text = (units / unit).read_text()
        exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
        assert program in exec_start, f"{unit}: {exec_start}"
    worker = (units / "crm-worker@.service").read_text()
    assert "--prefetch-multiplier 1" in worker
