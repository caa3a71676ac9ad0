"""Shards run on local processes or on a Dask cluster, and the certificate is the same."""

from __future__ import annotations

import distributed

from smelu_hw import QFormat, SmeLUSpec
from smelu_hw.gen import generate
from smelu_hw.verify import load_design, verify_design


def _without_times(certificate) -> dict:
    record = certificate.to_json()
    del record["wall_seconds"]
    for region in record["regions"]:
        region.pop("seconds", None)
    return record


def test_the_certificate_is_the_same_on_every_executor(tmp_path):
    # 32-bit: a simulated band split into shards, and two proofs, all as cluster tasks.
    _, manifest = generate(SmeLUSpec(beta=0.5, fmt=QFormat(32, 14)), latency=1).write(tmp_path)
    # (One local worker, the path of every other test, is left out: it runs the same tasks.)
    design = load_design(manifest)
    local = verify_design(design, jobs=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        clustered = verify_design(design, cluster=cluster.scheduler_address)
    assert local.verified and local.complete, local.summary()
    assert _without_times(local) == _without_times(clustered)
