"""Declarative GitOps reconciler for Auth0 Hooks."""

__version__ = "0.1.0"
