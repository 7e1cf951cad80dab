"""Spanish text that people read about an answer, in one place (staff read the reasons)."""
from __future__ import annotations

NOT_FOUND = "No encontré información sobre eso en las publicaciones."
NEAR = "No encontré una respuesta directa; esto es lo más cercano (puede que no responda):"
NEAR_NOTE = "Esta cita no responde directamente; léala con cuidado."
PUBLISHED = "publicado el {date}"  # the post's date, when a «¿cuándo...?» quote has none
LINKED = "enlace: {link}"  # the post's link, when a «¿dónde puedo ver...?» quote has none
EMPTY_QUESTION = "La pregunta está vacía."
LONG_QUESTION = "La pregunta es demasiado larga (máximo {limit} caracteres)."
BAD_K = "k debe ser un número entero mayor que 0."

REASON_HEADS = {"answer": "respondo", "near": "no hay respuesta directa",
                "none": "no encontré respuesta"}

# What each decision signal means, for the direction it pushes (answer, no answer).
SIGNAL_WORDS = {
    "quote_logit": ("el pasaje citado encaja con la pregunta",
                    "el pasaje citado encaja poco con la pregunta"),
    "best_logit": ("hay un pasaje que encaja con la pregunta",
                   "ningún pasaje encaja bien con la pregunta"),
    "logit_gap": ("el pasaje citado destaca sobre los demás",
                  "ningún pasaje destaca sobre los demás"),
    "quote_cos": ("el pasaje citado es muy parecido a la pregunta",
                  "el pasaje citado se parece poco a la pregunta"),
    "max_cos": ("algún pasaje es muy parecido a la pregunta",
                "ningún pasaje se parece a la pregunta"),
    "quote_unit_cos": ("una frase citada es muy parecida a la pregunta",
                       "ninguna frase citada se parece a la pregunta"),
    "dense_top": ("la publicación más cercana trata el tema",
                  "la publicación más cercana trata poco el tema"),
    "overlap_quote": ("el pasaje citado comparte los términos de la pregunta",
                      "el pasaje citado comparte pocos términos de la pregunta"),
    "missing_quote": ("el pasaje citado contiene los términos clave",
                      "falta en el pasaje citado un término clave de la pregunta"),
    "coverage_top": ("la publicación contiene los términos de la pregunta",
                     "la publicación no contiene varios términos de la pregunta"),
    "missing_top": ("la publicación contiene los términos clave",
                    "falta en la publicación un término clave de la pregunta"),
    "kind_asked": ("la pregunta es abierta", "la pregunta pide un dato concreto"),
    "kind_quote": ("el pasaje citado tiene el tipo de dato que se pide",
                   "el pasaje citado no tiene el tipo de dato que se pide"),
    "negation_miss": ("la negación de la pregunta aparece en el texto",
                      "la pregunta niega algo que el texto no niega"),
    "number_miss": ("los números de la pregunta aparecen en el texto",
                    "un número de la pregunta no aparece en el texto"),
    "unknown": ("las publicaciones conocen los términos de la pregunta",
                "hay términos de la pregunta que ninguna publicación usa"),
    "fused_gap": ("una publicación destaca sobre las demás",
                  "ninguna publicación destaca sobre las demás"),
    "n_terms": ("la pregunta es precisa", "la pregunta tiene pocos términos"),
    "quote_rank": ("la cita viene de la publicación más cercana",
                   "la cita viene de una publicación menos cercana"),
    "quote_words": ("el pasaje citado es extenso", "el pasaje citado es breve"),
    "kind_with_terms": ("el dato pedido aparece junto a los términos de la pregunta",
                        "el dato pedido no aparece junto a los términos de la pregunta"),
}
