"""What every resource type shares, so no type imports another (Hooks, retired by Auth0, can be
deleted without touching Actions): reading config documents as hostile input (``parse``,
``documents``), the schema fast path and its messages (``schema_fast``, ``schema_messages``),
secret markers and masks (``secrets``), script templates and their diffs (``templates``,
``diff``) and the rules for a name freed by a replace (``names``). Imports no type."""
