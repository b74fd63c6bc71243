"""Where report PDFs are kept, through Django's storage API, so web and workers may run on
different machines.

`settings.STORAGES["reports"]` names the backend:
- by default `ReportFileStorage`, a private local folder (settings.REPORT_ROOT) that web and
  worker share; never served directly, every download goes through a view that checks the
  reader and logs it;
- an S3-compatible object store (django-storages' S3Storage) when EXITPROG_REPORT_S3_BUCKET
  is set (see exitprog/settings.py and the README).

Each report's file has a fixed name (kind/year/id.pdf): a render that is tried again writes
over the name, it never makes "id_x7Gk.pdf".
"""

import os
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class ReportFileStorage(FileSystemStorage):
    """A local folder readable by the app's own user only (files 0600, folders 0700), whose
    final names only ever hold a whole file: the bytes go to a hidden temporary file in the
    same folder, are flushed to disk, and the file is renamed over the final name (so a
    worker killed mid-write leaves no half-written PDF); the rename is flushed too."""

    def __init__(self, location: str | Path | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", None)
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(location=location or settings.REPORT_ROOT, **kwargs)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return name  # the name is the report's: written over, never renamed

    def _save(self, name: str, content: IO[bytes]) -> str:
        final = Path(self.path(name))
        root = Path(self.path(""))
        # The root's parents (MEDIA_ROOT on a fresh install) get the usual mode; the report
        # folders are the app's own user's alone.
        root.parent.mkdir(parents=True, exist_ok=True)
        root.mkdir(mode=0o700, exist_ok=True)
        folder = root
        for part in final.parent.relative_to(root).parts:
            folder /= part
            folder.mkdir(mode=0o700, exist_ok=True)
        for stale in final.parent.glob(f".{final.name}.*.tmp"):  # left by a killed worker
            stale.unlink(missing_ok=True)
        temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                content.seek(0)
                for chunk in iter(lambda: content.read(1 << 16), b""):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        finally:
            temporary.unlink(missing_ok=True)
        handle = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
        return name
