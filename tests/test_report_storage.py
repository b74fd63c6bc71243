"""Report files go through Django's storage API (settings.STORAGES["reports"]): the private
folder by default, any other storage (an S3-compatible object store) when configured, with
nothing in the reports code that needs a local path."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from storages.backends.s3 import S3Storage

from reports import services
from reports.models import Report, ReportState, report_storage
from reports.storage import ReportFileStorage
from tests.factories import ReportFactory

ROOT = Path(__file__).resolve().parent.parent


def test_by_default_reports_are_kept_in_the_private_folder(settings, tmp_path):
    settings.REPORT_ROOT = tmp_path / "kept"
    assert Path(report_storage.path("x.pdf")) == settings.REPORT_ROOT / "x.pdf"
    assert isinstance(report_storage._wrapped, ReportFileStorage)  # type: ignore[attr-defined]


def test_a_report_is_made_and_downloaded_through_another_storage(cast, login, settings, tmp_path):
    settings.REPORT_ROOT = tmp_path / "never-used"
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    report = ReportFactory(case=cast.case, requested_by=cast.caseworker)
    services.report_render(report_id=report.pk)
    row = Report.objects.get(pk=report.pk)
    assert row.state == ReportState.READY, row.error
    assert not settings.REPORT_ROOT.exists()  # nothing on the local disk
    response = login(cast.caseworker).get(reverse("reports:download", args=[row.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response.content == report_storage.open(str(row.file.name)).read()


def test_a_retried_render_writes_over_its_own_name(cast, settings, tmp_path):
    settings.REPORT_ROOT = tmp_path
    report = ReportFactory(case=cast.case)
    services.report_render(report_id=report.pk)
    first = str(Report.objects.get(pk=report.pk).file.name)
    Report.objects.filter(pk=report.pk).update(state=ReportState.PENDING)
    services.report_render(report_id=report.pk)
    assert Report.objects.get(pk=report.pk).file.name == first
    assert sorted(p.name for p in (tmp_path / Path(first).parent).iterdir()) == [Path(first).name]


def _settings_of(**env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps(s.STORAGES['reports'], default=str))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "exitprog.settings", **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("secret_in_a_file", [False, True])
def test_an_object_store_is_used_when_its_variables_are_set(tmp_path, secret_in_a_file):
    secret = tmp_path / "s3-secret"
    secret.write_text("Hemlig9q4z\n")
    keys = (
        {"EXITPROG_REPORT_S3_SECRET_KEY_FILE": str(secret)}
        if secret_in_a_file
        else {"EXITPROG_REPORT_S3_SECRET_KEY": "Hemlig9q4z"}
    )
    storage = _settings_of(
        EXITPROG_REPORT_S3_BUCKET="exitprog-rapporter",
        EXITPROG_REPORT_S3_ENDPOINT_URL="https://s3.example.se",
        EXITPROG_REPORT_S3_ACCESS_KEY="nyckel-id",
        **keys,
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "exitprog-rapporter"
    assert options["endpoint_url"] == "https://s3.example.se"
    assert options["secret_key"] == "Hemlig9q4z"
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is True
    # django-storages takes these options as they are (no request is made here).
    s3 = S3Storage(**options)
    assert s3.bucket_name == "exitprog-rapporter"
    assert s3.location == "reports"


def test_without_the_variables_the_private_folder_is_used():
    storage = _settings_of(EXITPROG_REPORT_S3_BUCKET="")
    assert storage == {"BACKEND": "reports.storage.ReportFileStorage"}
