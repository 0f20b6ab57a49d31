"""Login links are made in the background, so that asking for one takes the same time
whether or not the address has an account."""

from __future__ import annotations

from accounts import services
from jobs.registry import Progress, job_function


@job_function("accounts.send_login_link", private_params=True, urgent=True)
def send_login_link(progress: Progress, email: str, next_path: str | None = None) -> None:
    services.request_login_link(email, next_path)
