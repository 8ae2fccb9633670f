"""``reconciler migrate``: hooks to actions in deploy-cli's layout, shown as a diff, proved by running both.

``classify`` decides per hook, statically: ``jsparse``/``jsbindings``/``outline``/``parsed`` parse
the hook and resolve its names, ``translate`` maps the common shapes to Actions handlers (with
``renames`` for the parameters and ``callbacks`` for the callback calls), ``person`` and
``scope_changes`` find what needs a person, ``hazards`` what the Actions runtime will expose;
``adapter`` wraps the hooks not translated, ``generate`` picks one per hook (and verifies it in Node when it can), ``layout`` turns the
result into file changes, ``check`` compares a hook and its action, ``migration`` is the use
case the CLI calls and ``report`` what it prints.
"""
