"""Names sorted as an alphabetical list sorts them, in Kazakh, Russian and English."""

from __future__ import annotations

from flask import Flask

from campaign.util.collation import collation_key
from campaign.util.countries import country_choices


def test_kazakh_letters_sort_where_the_kazakh_alphabet_has_them() -> None:
    names = ["Ұлыбритания", "Қазақстан", "Өзбекстан", "Әзірбайжан", "Пуэрто-Рико", "Пәкістан"]
    names += ["Кения", "Ауғанстан", "Ресей", "Оман", "Уганда", "Япония"]
    assert sorted(names, key=collation_key) == [
        "Ауғанстан",
        "Әзірбайжан",
        "Кения",
        "Қазақстан",
        "Оман",
        "Өзбекстан",
        "Пәкістан",
        "Пуэрто-Рико",
        "Ресей",
        "Уганда",
        "Ұлыбритания",
        "Япония",
    ]


def test_russian_yo_and_short_i_and_latin_accents_sort_as_letters() -> None:
    assert sorted(["Ёж", "Ель", "Жук", "Йемен", "Иран", "Кипр"], key=collation_key) == [
        "Ель",
        "Ёж",
        "Жук",
        "Иран",
        "Йемен",
        "Кипр",
    ]
    english = ["Zimbabwe", "Åland Islands", "Côte d'Ivoire", "Curaçao", "Cuba", "albania"]
    assert sorted(english, key=collation_key) == [
        "Åland Islands",
        "albania",
        "Côte d'Ivoire",
        "Cuba",
        "Curaçao",
        "Zimbabwe",
    ]


def test_the_support_forms_countries_in_kazakh_put_kazakhstan_under_q(app: Flask) -> None:
    with app.test_request_context("/kk/"):
        from flask_babel import force_locale

        with force_locale("kk"):
            names = [name for _code, name in country_choices()]
    kazakhstan = names.index("Қазақстан")
    assert names[kazakhstan - 1].startswith(("К", "Қ"))  # noqa: RUF001  # Cyrillic
    assert names[-1].startswith(("Я", "Ю", "Э"))
