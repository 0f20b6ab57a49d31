"""WeasyPrint runs in a child process of its own, never in the web process.

WeasyPrint drives Pango, Cairo and HarfBuzz through cffi. Without Redis, jobs run in a thread
of each web process (JOBS_WEB_WORKER), so letters were laid out by C libraries next to the
threads serving requests, and web processes crashed in the garbage collector (issue 15,
item 11). A plain child (`python -m recruitment.pdf_process`), started per job, keeps those
libraries out of the web and worker processes: a crash there fails the job, not the server.

The child reads HTML documents from stdin and answers each with a PDF on stdout, every message
a 4-byte big-endian length and then its bytes; it stops at the end of its input.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LENGTH = struct.Struct(">I")


class RenderingFailed(RuntimeError):
    """The child stopped without a PDF (it crashed, or WeasyPrint raised)."""


class PdfRenderer:
    """A child process that turns HTML into PDF, one document at a time."""

    command = (sys.executable, "-m", "recruitment.pdf_process")

    def __enter__(self) -> PdfRenderer:
        self.child = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        return self

    def pdf(self, html: str) -> bytes:
        assert self.child.stdin and self.child.stdout
        try:
            _send(self.child.stdin, html.encode())
            return _receive(self.child.stdout)
        except (BrokenPipeError, EOFError) as error:
            try:
                code = self.child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                code = None
            raise RenderingFailed(f"the PDF process stopped (exit code {code})") from error

    def __exit__(self, *exc_info) -> None:
        if self.child.stdin:
            self.child.stdin.close()
        try:
            self.child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        if self.child.stdout:
            self.child.stdout.close()


def _send(stream: BinaryIO, data: bytes) -> None:
    stream.write(LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> bytes:
    header = stream.read(LENGTH.size)
    if len(header) < LENGTH.size:
        raise EOFError
    (size,) = LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def main() -> None:
    import faulthandler

    from weasyprint import HTML

    faulthandler.enable()
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            html = _receive(source).decode()
        except EOFError:
            return
        _send(sink, HTML(string=html).write_pdf())


if __name__ == "__main__":
    main()
