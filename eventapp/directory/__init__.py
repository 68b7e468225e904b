"""Organisations, sites and people: the communication network itself."""
