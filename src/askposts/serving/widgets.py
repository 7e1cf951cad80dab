"""Small pieces the public chat and the staff area share: year menus and their filters."""
from __future__ import annotations

import gradio as gr

from ..filters import Filters


def year_menu(label: str, years: list[int], elem_id: str | None = None) -> gr.Dropdown:
    """A year dropdown with an explicit «Cualquiera» (else Gradio selects the first year)."""
    choices = [("Cualquiera", "")] + [(str(y), str(y)) for y in years]
    return gr.Dropdown(choices, value="", label=label, elem_id=elem_id)


def menu_filters(collections: list[str] | None, programmes: list[str] | None,
                 since: object, until: object) -> Filters:
    """The menus' choices as one ``Filters`` (years may come as numbers)."""
    return Filters.parse(collections, programmes, str(int(since)) if since else None,
                         str(int(until)) if until else None)
