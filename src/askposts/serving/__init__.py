"""Serving: one service behind every front end.

``service`` admits, answers and logs every question the same way, whatever asks it; the
``http`` JSON API, the Gradio ``chat``, the ``staff`` area and the ``mcp_tools`` are thin
adapters over it, put together by ``app`` (and ``factory`` for several workers). ``gate``
bounds the work in flight; ``auth`` checks staff credentials; ``render`` and ``widgets`` turn
answers and filters into HTML and menus.
"""
