"""The figures do not depend on the BLAS kernels of the machine that computes them.

OpenBLAS picks its kernels for the CPU, and other kernels round otherwise in the last bits.
A figure that carried those bits (a replicate whose Newton steps settled on one of many
weightings, docs/methods.md) read 7.2-8.0 on one server and 7.3-8.0 on another. The test
waves of `test_fast_path` are computed again in processes that use other kernels, chosen
with OPENBLAS_CORETYPE among those this CPU can run, and every raw figure must agree.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy  # noqa: F401  (loaded, so that threadpoolctl sees its OpenBLAS)
import pytest
import threadpoolctl

from tests.analysis.test_fast_path import computed

ROOT = Path(__file__).resolve().parents[2]
#: Kernels by the CPU flags they need, oldest first.
KERNELS = {
    "Nehalem": ("sse4_2",),
    "Sandybridge": ("avx",),
    "Haswell": ("avx2", "fma"),
    "SkylakeX": ("avx512f", "avx512vl", "avx512bw", "avx512dq"),
}
COMPUTE = """
import json, numpy, threadpoolctl
from tests.analysis.test_fast_path import computed
kernels = [i.get("architecture") for i in threadpoolctl.threadpool_info()
           if i["internal_api"] == "openblas"]
print(json.dumps({"kernels": kernels, "raw": computed()["raw"]}))
"""


def runnable_kernels() -> list[str]:
    if platform.machine() not in ("x86_64", "AMD64"):
        return []
    cpuinfo = Path("/proc/cpuinfo")
    flags = set(cpuinfo.read_text().split()) if cpuinfo.exists() else set()
    return [kernel for kernel, needs in KERNELS.items() if flags.issuperset(needs)]


def computed_with(kernel: str) -> dict:
    environment = {**os.environ, "OPENBLAS_CORETYPE": kernel, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", COMPUTE],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def here() -> dict:
    return json.loads(json.dumps(computed()["raw"]))  # as stored: tuples become lists


def own_kernels() -> list[str]:
    return [
        library.get("architecture")
        for library in threadpoolctl.threadpool_info()
        if library["internal_api"] == "openblas"
    ]


@pytest.mark.parametrize("kernel", ["Nehalem", "Sandybridge"])
def test_other_kernels_give_the_same_figures(here, kernel):
    """Kernels older than a server's own (Haswell's or SkylakeX's): no FMA, other block
    sizes, so other rounding."""
    if kernel not in runnable_kernels():
        pytest.skip(f"this CPU cannot run OpenBLAS's {kernel} kernels")
    if not own_kernels():
        pytest.skip("NumPy does not use OpenBLAS here")
    if own_kernels() == [kernel]:
        pytest.skip(f"the tests run with {kernel}'s kernels already")
    there = computed_with(kernel)
    assert there["kernels"] == [kernel]  # OpenBLAS took the kernels asked for
    for wave, figures in here.items():
        assert there["raw"][wave].keys() == figures.keys()
        for key, numbers in figures.items():
            counts, floats = there["raw"][wave][key][:3], there["raw"][wave][key][3:]
            assert counts == numbers[:3], key
            # Rounding in the last bits stays there (an SE of 0 is noise of ~1e-14).
            assert floats == pytest.approx(numbers[3:], rel=1e-9, abs=1e-12, nan_ok=True), (
                wave,
                key,
            )
