"""Accounts, permissions, password hashing and (issue 11) keys: no Qt, no peewee."""
