"""The lead import, one module per concern. Import a name from the module that owns it:

- ``inputs``: open a file or a Google Sheet and check it — format, header row, a
  phone column, the ``--map`` overrides and the ``--assign`` choice — before
  anything is written.
- ``rows``: what one row says — its phone, its timestamp, its fingerprint and the
  lead fields it fills in.
- ``runs``: a run's lifecycle — its ImportLog (start, progress, failure, counts)
  and the two-phase execution (read and check every row, then write them in one
  transaction).
- ``uploads``: the admin flow — upload, dry-run preview, confirm (run now or in
  the worker).
- ``previews``: a large upload's preview in the worker — the row estimate, the
  choice of where it runs, and the task's service.

File formats are ``import_service.readers``, header names ``import_service.columns``;
registering the leads themselves (new ones, repeats, their history) is
``leads.bulk``, beside the other lead services.
"""
