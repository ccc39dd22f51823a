"""JVETS platform API: wiring only.

Every system has the same shape (``chalicelib/README`` section of the README): its
routes, administrator functions and triggers each sit on one Chalice blueprint, and
this module registers them, with the kernel's authorizer and error middleware.
"""

from chalice import Chalice

from chalicelib.compliance import admin as compliance_admin
from chalicelib.compliance import routes as compliance_routes
from chalicelib.compliance import triggers as compliance_triggers
from chalicelib.core.http import authorizer, meta_routes, middleware
from chalicelib.documents import routes as document_routes
from chalicelib.documents import triggers as document_triggers
from chalicelib.emissions import admin as emissions_admin
from chalicelib.emissions import routes as emissions_routes
from chalicelib.emissions import triggers as emissions_triggers
from chalicelib.identity import admin as identity_admin
from chalicelib.identity import routes as identity_routes
from chalicelib.identity import triggers as identity_triggers
from chalicelib.matching import routes as matching_routes
from chalicelib.matching import triggers as matching_triggers
from chalicelib.registry import admin as registry_admin
from chalicelib.registry import routes as registry_routes
from chalicelib.registry import triggers as registry_triggers

app = Chalice(app_name="jvets", configure_logs=False)

BLUEPRINTS = (
    authorizer.security,
    middleware.middleware,
    meta_routes.api.blueprint,
    identity_routes.api.blueprint,
    identity_admin.blueprint,
    identity_triggers.blueprint,
    registry_routes.api.blueprint,
    registry_admin.blueprint,
    registry_triggers.blueprint,
    document_routes.api.blueprint,
    document_triggers.blueprint,
    emissions_routes.api.blueprint,
    emissions_admin.blueprint,
    emissions_triggers.blueprint,
    compliance_routes.api.blueprint,
    compliance_admin.blueprint,
    compliance_triggers.blueprint,
    matching_routes.api.blueprint,
    matching_triggers.blueprint,
)
for blueprint in BLUEPRINTS:
    app.register_blueprint(blueprint)
