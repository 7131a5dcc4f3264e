"""Staff views of translated content: the Translations section of the case and event pages
(its forms post here), one language's form on a page of its own, and the original's language.

Organisers only: what the public reads of a case is theirs to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from campaign.content import queries, services
from campaign.content.forms import CaseTranslationForm, EventTranslationForm, OriginalLanguageForm
from campaign.content.labels import field_label, unknown_language
from campaign.extensions import db
from campaign.models import Case, Event
from campaign.util.localised import language_name, same_language
from campaign.web.access import ORGANISERS, allow

bp = Blueprint("content", __name__, url_prefix="/manage/content")
bp.add_app_template_filter(field_label, "translated_field_label")


@dataclass(frozen=True)
class Kind:
    """What the views need to know of a kind of translated record."""

    model: type[Case] | type[Event]
    form: type[FlaskForm]
    detail: str  # the staff page the Translations section is on
    id_arg: str


KINDS = {
    "cases": Kind(Case, CaseTranslationForm, "cases.detail", "case_id"),
    "events": Kind(Event, EventTranslationForm, "events.detail", "event_id"),
}


@dataclass(frozen=True)
class LanguagePanel:
    """One language of the Translations section: its state and its form."""

    state: queries.LanguageState
    form: FlaskForm


@dataclass(frozen=True)
class Panel:
    """The Translations section of a staff case or event page."""

    kind: str
    record: Case | Event
    original: OriginalLanguageForm
    languages: list[LanguagePanel]

    @property
    def missing(self) -> int:
        """How many texts wait for a translation, or to be translated again."""
        return sum(p.state.to_translate for p in self.languages)


def _kind_of(record: Case | Event) -> str:
    return "cases" if isinstance(record, Case) else "events"


def _load(kind: str, record_id: int) -> tuple[Kind, Case | Event]:
    """The record of a kind by id, or 404 (an unknown kind too)."""
    spec = KINDS.get(kind)
    if spec is None:
        abort(404)
    return spec, db.get_or_404(spec.model, record_id)


def _language_choices(record: Case | Event) -> list[tuple[str, str]]:
    codes = list(services.site_languages())
    if record.original_language not in codes:
        codes.append(record.original_language)
    return [(code, f"{language_name(code)} ({code})") for code in codes]


def _original_form(record: Case | Event, *, formdata: Any = None) -> OriginalLanguageForm:
    form = OriginalLanguageForm(formdata=formdata, data={"language": record.original_language})
    form.language.choices = _language_choices(record)
    return form


def _translation_form(
    spec: Kind, record: Case | Event, state: queries.LanguageState | None, language: str
) -> FlaskForm:
    translation = state.translation if state else None
    data = {f: getattr(translation, f) for f in record.TRANSLATED} if translation else {}
    return spec.form(formdata=None, data=data, prefix=language)


@bp.app_template_global()
def translation_panel(record: Case | Event) -> Panel:
    """The Translations section of *record*'s staff page: a form per site language."""
    kind = _kind_of(record)
    spec = KINDS[kind]
    languages = [
        LanguagePanel(state, _translation_form(spec, record, state, state.language))
        for state in queries.translation_states(record)
    ]
    return Panel(kind, record, _original_form(record), languages)


@bp.app_template_global()
def missing_translations(record: Case | Event) -> int:
    """How many texts of *record* still wait for a translation (or for one again, their
    original having changed), over all site languages."""
    return queries.missing_count(record)


def _back(spec: Kind, record: Case | Event) -> str:
    values: dict[str, Any] = {spec.id_arg: record.id}
    return url_for(spec.detail, **values) + "#translations"


def _problem(error: services.TranslationError, record: Case | Event) -> str:
    """What is wrong with a language, in words for the organiser."""
    if isinstance(error, services.UnknownLanguage):
        return unknown_language(error.language)
    if isinstance(error, services.SameAsOriginal):
        return _(
            "The original text is already in %(language)s: a translation into it would never "
            "be shown. Choose another language, or change the language of the original.",
            language=language_name(record.original_language),
        )
    return _(
        "There is a translation into %(language)s: clear it before saying the original is "
        "in that language.",
        language=language_name(error.language),
    )


@bp.route("/<kind>/<int:record_id>/translations/<language>", methods=["GET", "POST"])
@allow(*ORGANISERS)
def translation(kind: str, record_id: int, language: str) -> Response | str:
    """One language's texts of a case or an event: shown with the original, and saved."""
    spec, record = _load(kind, record_id)
    state = next((s for s in queries.translation_states(record) if s.language == language), None)
    form = spec.form(prefix=language)
    problem = None
    if form.validate_on_submit():
        texts = {f: form[f].data for f in record.TRANSLATED}
        try:
            saved = services.save_translation(record, language, texts)
        except services.TranslationError as error:
            problem = _problem(error, record)
        else:
            db.session.commit()
            name = language_name(language)
            if saved is None:
                flash(_("The translation into %(language)s is cleared.", language=name), "success")
            else:
                flash(_("The translation into %(language)s is saved.", language=name), "success")
            return redirect(_back(spec, record))
    elif not form.is_submitted():
        form = _translation_form(spec, record, state, language)
        try:
            services.known_language(language)
            if same_language(language, record.original_language):
                raise services.SameAsOriginal(language)
        except services.TranslationError as error:
            problem = _problem(error, record)
    return render_template(
        "content/translation.html",
        kind=kind,
        record=record,
        language=language,
        form=form,
        problem=problem,
        back=_back(spec, record),
    )


@bp.post("/<kind>/<int:record_id>/original-language")
@allow(*ORGANISERS)
def original_language(kind: str, record_id: int) -> Response:
    """Say which language a case's or an event's own texts are in."""
    spec, record = _load(kind, record_id)
    form = OriginalLanguageForm()
    if form.validate_on_submit():
        try:
            services.set_original_language(record, form.language.data or "")
        except services.TranslationError as error:
            flash(_problem(error, record), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "The original text is in %(language)s.",
                    language=language_name(record.original_language),
                ),
                "success",
            )
    return redirect(_back(spec, record))
