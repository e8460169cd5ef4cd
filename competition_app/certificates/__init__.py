"""Certificates: numbers, Chinese dates, signed QR payloads and PDF rendering (no Qt, no database).

The register (issuing, voiding, prints) lives in ``competition_app.services.certificates``.
"""
