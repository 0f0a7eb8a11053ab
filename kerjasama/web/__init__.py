"""The web app: FastAPI (JSON API, document reader, health) with the Gradio chat mounted at ``/`` and ``/embed``.

``kerjasama.web.server.create_app(settings, answerer)`` assembles it; ``app.py`` at the repository root launches
it. Nothing here is imported by the CLI, and nothing heavy runs at import time.
"""
