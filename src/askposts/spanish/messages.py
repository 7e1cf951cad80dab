"""The catalogue of Spanish text that people read, in one place: answers and their reasons,
the chat's and the staff area's messages and pages, and the errors of the API, the index and
the model. Widget labels stay beside their widgets and the command line's help beside its
arguments; messages carry ``{named}`` fields filled with ``str.format``."""
from __future__ import annotations

NOT_FOUND = "No encontré información sobre eso en las publicaciones."
NEAR = "No encontré una respuesta directa; esto es lo más cercano (puede que no responda):"
NEAR_NOTE = "Esta cita no responde directamente; léala con cuidado."
PUBLISHED = "publicado el {date}"  # the post's date, when a «¿cuándo...?» quote has none
LINKED = "enlace: {link}"  # the post's link, when a «¿dónde puedo ver...?» quote has none
EMPTY_QUESTION = "La pregunta está vacía."
LONG_QUESTION = "La pregunta es demasiado larga (máximo {limit} caracteres)."
UNREADABLE_QUESTION = ("La pregunta trae caracteres que no se pueden leer (de control, o bytes "
                       "que no son texto UTF-8); escríbala de nuevo.")
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
    "reader_quote": ("el lector halla la respuesta en el pasaje citado",
                     "el lector no halla la respuesta en el pasaje citado"),
    "reader_best": ("el lector halla una respuesta en las publicaciones",
                    "el lector no halla respuesta en ninguna publicación"),
    "reader_apart": ("el lector prefiere claramente el pasaje citado",
                     "el lector duda entre varios pasajes"),
}


# -- questions and filters (chat, API, MCP, CLI) ---------------------------------------------
BUSY = ("Hay muchas personas preguntando en este momento. Vuelva a intentarlo en unos "
        "segundos.")
TOO_MANY_QUESTIONS = ("Llegan demasiadas preguntas seguidas desde su conexión. Espere {seconds} s "
                      "y vuelva a preguntar.")
QUESTION_TOO_LONG = ("Su pregunta tiene {length} caracteres; el máximo es {limit}. Acórtela y "
                     "vuelva a intentarlo (la dejamos en el cuadro).")
BAD_DATE = "Fecha no válida: {value!r}. Use AAAA, AAAA-MM o AAAA-MM-DD."
BAD_DAY = "Fecha no válida: {value!r}."
DATES_REVERSED = "La fecha inicial es posterior a la final."
NO_POST_MATCHES = "ninguna publicación coincide con los filtros"
NO_TEXT = "las publicaciones más cercanas no tienen texto"

# -- the public chat ---------------------------------------------------------------------------
CHAT_TITLE = ("# Pregunte a nuestras publicaciones\nRespuestas cortas con citas de nuestros "
              "blogs, proyectos y publicaciones.")
CHAT_EMPTY = "Escriba una pregunta sobre nuestras publicaciones. Cada respuesta cita sus fuentes."
CHAT_EXAMPLES = ["¿Qué es la justicia abierta?",
                 "¿Qué proyectos de datos abiertos hemos hecho?",
                 "¿Cómo se pide información pública?"]
CHAT_PRIVACY = ("Guardamos sus preguntas sin datos personales (borramos correos, teléfonos y "
                "números de documentos) y sin nada que le identifique, durante {days} días, "
                "para saber qué falta en nuestras publicaciones. [Más información](/privacidad)")
FEEDBACK_QUESTION = "¿Le sirvió la última respuesta?"
FEEDBACK_THANKS = "Gracias: su opinión nos ayuda a mejorar las publicaciones."
FEEDBACK_TOO_LONG = "El comentario tiene {length} caracteres; el máximo es {limit}."
FEEDBACK_NO_ANSWER = "No hay una respuesta que calificar."
SOURCES = "Fuentes"
SOURCES_LABEL = "Fuentes de la respuesta"
RELATED = "Publicaciones relacionadas"
ALSO_READ = "También puede leer"
CHAT_STARTING = "El chat está arrancando; esta página se recarga sola en unos segundos."
CHAT_BROKEN = "El chat no pudo arrancar; la API sigue respondiendo en <code>/api</code>."
NO_FILES = "Este sitio no recibe ni sirve archivos."

# -- the staff area and its API -----------------------------------------------------------------
STAFF_TITLE = "# Área del personal\n[Salir](/personal/logout)"
STAFF_LOGIN = "Área del personal: ingrese su usuario y contraseña."
STAFF_OFF = ("El área del personal está desactivada: falta <code>staff_password_hash</code> "
             "en la configuración (<code>askposts staff-password</code>).")
STAFF_API_OFF = ("El acceso del personal a la API está desactivado (falta staff_token en la "
                 "configuración).")
BAD_PROXY = ("trusted_proxies: {value!r} no es una dirección IP ni una red (ejemplos: "
             "127.0.0.1, 10.0.0.0/8, ::1).")
PROXY_NOT_TRUSTED = ("Llegan peticiones con X-Forwarded-For, pero trusted_proxies está vacío: "
                     "todos los visitantes de ese proxy cuentan como un solo cliente y comparten "
                     "sus límites. Ponga la dirección del proxy en trusted_proxies "
                     "(docs/deploy.md).")
TOO_MANY_FAILURES = "Demasiados intentos fallidos; espere e intente de nuevo."
TOKEN_MISSING = "Falta la credencial del personal (Authorization: Bearer …)."
TOKEN_WRONG = "Credencial del personal incorrecta."
SEARCH_EMPTY = "Escriba qué busca (por ejemplo: «datos abiertos municipales»)."
SEARCH_FOUND = "{count} resultados."
SEARCH_NOTHING = "Sin resultados con esos filtros."
INITIATIVES_INTRO = ("Busque iniciativas pasadas (qué hicimos, cuándo y con quién) en todas las "
                     "colecciones, y descargue los resultados.")
SUMMARY_INTRO = ("Cómo le fue al chat en un periodo: preguntas por semana según la respuesta, "
                 "opiniones, de dónde llegaron, las publicaciones más citadas y lo que más se "
                 "preguntó sin respuesta. Las mismas cifras, en JSON: GET /api/summary.")
REVIEW_INTRO = ("Corrija una respuesta: elija una pregunta reciente (o escriba una), busque el "
                "pasaje que la responde y guárdelo; o marque que el sitio no la responde. Las "
                "correcciones enseñan al sistema: askposts fit --corrections.")
REVIEW_EXPORT = "Descargar las correcciones ({count}; JSONL, para askposts fit --corrections)"
REVIEW_SAVE = "Guardar: este pasaje la responde"
REVIEW_NONE = "El sitio no la responde"
CHART_WEEKS = "Preguntas por semana, según la respuesta"
GAPS_INTRO = ("Lo que la gente preguntó en el chat y las publicaciones no respondieron (o "
              "respondieron con poca confianza, o marcaron como no útil), agrupado por "
              "significado. Las preguntas se guardan sin datos personales.")
GAPS_FOUND = "{questions} preguntas en {groups} grupos."
GAPS_NOTHING = "Todavía no hay preguntas registradas con esos criterios."
CORRECTION_NO_QUESTION = "Falta la pregunta que se corrige."
CORRECTION_NO_PASSAGE = ("Elija el pasaje que responde la pregunta, o marque que el sitio no la "
                         "responde.")
CORRECTION_LONG_NOTE = "La nota puede tener hasta {limit} caracteres."
CORRECTION_UNKNOWN_POST = "No hay ninguna publicación en {path!r} (¿se borró o cambió de nombre?)."
CORRECTION_NOT_IN_POST = ("Ese pasaje no está, palabra por palabra, en «{title}» (¿la publicación "
                          "cambió?). Búsquelo de nuevo.")
BAD_CORRECTION = ("Corrección no válida: envíe JSON con question (texto), answerable (true o "
                  "false), y path y evidence (el pasaje, palabra por palabra) si la responde; "
                  "opcionales: should_answer, question_id, note.")
CORRECTION_SAVED = "Corrección guardada ({count} en total)."
LOG_OFF = "El registro de preguntas está desactivado (`question_log = false`)."
MISSING_Q = "Falta el parámetro q (la pregunta)."
BAD_CONTEXT = ("El contexto son las preguntas anteriores de la conversación: como mucho {most}, "
               "de hasta {chars} caracteres cada una y con texto legible.")
BODY_TOO_BIG = "La petición es demasiado grande (máximo {mb} MB)."
BODY_TOO_SLOW = "La petición llegó demasiado despacio y se cortó; vuelva a enviarla."
API_NOT_FOUND = "No existe esa dirección de la API (vea /api/docs)."
WRONG_METHOD = "Esa dirección de la API no acepta el método {method} (vea /api/docs)."
BAD_FEEDBACK = ('La opinión debe ser JSON: {"id": "<id de la respuesta>", "useful": true o false, '
                '"comment": "opcional"}.')
REINDEX_OFF = ("La reindexación por webhook está desactivada (falta reindex_secret en la "
               "configuración o --content al servir).")
SIGNATURE_MISSING = "Falta la firma X-Hub-Signature-256 del webhook."
SIGNATURE_WRONG = "La firma del webhook no coincide con reindex_secret."
API_DESCRIPTION = "Búsqueda y respuestas sobre publicaciones."
BAD_API_K = "k debe ser un número entero entre 1 y {most}."

# -- the index, the model and the content (people who run it) -----------------------------------
NO_INDEX = "No hay un índice en {where}. Créelo con: askposts index CONTENIDO {how}"
INDEX_BUSY = ("Otro proceso está actualizando el índice en {where}; espere a que termine e "
              "inténtelo de nuevo.")
OLD_FORMAT = ("El índice en {where} tiene un formato antiguo ({format}); reconstrúyalo con: "
              "askposts index CONTENIDO {how} --rebuild")
SECTIONS_OUT_OF_ORDER = ("Las secciones del índice no están en el orden de sus publicaciones; "
                         "reconstrúyalo con --rebuild.")
OTHER_MODEL = ("El índice en {where} se construyó con el modelo {built} ({dim} dimensiones), no "
               "con {wanted}. Reconstrúyalo con: askposts index CONTENIDO --index {folder} "
               "--rebuild")
OTHER_DIM = ("El modelo cargado da vectores de {loaded} dimensiones y el índice tiene {dim}; "
             "reconstruya el índice con --rebuild.")
MODEL_UNKNOWN_SIGNALS = ("El modelo de respuestas usa señales que esta versión no conoce "
                         "({names}); vuelva a ajustarlo con askposts fit.")
MODEL_INCOMPLETE = "El modelo de respuestas está incompleto; vuelva a ajustarlo."
MODEL_FORMAT = "Formato de modelo de respuestas desconocido; vuelva a ajustarlo con askposts fit."
MODEL_UNREADABLE = "No se pudo leer el modelo de respuestas {path}: {error}"
MODEL_DOES_NOT_READ = ("El modelo de respuestas {path} no lee con el lector: reader_model debe "
                       "ser un modelo de askposts fit sin --no-reader")
READER_MISSING = ("No se encontraron los pesos del lector {path} ({error}); reinstale askposts "
                  "o vuelva a entrenarlos con: askposts fit-reader")
READER_NEEDED = "El modelo de respuestas necesita el lector y no se cargó ninguno."
READER_NO_STATE = ("No hay un punto de control para reanudar en {path} ({error}); quite --resume "
                   "para empezar de cero.")
READER_OTHER_RUN = ("El punto de control {path} es de otro entrenamiento (cambió: {names}); use "
                    "la misma configuración o quite --resume.")
READER_CORRUPT = ("Los pesos del lector {path} están dañados o no son de esta versión (su suma "
                  "sha256 o su formato no coinciden); reinstale askposts o vuelva a entrenarlos "
                  "con: askposts fit-reader")
NO_CONTENT = "No existe la carpeta de contenido: {root}"
BAD_PRECISION = "precision debe ser auto, bf16 o fp32 (no {value!r})"
BAD_SCHEMA_NAME = "database_schema no válido: {value!r}"
BAD_BACKEND = "backend debe ser {names} (no {value!r})."
POSTGRES_NEEDS_URL = ("backend = \"postgres\" necesita database_url (o ASKPOSTS_DATABASE_URL, o "
                      "--database-url).")

# -- the configuration --------------------------------------------------------------------------
BAD_QUERY_ENCODER = "Valor inválido para query_encoder: {value!r} (use {names})"
BAD_READER = ("Valor inválido para reader: {value!r} (use off: no leer nunca, answers: leer "
              "solo las respuestas que se darían, all: leer todas las preguntas)")
NOT_POSITIVE = "Valor inválido para {name}: {value!r} (debe ser un entero mayor que 0)"
UNKNOWN_OPTIONS = "Opciones desconocidas en la configuración: {names}"
BUILD_SETTING_CHANGED = ("El índice se había construido con {name} = {before!r}; esta construcción "
                         "usa {now!r}, como se le indicó")
RETIRED_OPTIONS = ("La configuración trae opciones que esta versión ya no usa y que se ignoran: "
                   "{names} (cada texto se vectoriza solo; puede quitarlas)")
BAD_VALUE = "Valor inválido para {name}: {value!r}"
UNKNOWN_SCHEMA_KEYS = "Claves desconocidas en [schema]: {names}"
BAD_SCHEMA_VALUE = "[schema] {name} debe ser un texto o una lista de textos"

# -- why a content file is skipped or flagged (the build report) --------------------------------
FILE_LOOP = "enlace simbólico en bucle"
FILE_DENIED = "permiso denegado"
FILE_GONE = "enlace roto o archivo borrado"
FILE_IS_FOLDER = "es una carpeta"
FILE_TOO_BIG = "archivo demasiado grande ({size:.1f} MB; máximo {most:.1f} MB)"
FILE_UNREADABLE = "no se puede leer el archivo: {reason}"
FILE_EMPTY = "archivo vacío"
FILE_BINARY = "archivo binario (contiene bytes nulos)"
FILE_NOT_UTF8 = "no está en UTF-8 (byte inválido en la posición {at})"
FRONT_MATTER_OPEN = "el front matter no está cerrado (falta la línea '---' final)"
FRONT_MATTER_YAML = "YAML inválido en el front matter{where}"
FRONT_MATTER_LINE = " (línea {line})"
FRONT_MATTER_NOT_DICT = "el front matter no es un diccionario YAML"
SAME_URL = "misma URL que {other} ({url}); se indexan ambos"
SAME_TITLE = "mismo título que {other}; se indexan ambos"
WORKERS_CHAT = ("Con varios procesos, uno atiende el chat, el área del personal y MCP (Gradio "
                "guarda cada sesión en un proceso); las preguntas de la API y del widget las "
                "responden todos.")
# The chat on the organisation's own pages (/widget.js); its other text is shared above.
WIDGET = {"open": "Pregúntenos", "title": "Pregunte a nuestras publicaciones",
          "close": "Cerrar", "conversation": "Conversación", "label": "Su pregunta",
          "placeholder": "Escriba aquí su pregunta…", "send": "Preguntar",
          "searching": "Buscando en nuestras publicaciones…",
          "examples": "Preguntas de ejemplo", "useful": "¿Le sirvió?", "yes": "👍 Sí",
          "no": "👎 No", "you": "Usted", "privacy": "Privacidad",
          "error": "No pudimos responder ahora. Revise su conexión y vuelva a intentarlo."}
MCP_INTRO = "Servidor MCP de askposts: `buscar_publicaciones` y `preguntar`."

# Backup and restore (askposts backup / restore)
BACKUP_NOTHING = ("No hay nada que copiar en {where}: ni registro de preguntas ni de accesos "
                  "(¿es la carpeta --index del servidor?)")
BACKUP_NOT_EMPTY = "La carpeta {where} ya tiene archivos; use otra vacía o --force"
BACKUP_POSTGRES = ("Con PostgreSQL el registro de preguntas vive en la base de datos: cópielo "
                   "con pg_dump (docs/deploy.md): {command}")
BACKUP_DONE = "Copia de seguridad en {where}:"
RESTORE_DONE = "Restaurado en {where} (arranque el servidor de nuevo):"
BACKUP_LINE = "  {file}: {rows} filas, {size} KB"
RESTORE_NOT_A_BACKUP = "{where} no es una copia de askposts backup (falta backup.json)"
RESTORE_DAMAGED = ("La copia {where} está dañada: {file} no coincide con su suma en backup.json; "
                   "no se cambió nada")
RESTORE_WOULD_REPLACE = ("{where} ya tiene datos ({files}): restaurar los reemplazaría. Detenga "
                         "el servidor y repita con --force si eso es lo que quiere")
