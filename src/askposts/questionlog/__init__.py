"""The question log: what people asked, without personal data, and what the posts lack.

``log`` records questions and feedback in batches off the request path; ``database`` opens its
SQLite or PostgreSQL database; ``redact`` removes e-mails, phone and ID numbers before anything
is stored; ``gaps`` groups unanswered questions by meaning into the staff's report.
"""
