"""Naoberpanel: the application factory. Run with `flask --app app …`."""

from __future__ import annotations

import faulthandler
import importlib
import logging
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build a configured app; tests pass their own settings in `config`."""
    enable_crash_reports()
    app = Flask(__name__, instance_relative_config=True)
    from core import limits
    from core.config import configure

    configure(app, config)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    limits.leave_checks_to_the_decorators(app)
    register_commands(app)
    register_request_hooks(app)
    logging.getLogger(__name__).debug("App created for %s", app.config["APP_ENV"])
    return app


def enable_crash_reports() -> None:
    """A crash in C code (SIGSEGV, SIGABRT, …) prints every thread's Python stack to stderr.

    Every process builds the app: the web server (each gunicorn worker), `flask` commands, and
    so the job and mail workers (`flask jobs worker`, `flask mail worker`) too. Pytest enables
    it itself (its faulthandler plugin); then it is left as pytest set it."""
    if not faulthandler.is_enabled():
        faulthandler.enable(all_threads=True)


#: Every module with models, imported at start-up so Alembic and relationships see all tables.
MODEL_MODULES = (
    "core.once",
    "villages.models",
    "jobs.models",
    "accounts.models",
    "audit.models",
    "mail.models",
    "panel.models",
    "recruitment.models",
    "population.models",
    "surveys.models",
    "fieldwork.models",
    "results.models",
    "mirror.models",
    "paper.models",
)


def trust_proxies(app: Flask) -> None:
    """Behind a TLS proxy, take scheme, host and client address from its headers."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


def register_extensions(app: Flask) -> None:
    from flask_migrate import Migrate
    from flask_wtf.csrf import CSRFProtect

    from core import i18n, input, limits, nav, routing
    from core.db import db, end_reading_transactions_with_commit

    input.init_app(app)  # before the blueprints: their routes take the id converter
    routing.init_app(app)  # before the blueprints too: the class of their rules
    for module in MODEL_MODULES:
        importlib.import_module(module)
    db.init_app(app)
    end_reading_transactions_with_commit(app)
    Migrate(app, db, directory="migrations", render_as_batch=True, compare_type=True)
    CSRFProtect(app)
    i18n.init_app(app)
    nav.init_app(app)
    limits.init_app(app)


def register_blueprints(app: Flask) -> None:
    from accounts.people_views import bp as people_bp
    from accounts.views import bp as accounts_bp
    from audit.views import bp as audit_bp
    from core.views import bp as core_bp
    from dashboard.views import bp as dashboard_bp
    from exports.views import bp as exports_bp
    from fieldwork.answer_views import bp as answer_bp
    from fieldwork.invitation_views import bp as invitations_bp
    from fieldwork.monitor_views import bp as monitor_bp
    from jobs.views import bp as jobs_bp
    from mail.views import bp as mail_bp
    from mirror.pdf_views import bp as mirror_pdf_bp
    from mirror.views import bp as mirror_bp
    from opendata.views import bp as opendata_bp
    from panel.me_views import bp as me_bp
    from panel.member_views import bp as members_bp
    from panel.overview_views import bp as overview_bp
    from panel.views import bp as panel_bp
    from paper.entry_admin_views import bp as paper_entry_admin_bp
    from paper.entry_views import bp as paper_entry_bp
    from paper.import_views import bp as paper_import_bp
    from paper.print_views import bp as paper_print_bp
    from population.views import bp as population_bp
    from recruitment.views import bp as recruitment_bp
    from results.cluster_views import bp as clusters_bp
    from results.quote_views import bp as quotes_bp
    from results.views import bp as results_bp
    from surveys.outline_views import bp as outline_bp
    from surveys.preview_views import bp as preview_bp
    from surveys.proposal_views import bp as proposals_bp
    from surveys.views import bp as surveys_bp

    for blueprint in (
        core_bp,
        dashboard_bp,
        accounts_bp,
        people_bp,
        audit_bp,
        mail_bp,
        jobs_bp,
        panel_bp,
        me_bp,
        members_bp,
        overview_bp,
        population_bp,
        recruitment_bp,
        surveys_bp,
        outline_bp,
        proposals_bp,
        preview_bp,
        invitations_bp,
        answer_bp,
        monitor_bp,
        results_bp,
        clusters_bp,
        quotes_bp,
        exports_bp,
        mirror_bp,
        mirror_pdf_bp,
        opendata_bp,
        paper_entry_bp,
        paper_entry_admin_bp,
        paper_import_bp,
        paper_print_bp,
    ):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from accounts.cli import users_cli
    from core.cli import maintenance_cli
    from demo.cli import demo_cli
    from exports.cli import exports_cli
    from fieldwork.cli import fieldwork_cli
    from jobs.cli import jobs_cli
    from mail.cli import mail_cli
    from results.cli import analysis_cli
    from villages.cli import villages_cli

    for group in (
        analysis_cli,
        demo_cli,
        exports_cli,
        fieldwork_cli,
        jobs_cli,
        mail_cli,
        maintenance_cli,
        users_cli,
        villages_cli,
    ):
        app.cli.add_command(group)


def register_request_hooks(app: Flask) -> None:
    from accounts import sessions
    from core import errors, security
    from jobs import services as jobs
    from mail import delivery
    from panel import consent_hook

    security.init_app(app)
    errors.init_app(app)
    sessions.init_app(app)
    consent_hook.init_app(app)
    jobs.init_app(app)
    delivery.init_app(app)
