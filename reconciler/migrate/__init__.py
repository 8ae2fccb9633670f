"""``reconciler migrate``: hooks to actions in deploy-cli's layout, shown as a diff, proved by running both.

``translate`` maps the common hook shapes to Actions handlers, ``adapter`` wraps the others,
``generate`` picks one per hook (and verifies it in Node when it can), ``layout`` turns the
result into file changes, ``check`` compares a hook and its action, ``migration`` is the use
case the CLI calls and ``report`` what it prints.
"""
