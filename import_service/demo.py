"""Demo lead imports: a partner's list imported by the manager (with the rows
ops would fix: a bad phone, a missing phone, repeats), and its dry run."""

import csv
import random
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model

from import_service.models import ImportLog
from import_service.services import inputs, runs
from leads.models import Lead

FILE_NAME = "registan-partners-november.csv"
NAMES = [
    "Aziza Karimova",
    "Bekzod Rahimov",
    "Dilshod Ergashev",
    "Gulnora Yusupova",
    "Нодира Ахмедова",
    "Олег Петров",
    "Sherzod Qodirov",
    "Madina Aliyeva",
    "Ирина Ким",
    "Jasur Tursunov",
    "Lola Nazarova",
    "Rustam Usmonov",
    "Zarina Xasanova",
    "Timur Pak",
    "Shahzoda Rasulova",
]
COURSES = ["IELTS", "SAT", "Kids English", "Python", "Koreys tili"]


def _rows(rng: random.Random) -> list[list[str]]:
    rows = []
    for index, name in enumerate(NAMES):
        number = f"{4400100 + index:07d}"
        phone = rng.choice([f"+998 90 {number[:3]} {number[3:5]} {number[5:]}", f"8 (90) {number}", f"90{number}"])
        rows.append([name, phone, rng.choice(COURSES), "", f"2026-11-{10 + index:02d} 1{index % 8}:00"])
    rows.append(["Aziza K.", "+998904400100", "IELTS", "second form", "2026-11-25 09:00"])  # repeat in file
    rows.append(["Nomsiz", "12-34", "SAT", "raqam xato", ""])
    rows.append(["Без телефона", "", "Python", "", ""])
    existing = Lead.objects.exclude(phone__startswith="+99890440").order_by("id").first()
    if existing is not None:  # someone who already wrote to us on another channel
        rows.append([existing.full_name, existing.phone, "IELTS", "also on the partner list", "2026-11-20 12:00"])
    return rows


def seed(stdout) -> None:
    if ImportLog.objects.filter(file_name=FILE_NAME).exists():
        stdout.write("Lead imports: already there.")
        return
    rng = random.Random(3)
    manager = get_user_model().objects.filter(groups__name="Managers", is_active=True).order_by("id").first()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILE_NAME
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["F.I.Sh", "Telefon raqami", "Kurs", "Izoh", "Sana"])
            writer.writerows(_rows(rng))
        for dry_run in (True, False):
            table, mapping = inputs.import_open_file(path=path)
            log = runs.import_log_start(table=table, mapping=mapping, source=None, by=manager, dry_run=dry_run)
            runs.import_execute(log=log, table=table, mapping=mapping, by=manager)
    stdout.write(f"Lead imports: {FILE_NAME}: {log.created} created, {log.duplicates} duplicates, {log.errors} errors.")
