"""How a mail leaves the building: SMTP in production, the log in development."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from mail.models import OutboxMail

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 20


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=mail.recipient)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    # The same id on every attempt, so a receiving server can drop a duplicate delivery.
    message["Message-ID"] = f"<{mail.message_id_local_part}@{domain}>"
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


class SMTPTransport:
    """One SMTP connection per batch of mails."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SMTPTransport:
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except smtplib.SMTPException:
                self.connection.close()

    def _connect(self) -> smtplib.SMTP:
        if self.connection is None:
            config = self.config
            connection = smtplib.SMTP(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS
            )
            if config["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            self.connection = connection
        return self.connection

    def send(self, mail: OutboxMail) -> None:
        try:
            self._connect().send_message(build_message(mail, self.config["MAIL_DEFAULT_SENDER"]))
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server answered: the connection is still good for the next mail
        except OSError:  # includes a dropped connection: reconnect for the next mail
            if self.connection is not None:
                self.connection.close()
                self.connection = None
            raise


class ConsoleTransport:
    """Development: write the mail to the log so a newcomer can click its link."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __enter__(self) -> ConsoleTransport:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, mail: OutboxMail) -> None:
        log.warning(
            "\n----- mail to %s: %s -----\n%s\n----- end of mail -----",
            mail.recipient,
            mail.subject,
            mail.body_text,
        )


TRANSPORTS = {"smtp": SMTPTransport, "console": ConsoleTransport}


def transport_for(config: dict[str, Any]) -> SMTPTransport | ConsoleTransport:
    return TRANSPORTS[config["MAIL_BACKEND"]](config)
