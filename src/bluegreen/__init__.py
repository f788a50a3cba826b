"""Operator CLI for zero-downtime blue/green releases of serverless REST APIs."""

__all__ = ["COLORS"]

COLORS = ("blue", "green")
