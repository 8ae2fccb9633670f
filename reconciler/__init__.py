"""Declarative GitOps reconciler for Auth0 Actions and Hooks."""

__version__ = "0.1.0"
