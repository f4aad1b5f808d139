"""Mutation testing of the business rules (`make mutation`; not part of CI).

mutmut (configured in pyproject.toml, ``[tool.mutmut]``) copies the project into
``mutants/``, mutates one function at a time and runs the tests that executed
it. Over the whole suite that is hours on a 2-core machine, and mutmut throws
away every earlier verdict when the test selection changes. So this script runs
mutmut module by module, each in its own working folder under
``var/mutation/<module>/`` (the project's folders linked in, a pyproject.toml
with the module's own test selection), which keeps each module's results and
lets a module be re-run alone after its tests improve.

    .venv/bin/python tools/mutation.py                    # every module below, then the report
    .venv/bin/python tools/mutation.py leads/phones.py    # one module (or several)
    .venv/bin/python tools/mutation.py --report           # the kill rates of what has run
    .venv/bin/python tools/mutation.py --survivors leads/phones.py   # surviving mutants, with diffs

The kill rate is killed / (mutants - equivalent): ``tools/mutation_equivalent.txt``
lists the mutants judged equivalent (the program behaves the same), one name a
line with the reason. Goal: 95 % for every module.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutation"
EQUIVALENT_FILE = ROOT / "tools" / "mutation_equivalent.txt"
GOAL = 95.0

# Module -> the tests that exercise its rules. Every test in these paths that
# runs a mutated function is run against each of its mutants.
MODULES: dict[str, list[str]] = {
    "leads/phones.py": ["tests/leads/test_phones.py", "tests/leads/test_services.py"],
    "leads/services.py": [
        "tests/leads/test_services.py",
        "tests/leads/test_transitions.py",
        "tests/leads/test_assignment.py",
        "tests/leads/test_hooks.py",
        "tests/leads/test_admin.py",
    ],
    "leads/selectors.py": ["tests/leads/"],
    "leads/bulk.py": ["tests/leads/", "tests/import_service/"],
    "intake/security.py": [
        "tests/intake/test_security.py",
        "tests/intake/test_signatures.py",
        "tests/intake/test_landing.py",
    ],
    "reminders/dispatch.py": ["tests/reminders/test_dispatch.py", "tests/trials/test_reminders.py"],
    "reminders/services.py": ["tests/reminders/"],
    "reminders/selectors.py": ["tests/reminders/"],
    "trials/services.py": ["tests/trials/"],
    "trials/selectors.py": ["tests/trials/"],
    "scheduling/services.py": ["tests/scheduling/"],
    "scheduling/selectors.py": ["tests/scheduling/"],
    "intake/services.py": ["tests/intake/"],
    "intake/selectors.py": ["tests/intake/"],
    "import_service/services/*.py": ["tests/import_service/"],
    "import_service/selectors.py": ["tests/import_service/"],
    "analytics/selectors.py": ["tests/analytics/"],
    "analytics/services/*.py": ["tests/analytics/"],
}
# Never in a mutation run: slow, and they kill nothing the others do not; the
# migration tests need the migrations that --nomigrations (pyproject.toml) skips.
MARKERS = "not browser and not celery_worker and not postgres"
MIGRATION_TESTS = ["--ignore=tests/core/test_contract_migrations.py", "--ignore=tests/leads/test_migrations.py"]
LINKED = [
    "accounts",
    "core",
    "leads",
    "scheduling",
    "reminders",
    "trials",
    "intake",
    "import_service",
    "analytics",
    "crm_project",
    "tests",
    "templates",
    "locale",
    "locale_django",
    "locale_apps",
    "deploy",
    "manage.py",
    "pytest.ini",
    ".env.example",
    "Makefile",
    "Procfile",
    "Procfile.prod",
    "README.md",
]


def slug(module: str) -> str:
    return module.replace("/", "__").replace("*", "ALL").removesuffix(".py")


def dotted(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def prepare(module: str) -> Path:
    """A working folder for ``module``: the project linked in, and a pyproject.toml
    whose [tool.mutmut] is the project's with this module's tests."""
    folder = WORK / slug(module)
    folder.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = folder / name
        if not link.is_symlink() and not link.exists():
            link.symlink_to(ROOT / name)
    base = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    config = {
        **base,
        "only_mutate": [module],
        "pytest_add_cli_args_test_selection": [*MODULES[module], "-m", MARKERS, *MIGRATION_TESTS],
    }
    text = "[tool.mutmut]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in config.items())
    (folder / "pyproject.toml").write_text(text)
    return folder


def run(module: str, jobs: int) -> int:
    folder = prepare(module)
    pattern = dotted(module.split("/*")[0]) + ".*"
    print(f"=== mutmut: {module} (tests: {' '.join(MODULES[module])})", flush=True)
    env = {**os.environ, "DEBUG": "True"}
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    return subprocess.call([mutmut, "run", "--max-children", str(jobs), pattern], cwd=folder, env=env)


# --- the report ----------------------------------------------------------------------


def equivalents() -> dict[str, str]:
    found = {}
    if EQUIVALENT_FILE.exists():
        for line in EQUIVALENT_FILE.read_text().splitlines():
            name, _, reason = line.partition("#")
            if name.strip():
                found[name.strip()] = reason.strip()
    return found


def results(module: str) -> dict[str, int | None]:
    """mutant name -> mutmut's exit code (1 or 3 killed, 0 survived, 33 no tests, 36 timeout...)."""
    found: dict[str, int | None] = {}
    for meta in (WORK / slug(module) / "mutants").glob(module + ".meta"):
        found.update(json.loads(meta.read_text())["exit_code_by_key"])
    return found


KILLED = {1, 3, 36, -24, 24, 152, 255}  # a failing test, a pytest error, or a timeout (the mutant hangs)


def report() -> bool:
    same = equivalents()
    rows = []
    for module in MODULES:
        codes = results(module)
        if not codes:
            continue
        killed = sum(1 for code in codes.values() if code in KILLED)
        timeouts = sum(1 for code in codes.values() if code in KILLED - {1, 3})
        unchecked = sum(1 for code in codes.values() if code is None)
        equivalent = sum(1 for name, code in codes.items() if name in same and code not in KILLED)
        survived = len(codes) - killed - unchecked - equivalent
        judged = len(codes) - unchecked - equivalent
        rate = 100.0 * killed / judged if judged else None
        rows.append((module, len(codes), killed, timeouts, survived, equivalent, unchecked, rate))
    if not rows:
        print("No mutation results yet: run `make mutation` (or tools/mutation.py MODULE).")
        return False
    line = "{:<28} {:>8} {:>7} {:>10} {:>9} {:>11} {:>10} {:>10}"
    print(line.format("module", "mutants", "killed", "(timeout)", "survived", "equivalent", "unchecked", "kill rate"))
    for *figures, rate in rows:
        print(line.format(*figures, "—" if rate is None else f"{rate:.1f}%"))
    return all(rate is not None and rate >= GOAL for *_, rate in rows)


def survivors(module: str) -> None:
    same = equivalents()
    folder = WORK / slug(module)
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    for name, code in sorted(results(module).items()):
        if code == 0 and name not in same:
            subprocess.call([mutmut, "show", name], cwd=folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help=f"modules to run (default: all of {', '.join(MODULES)})")
    parser.add_argument("--report", action="store_true", help="only print the kill rates of earlier runs")
    parser.add_argument("--survivors", action="store_true", help="show the surviving mutants of the modules")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATION_JOBS", "2")))
    parser.add_argument("--fresh", action="store_true", help="forget earlier results of these modules first")
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; known: {', '.join(MODULES)}")
    if args.survivors:
        for module in args.modules or MODULES:
            survivors(module)
        return
    if not args.report:
        for module in args.modules or MODULES:
            if args.fresh:
                shutil.rmtree(WORK / slug(module) / "mutants", ignore_errors=True)
            run(module, args.jobs)
    sys.exit(0 if report() else 1)


if __name__ == "__main__":
    main()
