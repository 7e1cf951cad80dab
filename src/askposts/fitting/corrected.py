"""What the staff's corrections changed, for the fit report.

``train.fit`` runs the grouped cross-validation twice when corrections are among the site's
questions: first without learning from them (they are still asked and judged, by models that
never saw any correction), then as the model is fitted. Both runs' held-out figures side by
side say what the corrections changed: on the corrected questions themselves (counts: they are
few) and on the site's other questions (fold means: did teaching them cost anything there).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..questionlog.corrections import CORRECTION_ID
from .figures import grades, replies
from .fit import Asked

if TYPE_CHECKING:
    from .train import CrossFit


def is_correction(a: Asked) -> bool:
    """A staff correction (``GET /api/corrections?format=jsonl``), not a labelled question."""
    return a.q.id.startswith(CORRECTION_ID)


def counted(items: list[Asked], cf: "CrossFit") -> dict:
    """The corrected questions' held-out replies, counted."""
    idx = [i for i, a in enumerate(items) if is_correction(a)]
    grade = np.array([grades([cf.done[i]], cf.p[[i]], cf.t[[i]], cf.choices[items[i].fold])[0]
                      for i in idx], dtype=object)
    answerable = np.array([items[i].answerable for i in idx], bool)
    holds = np.array([cf.done[i].holds for i in idx], bool) & (grade != "none")
    said = grade == "answer"
    return {"questions": len(idx), "answerable": int(answerable.sum()),
            "quote_holds": int((holds & answerable).sum()),
            "answered_right": int((said & holds).sum()),
            "confidently_wrong": int((said & ~holds).sum()),
            "unanswerable_not_answered": int((~said & ~answerable).sum())}


def changed(items: list[Asked], before: "CrossFit", after: "CrossFit",
            log: Callable[[str], object] = print) -> dict:
    """Held-out figures without learning from the corrections (``before``) and with them."""
    others = lambda a: not is_correction(a)  # noqa: E731
    out = {"corrected": {"before": counted(items, before), "after": counted(items, after)},
           "site_others": {"before": replies(items, before, others).get("site", {}),
                           "after": replies(items, after, others).get("site", {})}}
    b, a = out["corrected"]["before"], out["corrected"]["after"]
    so_b, so_a = out["site_others"]["before"], out["site_others"]["after"]
    log(f"correcciones: de {a['answerable']} preguntas corregidas con respuesta, la cita la "
        f"contiene en {b['quote_holds']} -> {a['quote_holds']} (validación cruzada); "
        f"respondidas con seguridad y bien {b['answered_right']} -> {a['answered_right']}, "
        f"mal {b['confidently_wrong']} -> {a['confidently_wrong']}; de "
        f"{a['questions'] - a['answerable']} sin respuesta, no respondidas "
        f"{b['unanswerable_not_answered']} -> {a['unanswerable_not_answered']}; el resto "
        f"del sitio: cita {so_b.get('quote_holds')} -> {so_a.get('quote_holds')}, "
        f"seguras y mal {so_b.get('confidently_wrong')} -> {so_a.get('confidently_wrong')}")
    return out
