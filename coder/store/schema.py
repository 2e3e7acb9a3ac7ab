"""The project database's tables, in SQLAlchemy Core (one definition for SQLite and PostgreSQL).

Codings are an append-only event log (``coding_events``) grouped into user
``actions``; ``codings`` holds the current state derived from that log and is
updated in the same transaction as every event, so reading it is one indexed
query and ``rebuild_current_codings`` can always recompute it from the log.
Times are ISO 8601 strings in UTC.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

project = sa.Table(
    "project",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

codebook_versions = sa.Table(
    "codebook_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("codebook_id", sa.String(200), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("loaded_at", sa.String(40), nullable=False),
)

questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

codes = sa.Table(
    "codes",
    metadata,
    sa.Column("question_id", sa.ForeignKey("questions.id"), primary_key=True),
    sa.Column("code_id", sa.String(200), primary_key=True),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(500), nullable=False, unique=True),
    sa.Column("attributes", sa.JSON, nullable=False, default=dict),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("name", sa.String(1000), nullable=False, unique=True),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("meta", sa.JSON, nullable=False, default=dict),
    sa.Column("imported_at", sa.String(40), nullable=False),
)

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("start_char", sa.Integer, nullable=False),
    sa.Column("end_char", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # the id a table row had in its file: unique within its document, not across the project
    # (two years' files may both have a row "1"; migration 7)
    sa.Column("external_id", sa.String(500)),
    # the heading path above the passage ("Syfte > Utveckling framöver"); NULL where there
    # is none, and for passages imported before sections were kept (migration 8)
    sa.Column("section", sa.Text, nullable=True),
    sa.UniqueConstraint("document_id", "position", name="uq_segment_position"),
    sa.UniqueConstraint("document_id", "external_id", name="uq_segment_external_id"),
)

coders = sa.Table(
    "coders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("coder_id", sa.ForeignKey("coders.id"), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),  # code | uncode | import | undo | memo
    sa.Column("time", sa.String(40), nullable=False),
    sa.Column("undoes", sa.Integer, nullable=True),  # for an undo: the action it reverted
    sa.Column("undone_by", sa.Integer, nullable=True),
    # A global id, the same in every copy of the project: `coder merge` adds only the
    # actions (and memos) whose uid it has not seen, so merging twice adds nothing.
    sa.Column("uid", sa.String(36), nullable=True),
    sa.Index("ix_actions_coder", "coder_id", "id"),
    sa.Index("ix_actions_uid", "uid", unique=True),
)

coding_events = sa.Table(
    "coding_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("action_id", sa.ForeignKey("actions.id"), nullable=False, index=True),
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False),
    sa.Column("question_id", sa.String(200), nullable=False),
    sa.Column("code_id", sa.String(200), nullable=False),
    sa.Column("coder_id", sa.ForeignKey("coders.id"), nullable=False),
    sa.Column("event", sa.String(10), nullable=False),  # added | removed
    sa.Column("origin", sa.String(40), nullable=False),  # human | accepted-suggestion
    sa.Column("time", sa.String(40), nullable=False),
    sa.Column("model_id", sa.String(100), nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Index("ix_events_segment", "segment_id", "question_id"),
)

codings = sa.Table(
    "codings",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id"), primary_key=True),
    sa.Column("question_id", sa.String(200), primary_key=True),
    sa.Column("code_id", sa.String(200), primary_key=True),
    sa.Column("coder_id", sa.ForeignKey("coders.id"), primary_key=True),
    sa.Column("origin", sa.String(40), nullable=False),
    sa.Column("time", sa.String(40), nullable=False),
    sa.Column("event_id", sa.Integer, nullable=False),
    sa.Index("ix_codings_question_code", "question_id", "code_id"),
    sa.Index("ix_codings_coder_question", "coder_id", "question_id", "segment_id"),
)

memos = sa.Table(
    "memos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False),
    sa.Column("coder_id", sa.ForeignKey("coders.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("time", sa.String(40), nullable=False),
    sa.Column("uid", sa.String(36), nullable=True),
    sa.Index("ix_memos_segment", "segment_id", "coder_id", "id"),
    sa.Index("ix_memos_uid", "uid", unique=True),
)

# Keyed by question first and stored without rowid: `coder suggest` replaces a whole
# question's rows at once, which is then one range of one B-tree (migration 4).
suggestions = sa.Table(
    "suggestions",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False),
    sa.Column("question_id", sa.String(200), nullable=False),
    sa.Column("code_id", sa.String(200), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("model_id", sa.String(100), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    # Up to 5 words or phrases of the passage that most raised the score, ";"-separated,
    # each a verbatim substring of the passage (migration 6).
    sa.Column("evidence", sa.Text, nullable=True),
    sa.PrimaryKeyConstraint("question_id", "segment_id", "code_id"),
    sqlite_with_rowid=False,
)

# Sentence embeddings of passages, computed once per passage and encoder (float16 bytes),
# so training and suggesting never embed a passage twice (migration 6).
segment_embeddings = sa.Table(
    "segment_embeddings",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False),
    sa.Column("encoder", sa.String(100), nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),
    sa.PrimaryKeyConstraint("encoder", "segment_id"),
)

models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("question_id", sa.String(200), nullable=False, index=True),
    sa.Column("codebook_digest", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("n_train", sa.Integer, nullable=False),
    sa.Column("cold_start", sa.Boolean, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False, default=dict),
    sa.Column("blob", sa.LargeBinary, nullable=False),
    sa.Column("mac", sa.String(64), nullable=False),
)


# Personal links for `coder serve`: one per coder, the token itself never stored, only its
# SHA-256 (a token is 256 random bits, so a plain hash cannot be guessed back; migration 9).
web_links = sa.Table(
    "web_links",
    metadata,
    sa.Column("coder", sa.String(200), primary_key=True),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("last_used_at", sa.String(40), nullable=True),
)


def in_context(table: sa.Table | None = None) -> sa.Join:
    """Passages with their documents and cases (segments -> documents -> cases), joined
    to ``table`` on its ``segment_id`` when given: the join behind every row that names
    its case and document."""
    s, d, c = segments.c, documents.c, cases.c
    passages = segments.join(documents, d.id == s.document_id).join(cases, c.id == d.case_id)
    if table is None:
        return passages
    return table.join(passages, s.id == table.c.segment_id)
