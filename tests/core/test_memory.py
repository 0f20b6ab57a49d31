"""A web worker stays small: creating the app loads no scipy (issue 20: scipy in every
worker cost ~50 MB each). The analysis imports it where it computes."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CREATE_APP = """
import sys
from app import create_app
create_app({"APP_ENV": "testing", "SECRET_KEY": "b" * 64, "DATABASE_URL": "sqlite://",
            "JOBS_WEB_WORKER": False, "MAIL_WEB_WORKER": False})
print(sorted({name.split(".")[0] for name in sys.modules} & {"scipy", "analysis"}))
"""


def test_creating_the_app_does_not_import_scipy():
    done = subprocess.run(
        [sys.executable, "-c", CREATE_APP], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # The results pages read analysis modules (their formats and dataclasses): still no scipy.
    assert done.stdout.split("\n")[-2] == "['analysis']", done.stdout + done.stderr
