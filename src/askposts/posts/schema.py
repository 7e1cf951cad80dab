"""Which front-matter keys of a site mean what (title, summary, date, programme, link, prose).

Eleventy + Decap CMS sites name their fields as their authors chose; the defaults are those of
the first site we index (redciudadana.org). Another site sets its own in the config file:

    [schema]
    title = ["title", "nombre"]
    programme = ["area"]
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from ..errors import AskpostsError
from ..spanish import messages as msg


@dataclass(frozen=True)
class SiteSchema:
    """Front-matter keys by meaning; for each meaning the first key with a value wins."""

    title: tuple[str, ...] = ("title", "titulo", "nombre")
    summary: tuple[str, ...] = ("description", "descripcion")
    date: tuple[str, ...] = ("date",)  # a day (YAML date or "YYYY-MM-DD...")
    years: tuple[str, ...] = ("ano",)  # free text naming years: "2018 y 2022"
    programme: tuple[str, ...] = ("programa",)
    link: tuple[str, ...] = ("enlace",)  # an external URL, or embedded HTML with a caption
    # Keys that never hold prose people read; any other string field of four words or more
    # is indexed as text (projects keep their description in fields like `objetivo`).
    not_prose: tuple[str, ...] = ("permalink", "layout", "tags", "autor", "correo", "highlight",
                                  "image", "foto", "fotop", "icono", "slider", "link",
                                  "departamento")
    # A bare "example.org/page" is a link, not prose, when it ends in one of these.
    url_domains: tuple[str, ...] = ("org", "com", "gt", "net")

    @classmethod
    def from_dict(cls, values: dict) -> "SiteSchema":
        """From a config table: each meaning a key name or a list of key names."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise AskpostsError(msg.UNKNOWN_SCHEMA_KEYS.format(names=", ".join(unknown)))
        typed = {}
        for name, value in values.items():
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
                raise AskpostsError(msg.BAD_SCHEMA_VALUE.format(name=name))
            typed[name] = tuple(items)
        return cls(**typed)

    def known(self) -> frozenset[str]:
        """Keys with a meaning of their own (never indexed as extra prose)."""
        return frozenset(self.title + self.summary + self.date + self.years + self.programme
                         + self.link + self.not_prose)

    def to_dict(self) -> dict:
        """Lists of key names by meaning (recorded in the index fingerprint)."""
        return {k: list(v) for k, v in asdict(self).items()}
