"""Declarative GitOps reconciler for Auth0 Actions and Hooks."""

__version__ = "1.0.0"
