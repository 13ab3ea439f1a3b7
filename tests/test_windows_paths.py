"""Paths the product builds, built from Windows paths: a UNC share, a drive, spaces and an
apostrophe (council folders look like this). PureWindowsPath applies Windows' rules on any
machine, so these run in CI on Linux; the expected strings are written out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import PureWindowsPath

import pytest

from xl_scorecard.config import resolve_against
from xl_scorecard.render.master import backup_path, lock_path, owner_file, temp_path

SHARE_TEXT = r"\\council-fs01\Children's Services\Performance\Scorecard 2026"
SHARE = PureWindowsPath(SHARE_TEXT)
ONEDRIVE = PureWindowsPath(r"C:\Users\jo.bloggs\OneDrive - Northshire Council\Scorecard")


@pytest.mark.parametrize("folder", [SHARE, ONEDRIVE], ids=["unc", "onedrive"])
def test_files_beside_the_master_stay_in_its_folder(folder):
    master = folder / "Master scorecard.xlsx"
    assert lock_path(master) == folder / "Master scorecard.xlsx.lock"
    assert temp_path(master, 4242) == folder / ".Master scorecard.tmp-4242.xlsx"
    assert backup_path(master, dt.datetime(2026, 11, 2, 7, 5, 9)) == folder / "backups" / "Master scorecard 2026-11-02 070509.xlsx"
    # Excel's owner file drops the first two characters of a long name.
    assert owner_file(master) == folder / "~$ster scorecard.xlsx"
    assert str(lock_path(master)).startswith(str(folder))


def test_a_unc_master_keeps_its_share_in_every_path():
    master = SHARE / "Master scorecard.xlsx"
    assert str(backup_path(master, dt.datetime(2026, 11, 2))) == (
        r"\\council-fs01\Children's Services\Performance\Scorecard 2026\backups\Master scorecard 2026-11-02 000000.xlsx"
    )
    assert lock_path(master).drive == r"\\council-fs01\Children's Services"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            r"Eastbrook\EB Annex A 2026.xlsx",
            r"\\council-fs01\Children's Services\Performance\Scorecard 2026\Eastbrook\EB Annex A 2026.xlsx",
        ),
        ("Eastbrook/EB Annex A 2026.xlsx", r"\\council-fs01\Children's Services\Performance\Scorecard 2026\Eastbrook\EB Annex A 2026.xlsx"),
        (r"..\Workforce\caseloads.csv", SHARE_TEXT + r"\..\Workforce\caseloads.csv"),
        (r"\\other-fs\share\list 3.xlsx", r"\\other-fs\share\list 3.xlsx"),
        (r"D:\Data\Westfield Annex A.xlsx", r"D:\Data\Westfield Annex A.xlsx"),
    ],
)
def test_configured_paths_resolve_against_the_configuration_folder(value, expected):
    assert str(resolve_against(SHARE, value)) == expected
