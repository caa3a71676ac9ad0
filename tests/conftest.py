"""Suite-wide setup: plan files go to a private folder, never the user's cache."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_plan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["SMELU_HW_CACHE"] = str(tmp_path_factory.mktemp("plan-cache"))
