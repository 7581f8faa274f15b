"""Deployment checks (`thrive check --deploy`)."""

import os

from django.core.checks import Warning, register

from .audit_keys import ENV_VAR


@register("security", deploy=True)
def audit_key_outside_var(app_configs, **kwargs):
    if os.environ.get(ENV_VAR, "").strip():
        return []
    return [Warning(
        "The audit log's key is in var/audit-keys.json, beside the data it protects.",
        hint=f"Set {ENV_VAR} to a key file the database's administrators cannot read "
             "(README: 'The audit log's key').", id="thrive.W001")]
