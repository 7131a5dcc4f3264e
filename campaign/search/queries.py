"""Searching cases and events: the words people type, matched in any order, ranked and paged.

A search is folded exactly as the documents are (campaign.util.slugs.folded_words): lower-case
ASCII words, transliterated, so no quote, operator or control character of the input ever
reaches the database's query language. Every word must match the start of a word of the document
("kurm ain" finds Ainur Kurmanov), in any order. A search that finds nothing is retried with its
misspelt words corrected ("Kurmanof"), by pg_trgm's similarity where PostgreSQL has it.

What the public may find is decided here from the live rows, by the rules of the public pages
(campaign.cases.queries.public_cases_clause, campaign.events.queries.publicly_shown): the index
itself knows nothing of who may see what.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from campaign.cases.queries import public_cases_clause
from campaign.events.queries import publicly_shown
from campaign.extensions import db
from campaign.models import Case, Event, SearchDocument, event_cases
from campaign.models.search import FTS_TABLE, PG_VECTOR
from campaign.search.index import CASE, EVENT
from campaign.util.slugs import folded_words

Documents = sa.Select[int, str, int]  # id, kind, object_id of search documents
_S = TypeVar("_S", bound=sa.Select)

PAGE_SIZE = 20
MAX_QUERY = 200  # characters of a search that are read
MAX_TERMS = 8
MAX_TERM = 40
# How close a misspelt word must be to a word of a heading: pg_trgm's similarity where
# PostgreSQL has the extension, difflib's ratio elsewhere (both from 0 to 1).
FUZZY_THRESHOLD = 0.4
CLOSE_CUTOFF = 0.75
MAX_VOCABULARY_DOCUMENTS = 20_000


@dataclass(frozen=True)
class Hit:
    """One result: a case, or an event with the cases it may be shown under."""

    kind: str
    case: Case | None = None
    event: Event | None = None
    cases: list[Case] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    """A page of results, best first."""

    terms: list[str]
    hits: list[Hit]
    total: int
    page: int
    pages: int
    corrected: bool = False  # found for words close to the ones typed, not for those

    @property
    def first(self) -> int:
        """The number of the page's first result, counting from 1."""
        return (self.page - 1) * PAGE_SIZE + 1


def search_terms(text: str | None) -> list[str]:
    """The words a search looks for: folded, without repeats, a bounded number of bounded size."""
    terms: list[str] = []
    for word in folded_words((text or "")[:MAX_QUERY]):
        word = word[:MAX_TERM]
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _trigram_schema() -> str | None:
    """The schema holding pg_trgm's functions, if the extension is there and usable."""
    return db.session.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm' AND has_schema_privilege(n.nspname, 'USAGE')"
        )
    ).scalar()


def _matching(terms: list[str]) -> tuple[Documents, sa.ColumnElement[Any]]:
    """The documents that match every term, and their rank (smaller is better)."""
    documents = sa.select(SearchDocument.id, SearchDocument.kind, SearchDocument.object_id)
    if db.session.get_bind().dialect.name == "postgresql":
        vector: sa.ColumnElement[Any] = sa.literal_column(f"({PG_VECTOR})")
        simple: sa.ColumnElement[Any] = sa.literal_column("'simple'::regconfig")
        everything = sa.func.to_tsquery(simple, " & ".join(f"{t}:*" for t in terms))
        rank: sa.ColumnElement[Any] = -sa.func.ts_rank_cd(vector, everything)
        return documents.where(vector.op("@@")(everything)), rank
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    expression = " ".join(f'"{t}"*' for t in terms)  # terms are [a-z0-9]+: quoting is safe
    matched = documents.join(fts, fts.c.rowid == SearchDocument.id).where(
        sa.text(f"{FTS_TABLE} MATCH :expression").bindparams(expression=expression)
    )
    # bm25: smaller is better; a word in the heading (a name, a title) counts five times.
    return matched, sa.func.bm25(sa.literal_column(FTS_TABLE), 5.0, 1.0)


def _public_only(stmt: _S) -> _S:
    """Keep the documents of published, open cases and of their publicly shown events."""
    cases = sa.select(Case.id).where(*public_cases_clause())
    events = (
        sa.select(event_cases.c.event_id)
        .join(Case, Case.id == event_cases.c.case_id)
        .join(Event, Event.id == event_cases.c.event_id)
        .where(*public_cases_clause(), publicly_shown())
    )
    return stmt.where(
        sa.or_(
            sa.and_(SearchDocument.kind == CASE, SearchDocument.object_id.in_(cases)),
            sa.and_(SearchDocument.kind == EVENT, SearchDocument.object_id.in_(events)),
        )
    )


def search(text: str | None, *, staff: bool, page: int = 1) -> Results:
    """One page of the cases and events matching *text*; the public's, or all for *staff*.

    A search that finds nothing is tried once more with each word that starts no word of a
    heading the searcher may find replaced by the closest one (a misspelt name), and the results
    say so.
    """
    terms = search_terms(text)
    if not terms:
        return Results(terms=[], hits=[], total=0, page=1, pages=1)
    results = _run(terms, staff=staff, page=page)
    if results.total == 0:
        close = _close_terms(terms, staff=staff)
        if close != terms:
            found = _run(close, staff=staff, page=page)
            if found.total:
                return replace(found, corrected=True)
    return results


def _run(terms: list[str], *, staff: bool, page: int) -> Results:
    matched, rank = _matching(terms)
    if not staff:
        matched = _public_only(matched)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matched.subquery())) or 0
    # People mostly look for a person: a case outranks an event that names them as strongly.
    rank = sa.case((SearchDocument.kind == CASE, rank * 2), else_=rank)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        matched.with_only_columns(SearchDocument.kind, SearchDocument.object_id)
        .order_by(rank, SearchDocument.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return Results(terms=terms, hits=_hits(rows, staff=staff), total=total, page=page, pages=pages)


def _close_terms(terms: list[str], *, staff: bool) -> list[str]:
    """*terms*, each that starts no word of a heading one may find replaced by the closest.

    pg_trgm's similarity judges closeness where PostgreSQL has it; elsewhere difflib's ratio,
    over the words of the headings of at most so many documents.
    """
    headings = sa.select(SearchDocument.heading)
    if not staff:
        headings = _public_only(headings)
    schema = _trigram_schema() if db.session.get_bind().dialect.name == "postgresql" else None
    if schema is not None:
        return [_closest_in_database(term, headings, schema) for term in terms]
    found = db.session.scalars(headings.limit(MAX_VOCABULARY_DOCUMENTS))
    words = {word for heading in found for word in heading.split()}
    close: list[str] = []
    for term in terms:
        if any(word.startswith(term) for word in words):
            close.append(term)
            continue
        nearest = difflib.get_close_matches(term, words, n=1, cutoff=CLOSE_CUTOFF)
        close.append(nearest[0] if nearest else term)
    return close


def _closest_in_database(term: str, headings: sa.Select[Any], schema: str) -> str:
    """The word of the headings that *term* starts, or else the most similar (pg_trgm)."""
    found = headings.subquery()
    words = (
        sa.select(sa.func.regexp_split_to_table(found.c.heading, " ").label("word"))
        .distinct()
        .subquery()
    )
    similarity = getattr(sa.func, schema).similarity(words.c.word, term)
    starts = words.c.word.startswith(term, autoescape=True)
    nearest = db.session.scalar(
        sa.select(words.c.word)
        .where(sa.or_(starts, similarity >= FUZZY_THRESHOLD))
        .order_by(starts.desc(), similarity.desc(), words.c.word)
        .limit(1)
    )
    return term if nearest is None or nearest.startswith(term) else str(nearest)


def _hits(rows: Sequence[Any], *, staff: bool) -> list[Hit]:
    """The cases and events of *rows*, loaded in two queries, in the order of *rows*."""
    case_ids = [r.object_id for r in rows if r.kind == CASE]
    event_ids = [r.object_id for r in rows if r.kind == EVENT]
    # Each with its translations: a hit shows its texts in the reader's language.
    cases = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Case).where(Case.id.in_(case_ids)).options(selectinload(Case.translations))
        )
    }
    events = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Event)
            .where(Event.id.in_(event_ids))
            .options(selectinload(Event.cases), selectinload(Event.venue))
        )
    }
    shown = _public_case_ids(event_ids) if not staff else None
    hits: list[Hit] = []
    for row in rows:
        if row.kind == CASE and row.object_id in cases:
            hits.append(Hit(kind=CASE, case=cases[row.object_id]))
        elif row.kind == EVENT and row.object_id in events:
            event = events[row.object_id]
            under = [c for c in event.cases if shown is None or c.id in shown]
            hits.append(Hit(kind=EVENT, event=event, cases=under))
    return hits


def _public_case_ids(event_ids: list[int]) -> set[int]:
    """The ids of the public cases these events concern: the only ones a public hit names."""
    if not event_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Case.id)
            .join(event_cases, event_cases.c.case_id == Case.id)
            .where(event_cases.c.event_id.in_(event_ids), *public_cases_clause())
        )
    )


def matching_case_ids(text: str | None, *, staff: bool) -> set[int] | None:
    """The ids of the cases whose own words match *text*; None when there is nothing to look for."""
    terms = search_terms(text)
    if not terms:
        return None
    matched, _rank = _matching(terms)
    if not staff:
        matched = _public_only(matched)
    return set(
        db.session.scalars(
            matched.with_only_columns(SearchDocument.object_id).where(SearchDocument.kind == CASE)
        )
    )
