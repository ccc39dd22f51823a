"""JVETS platform API: wiring only. Routes live in ``chalicelib.api``, administrator
functions in ``chalicelib.admin``, schedules in ``chalicelib.scheduled``, the user
pool's trigger in ``chalicelib.identity.triggers``, the documents bucket's in
``chalicelib.documents.triggers``; this module
registers them on the Chalice app."""

from chalice import Chalice

from chalicelib import scheduled
from chalicelib.admin import blueprint as admin_functions
from chalicelib.api import account_routes, document_routes, identity_routes, ledger_routes, meta_routes
from chalicelib.api.routing import security
from chalicelib.documents import triggers as document_triggers
from chalicelib.identity import triggers as cognito_triggers

app = Chalice(app_name="jvets", configure_logs=False)
app.register_blueprint(security)
app.register_blueprint(meta_routes.api.blueprint)
app.register_blueprint(identity_routes.api.blueprint)
app.register_blueprint(account_routes.api.blueprint)
app.register_blueprint(ledger_routes.api.blueprint)
app.register_blueprint(document_routes.api.blueprint)
app.register_blueprint(admin_functions)
app.register_blueprint(scheduled.blueprint)
app.register_blueprint(cognito_triggers.blueprint)
app.register_blueprint(document_triggers.blueprint)
