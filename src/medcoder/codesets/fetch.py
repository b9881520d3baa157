"""Download the official code-set files when the machine is online.

The publishers post zip archives each fiscal year. When a download fails (no network, a
proxy, a renamed file) the error says which address failed and how to do it by hand.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from medcoder.errors import ServiceUnavailableError

CDC_BASE = "https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/{year}/"
CDC_FILES = ("icd10cm-Table-and-Index-{year}.zip",)
CMS_PCS = "https://www.cms.gov/files/zip/{year}-icd-10-pcs-code-tables-and-index.zip"


class FetchError(ServiceUnavailableError):
    """An official file could not be downloaded (offline, moved, refused)."""

    code = "download_failed"
    http_status = 502


def _get(url: str, timeout: float = 30.0) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - fixed https URLs
            return resp.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"cannot download {url} ({reason}). If this machine is offline, download the "
            "official files on a machine that is online (CDC: ICD-10-CM tabular, index, drug, "
            "neoplasm and external-cause XML; CMS: ICD-10-PCS tables/index/definitions XML; "
            "CMS: HCPCS alpha-numeric file), copy them here and run `medcoder data import PATH`."
        ) from exc


def fetch_official(
    year: int, dest: Path, *, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Download and unpack the official archives for ``year`` into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    urls = [CDC_BASE.format(year=year) + name.format(year=year) for name in CDC_FILES]
    urls.append(CMS_PCS.format(year=year))
    out: list[Path] = []
    for url in urls:
        if progress:
            progress(f"downloading {url}")
        data = _get(url)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    if member.lower().endswith(".xml") and ".." not in member:
                        target = dest / Path(member).name
                        target.write_bytes(archive.read(member))
                        out.append(target)
        except zipfile.BadZipFile as exc:
            raise FetchError(f"{url} did not return a zip archive") from exc
    return out
