"""WTForms validators shared by the staff and public forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.form import BaseForm
from wtforms.validators import ValidationError

from campaign.util.countries import is_country_code


class CountryCode:
    """An ISO 3166-1 alpha-2 code from the list (empty passes: pair with DataRequired if needed)."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        value = (field.data or "").strip().upper()
        if value and not is_country_code(value):
            raise ValidationError(_l("Choose a country from the list."))
        field.data = value or None


class HttpUrl:
    """An absolute http(s) URL with a host; javascript:, ftp: or relative ones are refused."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            field.data = None
            return
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValidationError(_l("Enter a web address starting with http:// or https://."))
        field.data = value


class NoControlCharacters:
    """Refuse text with control characters (other than line breaks and tabs), e.g. NUL bytes."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        value = field.data
        if isinstance(value, str) and any(
            (ord(ch) < 32 and ch not in "\n\r\t") or ord(ch) == 127 for ch in value
        ):
            raise ValidationError(_l("This text contains characters that cannot be saved."))
