"""Textual only: screens and widgets; imports domain and services, never adapters."""
