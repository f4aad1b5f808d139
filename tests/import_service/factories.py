import factory

from import_service.models import (
    ImportLog,
    ImportRow,
    ImportStatus,
    InputKind,
    RowOutcome,
)
from leads.models import LeadSource


class ImportLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportLog

    source = LeadSource.CSV
    input_kind = InputKind.CSV
    file_name = factory.Sequence(lambda n: f"leads-{n}.csv")
    status = ImportStatus.COMPLETED
    headers = ["Name", "Phone"]
    columns = {"Name": "full_name", "Phone": "phone"}
    total = 3
    created = 1
    duplicates = 1
    errors = 1


class ImportRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRow

    log = factory.SubFactory(ImportLogFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    outcome = RowOutcome.ERROR
    reason = "No phone number."
    values = ["Someone", ""]
