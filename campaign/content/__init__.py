"""Translated content: organisers give a case's or an event's public texts in other languages."""
