"""Suite-wide setup: plan files and verifier builds go to private folders, never the user's."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_plan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["SMELU_HW_CACHE"] = str(tmp_path_factory.mktemp("plan-cache"))


@pytest.fixture(autouse=True, scope="session")
def private_verify_builds(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The verifier's builds go to this session's folder, shared by its cases."""
    os.environ["SMELU_VERIFY_WORK"] = str(tmp_path_factory.mktemp("verify-builds"))
