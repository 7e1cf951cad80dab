"""Personal data never reaches the question log; years, dates and amounts stay."""
import re

import pytest

from askposts.questionlog.redact import redact

PERSONAL = [
    ("Mi correo es ana.lopez@gmail.com, ¿me escriben?", "Mi correo es [correo], ¿me escriben?"),
    ("escriban a JUAN_PEREZ+ong@redciudadana.org.gt por favor",
     "escriban a [correo] por favor"),
    ("llámenme al 5512-3456 después de las 5", "llámenme al [teléfono] después de las 5"),
    ("mi teléfono: 2230 4455", "mi teléfono: [teléfono]"),
    ("whatsapp 45678901 gracias", "whatsapp [teléfono] gracias"),
    ("desde Estados Unidos: +1 (555) 123-4567", "desde Estados Unidos: [teléfono]"),
    ("o al +502 5512 3456", "o al [teléfono]"),
    ("al 00502 55123456 en horario de oficina", "al [teléfono] en horario de oficina"),
    ("(502) 7765-4321 es el número de la muni", "[teléfono] es el número de la muni"),
    ("mi DPI es 2456 78901 0101, ¿sirve?", "mi DPI es [dpi], ¿sirve?"),
    ("CUI 2456789010101 de mi mamá", "CUI [dpi] de mi mamá"),
    ("DPI 2456-78901-0101", "DPI [dpi]"),
    ("NIT: 1234567-8 para la factura", "NIT: [nit] para la factura"),
    ("con nit 98765432K", "con nit [nit]"),
    ("factura a 4455667-K", "factura a [nit]"),
    ("pagué con la tarjeta 4111 1111 1111 1111 ayer", "pagué con la tarjeta [tarjeta] ayer"),
    ("la tarjeta 4111-1111-1111-1111", "la tarjeta [tarjeta]"),
    ("número 378282246310005 (amex)", "número [tarjeta] (amex)"),
    ("vi https://forms.gle/abc?usp=sf_link&email=ana@x.org en el post",
     "vi [enlace] en el post"),
    ("www.ejemplo.org/buscar?nombre=Ana+López", "[enlace]"),
]

KEPT = [
    "¿Qué hicieron en 2024?",
    "¿Qué pasó entre 2023 y 2024? ¿y en 2023-2024?",
    "el taller del 12/05/2024 en Cobán",
    "la actividad del 2024-05-12",
    "el 15 de marzo de 2023 a las 10:30",
    "¿Cuánto costó? Q1,500,000.00 según el informe",
    "un presupuesto de Q 45,000 al año",
    "se invirtieron 25000000 quetzales",
    "unos 3.5 millones de quetzales en 2022",
    "el proyecto 2019-2022 con 120 participantes",
    "Ley 57-2008 de acceso a la información",
    "Decreto 12-2002, artículo 35",
    "visiten https://redciudadana.org/blogs/ para más",
    "el 8 de marzo, Día de la Mujer, 300 personas",
    "el 50% de 22 municipios",
]


@pytest.mark.parametrize("text,expected", PERSONAL)
def test_personal_data_is_replaced_by_a_tag(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_years_dates_and_amounts_stay(text):
    assert redact(text) == text


def test_redaction_is_idempotent():
    once = redact(" ".join(t for t, _ in PERSONAL))
    assert redact(once) == once
    assert re.search(r"\d{4}", once) is None and "@" not in once
