"""The environment variables the tool reads, by name: what each command's ``--help`` lists.

Names only, no parsing: ``reconciler --help`` imports this and none of the settings machinery
(:mod:`reconciler.config` interprets the variables when a command runs).
"""

MAPPINGS_VAR = "AUTH0_KEYWORD_REPLACE_MAPPINGS"  # keyword values, a JSON object
HMAC_ENV = "RECONCILER_SECRETS_HMAC_KEY"  # keys the markers that tell a secret changed

# What each command may read from the environment (named in its --help).
CONNECTION_VARS = (
    "AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_ACCESS_TOKEN",
    "AUTH0_AUDIENCE", "AUTH0_TIMEOUT", "AUTH0_RUN_TIMEOUT", "AUTH0_WAIT_LIMIT",
)
KEYWORD_VARS = (MAPPINGS_VAR, "and any ##KEY## / @@KEY@@ keyword by name")
PLAN_VARS = ("AUTH0_ALLOW_DELETE", "AUTH0_EXCLUDED_ACTIONS", "AUTH0_EXCLUDED_HOOKS", "AUTH0_CUTOVER", HMAC_ENV)
TERMINAL_VARS = ("NO_COLOR",)
