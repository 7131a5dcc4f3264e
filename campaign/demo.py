"""The demo campaign: Kazakhstan, spring 2010, the arrest and release of Ainur Kurmanov.

The facts follow the statement published on his release (see the domain brief); the wording is ours.
Where the statement gives no exact day, the events carry a month or approximate precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from campaign.extensions import db
from campaign.history.recorder import acting_as
from campaign.models import (
    Appeal,
    AppealLetter,
    AppealResponse,
    AppealState,
    AppealTarget,
    AuthorityRole,
    Case,
    CaseStatus,
    CaseStatusChange,
    CaseTranslation,
    DatePrecision,
    DeliveryMethod,
    DeliveryPack,
    Event,
    EventTranslation,
    EventType,
    Message,
    MessageState,
    Organisation,
    OrganisationKind,
    ResponseKind,
    Source,
    Venue,
    Verification,
    Visibility,
)
from campaign.util.slugs import slugify

KURMANOV = "ainur-kurmanov"
UKTESHBAEV = "yesenbek-ukteshbaev"

ORGANISATIONS: list[tuple[str, OrganisationKind, str | None]] = [
    ("CWI Kazakhstan", OrganisationKind.PARTY, "KZ"),
    ("Kazakhstan 2012", OrganisationKind.MOVEMENT, "KZ"),
    ("Defend People's Homes", OrganisationKind.MOVEMENT, "KZ"),
    ("Talmas", OrganisationKind.RIGHTS_GROUP, "KZ"),
    ("CWI Russia", OrganisationKind.PARTY, "RU"),
    ("CWI Austria (SLP)", OrganisationKind.PARTY, "AT"),
    ("Socialist Party (CWI England and Wales)", OrganisationKind.PARTY, "GB"),
    ("Joe Higgins MEP", OrganisationKind.PARLIAMENTARIAN, "IE"),
    ("Vpered", OrganisationKind.MOVEMENT, "RU"),
    ("RRP", OrganisationKind.PARTY, "RU"),
    ("AKM", OrganisationKind.MOVEMENT, "RU"),
]

VENUES: list[tuple[str, str, str]] = [
    ("Temir Bank head office", "Almaty", "KZ"),
    ("Almaty City Court", "Almaty", "KZ"),
    ("Embassy of Kazakhstan", "Moscow", "RU"),
    ("OSCE building", "Vienna", "AT"),
    ("Embassy of Kazakhstan", "Vienna", "AT"),
    ("Special detention centre for administrative offences", "Almaty", "KZ"),
]

STATEMENT = (
    "Statement of the Committee for a Workers' International on the release of Ainur Kurmanov",
    "Committee for a Workers' International",
    "Published on the day of his release, May 2010.",
)


@dataclass
class DemoEvent:
    """One event of the demo timeline, before it becomes a row."""

    type: EventType
    title: str
    on: date
    precision: DatePrecision
    cases: tuple[str, ...]
    approximate: bool = False
    placed_on: date | None = None
    city: str | None = "Almaty"
    country: str | None = "KZ"
    venue: tuple[str, str] | None = None
    orgs: tuple[str, ...] = ()
    description: str = ""
    outcome: str | None = None
    authority: str | None = None
    participants: int | None = None
    end: date | None = None
    verified: bool = True
    internal: bool = False
    sources: tuple[str, ...] = field(default=("statement",))


EVENTS: list[DemoEvent] = [
    DemoEvent(
        EventType.ARREST,
        "Ainur Kurmanov arrested at the Temir Bank picket",
        date(2010, 4, 27),
        DatePrecision.DAY,
        (KURMANOV,),
        approximate=True,
        venue=("Temir Bank head office", "Almaty"),
        orgs=("Kazakhstan 2012",),
        description=(
            "Detained at a picket against home repossessions outside Temir Bank, organised by the "
            "opposition movement Kazakhstan 2012. He was there as a journalist. The statement gives "
            "no exact day; it follows from fifteen days served before the release on 12 May."
        ),
    ),
    DemoEvent(
        EventType.SENTENCE,
        "Fifteen days' administrative detention for 'organising a picket'",
        date(2010, 4, 27),
        DatePrecision.DAY,
        (KURMANOV,),
        approximate=True,
        description=(
            "The court gave the maximum for the administrative offence: 15 days in the special "
            "detention centre. The arrests were preventive, aimed at the demonstration of 1 May."
        ),
        outcome="15 days' detention",
    ),
    DemoEvent(
        EventType.HUNGER_STRIKE_START,
        "Ainur Kurmanov begins a hunger strike",
        date(2010, 4, 27),
        DatePrecision.DAY,
        (KURMANOV,),
        approximate=True,
        venue=("Special detention centre for administrative offences", "Almaty"),
        description="He refused food for the whole of his sentence.",
        end=date(2010, 5, 12),
    ),
    DemoEvent(
        EventType.SENTENCE,
        "Yesenbek Ukteshbaev sentenced to five days",
        date(2010, 4, 30),
        DatePrecision.DAY,
        (UKTESHBAEV,),
        approximate=True,
        description=(
            "The leader of the movement Defend People's Homes was jailed for five days while "
            "Kurmanov was held. The exact day is not stated in the source."
        ),
        outcome="5 days' detention",
    ),
    DemoEvent(
        EventType.HUNGER_STRIKE_START,
        "Yesenbek Ukteshbaev on hunger strike in solidarity",
        date(2010, 4, 30),
        DatePrecision.DAY,
        (UKTESHBAEV,),
        approximate=True,
        description="He refused food in solidarity with Ainur Kurmanov.",
        end=date(2010, 5, 5),
    ),
    DemoEvent(
        EventType.DEMONSTRATION,
        "Mass protest outside the head office of Temir Bank",
        date(2010, 4, 30),
        DatePrecision.DAY,
        (KURMANOV, UKTESHBAEV),
        venue=("Temir Bank head office", "Almaty"),
        orgs=("Defend People's Homes",),
        description="Residents threatened with repossession and supporters demanded the release of the detained.",
    ),
    DemoEvent(
        EventType.DEMONSTRATION,
        "United May Day demonstration of the democratic opposition",
        date(2010, 5, 1),
        DatePrecision.DAY,
        (KURMANOV, UKTESHBAEV),
        orgs=("Kazakhstan 2012",),
        description="The demonstration the preventive arrests were meant to stop went ahead.",
    ),
    DemoEvent(
        EventType.DEMONSTRATION,
        "Protest outside the City Court",
        date(2010, 5, 4),
        DatePrecision.DAY,
        (KURMANOV,),
        venue=("Almaty City Court", "Almaty"),
        orgs=("CWI Kazakhstan",),
    ),
    DemoEvent(
        EventType.PICKET,
        "Picket at the Kazakhstan embassy in Moscow",
        date(2010, 5, 4),
        DatePrecision.DAY,
        (KURMANOV,),
        city="Moscow",
        country="RU",
        venue=("Embassy of Kazakhstan", "Moscow"),
        orgs=("CWI Russia", "Vpered"),
    ),
    DemoEvent(
        EventType.PICKET,
        "Pickets at the OSCE and the Kazakhstan embassy in Vienna",
        date(2010, 5, 1),
        DatePrecision.MONTH,
        (KURMANOV, UKTESHBAEV),
        city="Vienna",
        country="AT",
        venue=("OSCE building", "Vienna"),
        orgs=("CWI Austria (SLP)",),
        description="Kazakhstan held the chair of the OSCE that year; pickets stood at both buildings.",
    ),
    DemoEvent(
        EventType.STATEMENT,
        "Joe Higgins MEP protests the detention",
        date(2010, 5, 1),
        DatePrecision.MONTH,
        (KURMANOV,),
        city=None,
        country=None,
        orgs=("Joe Higgins MEP",),
    ),
    DemoEvent(
        EventType.APPEAL_HEARING,
        "Appeal heard with the detained present in person",
        date(2010, 5, 1),
        DatePrecision.MONTH,
        (KURMANOV,),
        placed_on=date(2010, 5, 4),
        orgs=("Talmas",),
        description=(
            "The rights organisation Talmas won, for the first time in Kazakhstan, the right of the "
            "arrested to take part in person in their own appeal hearing."
        ),
    ),
    DemoEvent(
        EventType.APPEAL_DECISION,
        "Appeal rejected",
        date(2010, 5, 1),
        DatePrecision.MONTH,
        (KURMANOV,),
        placed_on=date(2010, 5, 4),
        outcome="The sentence of 15 days was upheld.",
    ),
    DemoEvent(
        EventType.RELEASE,
        "Yesenbek Ukteshbaev released after five days",
        date(2010, 5, 5),
        DatePrecision.DAY,
        (UKTESHBAEV,),
        approximate=True,
    ),
    DemoEvent(
        EventType.HUNGER_STRIKE_END,
        "Hunger strike ends on release",
        date(2010, 5, 12),
        DatePrecision.DAY,
        (KURMANOV,),
    ),
    DemoEvent(
        EventType.RELEASE,
        "Ainur Kurmanov released after 15 days",
        date(2010, 5, 12),
        DatePrecision.DAY,
        (KURMANOV,),
        venue=("Special detention centre for administrative offences", "Almaty"),
        description="Released at the end of his sentence, after fifteen days on hunger strike.",
    ),
    DemoEvent(
        EventType.OTHER_ACTION,
        "Organisers' note: check the exact date of the arrest",
        date(2010, 4, 27),
        DatePrecision.DAY,
        (KURMANOV,),
        approximate=True,
        description="Ask the Almaty comrades for the court record with the exact day.",
        verified=False,
        internal=True,
        sources=(),
    ),
]

# The demo's own texts are English; its Russian and Kazakh versions show translated content at
# once (a reader who asks for Russian reads them, with English where none is given).
ORIGINAL_LANGUAGE = "en"
# case slug -> language -> (summary, charges, sentence)
CASE_TRANSLATIONS: dict[str, dict[str, tuple[str, str, str]]] = {
    KURMANOV: {
        "ru": (
            "Журналист и социалистический активист, задержан на пикете против изъятия жилья у "
            "головного офиса «Темирбанка», где он работал как журналист. Он отбыл максимальные "
            "пятнадцать суток и все эти дни держал голодовку. Пикеты от Алматы до Москвы и Вены "
            "и письма из десятка стран сопровождали его дело до освобождения 12 мая 2010 года.",
            "Организация пикета (административное правонарушение)",
            "15 суток административного ареста (максимальный срок)",
        ),
        "kk": (
            "Журналист және социалист белсенді, «Темірбанктің» бас кеңсесі алдында тұрғын үйді "
            "тартып алуға қарсы өткен пикетте ұсталды, ол онда журналист ретінде жүрген. Ол ең "
            "ұзақ мерзім — он бес тәулікті өтеп, осы күндердің бәрінде аштық жариялады. "
            "Алматыдан Мәскеу мен Венаға дейінгі пикеттер мен оншақты елден келген хаттар оның "
            "ісін 2010 жылғы 12 мамырда босатылғанға дейін қадағалап отырды.",
            "Пикет ұйымдастыру (әкімшілік құқық бұзушылық)",
            "15 тәулік әкімшілік қамаққа алу (ең ұзақ мерзім)",
        ),
    },
    UKTESHBAEV: {
        "ru": (
            "Осуждён на пять суток, пока под арестом находился Айнур Курманов, и объявил "
            "голодовку в знак солидарности с ним.",
            "Административное правонарушение",
            "5 суток административного ареста",
        ),
        "kk": (
            "Айнур Курманов қамауда отырған кезде бес тәулікке сотталып, онымен ынтымақтастық "
            "белгісі ретінде аштық жариялады.",
            "Әкімшілік құқық бұзушылық",
            "5 тәулік әкімшілік қамаққа алу",
        ),
    },
}
# event title (as above) -> language -> (title, description or None, outcome or None)
EVENT_TRANSLATIONS: dict[str, dict[str, tuple[str, str | None, str | None]]] = {
    "Ainur Kurmanov arrested at the Temir Bank picket": {
        "ru": (
            "Айнур Курманов задержан на пикете у «Темирбанка»",
            "Задержан на пикете против изъятия жилья у «Темирбанка», организованном "
            "оппозиционным движением «Казахстан-2012». Он был там как журналист. Точный день "
            "в заявлении не назван: он следует из пятнадцати суток, отбытых до освобождения "
            "12 мая.",
            None,
        ),
        "kk": (
            "Айнур Курманов «Темірбанк» алдындағы пикетте ұсталды",
            "«Қазақстан-2012» оппозициялық қозғалысы ұйымдастырған, тұрғын үйді тартып алуға "
            "қарсы «Темірбанк» алдындағы пикетте ұсталды. Ол онда журналист ретінде жүрген. "
            "Мәлімдемеде нақты күні айтылмаған: ол 12 мамырда босатылғанға дейін өтелген он "
            "бес тәуліктен шығады.",
            None,
        ),
    },
    "Fifteen days' administrative detention for 'organising a picket'": {
        "ru": (
            "Пятнадцать суток административного ареста за «организацию пикета»",
            "Суд назначил максимальное наказание за это административное правонарушение: "
            "15 суток в спецприёмнике. Аресты были превентивными: их целью было сорвать "
            "демонстрацию 1 Мая.",
            "15 суток ареста",
        ),
        "kk": (
            "«Пикет ұйымдастырғаны» үшін он бес тәулік әкімшілік қамақ",
            "Сот бұл әкімшілік құқық бұзушылық үшін ең ауыр жазаны тағайындады: арнаулы "
            "қабылдау орнында 15 тәулік. Қамауға алулар алдын ала жасалды: мақсаты 1 Мамырдағы "
            "шеруге жол бермеу еді.",
            "15 тәулік қамақ",
        ),
    },
    "Ainur Kurmanov begins a hunger strike": {
        "ru": (
            "Айнур Курманов объявляет голодовку",
            "Он отказывался от еды весь срок ареста.",
            None,
        ),
        "kk": (
            "Айнур Курманов аштық жариялады",
            "Ол қамақ мерзімінің бәрінде тамақтан бас тартты.",
            None,
        ),
    },
    "Yesenbek Ukteshbaev sentenced to five days": {
        "ru": (
            "Есенбек Уктешбаев осуждён на пять суток",
            "Лидера протестного движения в защиту жилья арестовали на пять суток, пока "
            "Курманов находился под арестом. Точный день в источнике не указан.",
            "5 суток ареста",
        ),
        "kk": (
            "Есенбек Уктешбаев бес тәулікке сотталды",
            "Курманов қамауда отырған кезде тұрғын үйді қорғау наразылық қозғалысының "
            "жетекшісі бес тәулікке қамалды. Нақты күні дереккөзде көрсетілмеген.",
            "5 тәулік қамақ",
        ),
    },
    "Yesenbek Ukteshbaev on hunger strike in solidarity": {
        "ru": (
            "Есенбек Уктешбаев объявил голодовку солидарности",
            "Он отказался от еды в знак солидарности с Айнуром Курмановым.",
            None,
        ),
        "kk": (
            "Есенбек Уктешбаев ынтымақтастық аштығын жариялады",
            "Ол Айнур Курмановпен ынтымақтастық белгісі ретінде тамақтан бас тартты.",
            None,
        ),
    },
    "Mass protest outside the head office of Temir Bank": {
        "ru": (
            "Массовый протест у головного офиса «Темирбанка»",
            "Жители, которым грозит выселение, и сторонники требовали освободить задержанных.",
            None,
        ),
        "kk": (
            "«Темірбанктің» бас кеңсесі алдындағы жаппай наразылық",
            "Баспанасынан айырылу қаупі төнген тұрғындар мен жақтастар ұсталғандарды босатуды "
            "талап етті.",
            None,
        ),
    },
    "United May Day demonstration of the democratic opposition": {
        "ru": (
            "Объединённая первомайская демонстрация демократической оппозиции",
            "Демонстрация, которую должны были сорвать превентивные аресты, всё же состоялась.",
            None,
        ),
        "kk": (
            "Демократиялық оппозицияның бірлескен 1 Мамыр шеруі",
            "Алдын ала қамауға алулар тоқтатуға тиіс болған шеру бәрібір өтті.",
            None,
        ),
    },
    "Protest outside the City Court": {
        "ru": ("Протест у здания городского суда", None, None),
        "kk": ("Қалалық сот ғимараты алдындағы наразылық", None, None),
    },
    "Picket at the Kazakhstan embassy in Moscow": {
        "ru": ("Пикет у посольства Казахстана в Москве", None, None),
        "kk": ("Мәскеудегі Қазақстан елшілігі алдындағы пикет", None, None),
    },
    "Pickets at the OSCE and the Kazakhstan embassy in Vienna": {
        "ru": (
            "Пикеты у ОБСЕ и посольства Казахстана в Вене",
            "В том году Казахстан председательствовал в ОБСЕ; пикеты стояли у обоих зданий.",
            None,
        ),
        "kk": (
            "Венадағы ЕҚЫҰ мен Қазақстан елшілігі алдындағы пикеттер",
            "Сол жылы Қазақстан ЕҚЫҰ-ға төрағалық етті; пикеттер екі ғимараттың алдында да тұрды.",
            None,
        ),
    },
    "Protest letters to the Kazakh authorities and the OSCE": {
        "ru": (
            "Письма протеста властям Казахстана и в ОБСЕ",
            "Секции КРИ и профсоюзы Европы и России написали письма с требованием освобождения.",
            None,
        ),
        "kk": (
            "Қазақстан билігіне және ЕҚЫҰ-ға наразылық хаттары",
            "КРИ секциялары мен Еуропа және Ресей кәсіподақтары босатуды талап етіп хат жазды.",
            None,
        ),
    },
    "Joe Higgins MEP protests the detention": {
        "ru": ("Депутат Европарламента Джо Хиггинс протестует против ареста", None, None),
        "kk": ("Еуропарламент депутаты Джо Хиггинс қамауға наразылық білдірді", None, None),
    },
    "Appeal heard with the detained present in person": {
        "ru": (
            "Апелляция рассмотрена в присутствии самого задержанного",
            "Правозащитная организация «Талмас» впервые в Казахстане добилась права "
            "арестованных лично участвовать в рассмотрении своей апелляции.",
            None,
        ),
        "kk": (
            "Апелляция ұсталған адамның өзі қатысуымен қаралды",
            "«Талмас» құқық қорғау ұйымы Қазақстанда алғаш рет қамауға алынғандардың өз "
            "апелляциясын қарауға жеке қатысу құқығын қорғап алды.",
            None,
        ),
    },
    "Appeal rejected": {
        "ru": ("Апелляция отклонена", None, "Наказание в 15 суток оставлено в силе."),
        "kk": ("Апелляция қанағаттандырылмады", None, "15 тәулік жаза өзгеріссіз қалды."),
    },
    "Yesenbek Ukteshbaev released after five days": {
        "ru": ("Есенбек Уктешбаев освобождён через пять суток", None, None),
        "kk": ("Есенбек Уктешбаев бес тәуліктен кейін босатылды", None, None),
    },
    "Hunger strike ends on release": {
        "ru": ("Голодовка закончилась с освобождением", None, None),
        "kk": ("Аштық босатылумен аяқталды", None, None),
    },
    "Ainur Kurmanov released after 15 days": {
        "ru": (
            "Айнур Курманов освобождён через 15 суток",
            "Освобождён по окончании срока, после пятнадцати дней голодовки.",
            None,
        ),
        "kk": (
            "Айнур Курманов 15 тәуліктен кейін босатылды",
            "Мерзімі аяқталған соң, он бес күн аштықтан кейін босатылды.",
            None,
        ),
    },
}

# (country, display name or None for "a supporter", organisation, language, text, state, day)
MESSAGES: list[tuple[str, str | None, str | None, str, str, MessageState, int]] = [
    (
        "RU",
        "Masha",
        "CWI Russia",
        "ru",
        "Айнур, мы с тобой. Вся Москва знает твоё имя.",
        MessageState.PUBLISHED,
        4,
    ),
    (
        "AT",
        "Sonja",
        "SLP",
        "de",
        "Solidarische Grüße aus Wien. Wir stehen vor der OSZE, bis du frei bist.",
        MessageState.PUBLISHED,
        5,
    ),
    (
        "GB",
        "Dave",
        "Unite branch",
        "en",
        "Solidarity from London. You are not alone: our branch is writing to the embassy.",
        MessageState.PUBLISHED,
        5,
    ),
    ("DE", None, None, "de", "Kraft und Mut aus Berlin!", MessageState.PUBLISHED, 6),
    (
        "CA",
        "Anne",
        None,
        "en",
        "Warm greetings from Toronto. Stay strong.",
        MessageState.PUBLISHED,
        6,
    ),
    (
        "US",
        "Jamal",
        "Socialist Alternative",
        "en",
        "From New York: we are telling everyone your story.",
        MessageState.PUBLISHED,
        7,
    ),
    ("ZA", "Thandi", None, "en", "Amandla! Greetings from Cape Town.", MessageState.PUBLISHED, 7),
    (
        "NG",
        "Segun",
        "DSM",
        "en",
        "Comrades in Lagos send their solidarity.",
        MessageState.PUBLISHED,
        8,
    ),
    ("AU", None, None, "en", "Thinking of you from Melbourne.", MessageState.PUBLISHED, 8),
    (
        "LK",
        "Siri",
        "USP",
        "en",
        "Solidarity from Colombo. Your courage gives us courage.",
        MessageState.PUBLISHED,
        9,
    ),
    (
        "GB",
        "Karen",
        None,
        "en",
        "We will be at the embassy again on Saturday.",
        MessageState.PENDING,
        10,
    ),
    ("DE", "x", None, "en", "cheap watches click here", MessageState.SPAM, 10),
]


def is_loaded() -> bool:
    """Whether the demo campaign is already in the database."""
    return db.session.scalar(sa.select(Case.id).where(Case.slug == KURMANOV)) is not None


def database_is_empty() -> bool:
    """Whether the database holds no case at all (a new install)."""
    return db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def load() -> bool:
    """Add the demo campaign unless it is already there; return whether anything was added."""
    if is_loaded():
        return False
    with acting_as(label="demo"):
        _add_campaign()
    return True


def _add_campaign() -> None:
    """The cases, their organisations, venues, events and messages, added to the session."""
    cases = _cases()
    orgs = {name: _organisation(name, kind, country) for name, kind, country in ORGANISATIONS}
    venues = {(name, city): _venue(name, city, country) for name, city, country in VENUES}
    statement = Source(title=STATEMENT[0], publisher=STATEMENT[1], citation=STATEMENT[2])
    db.session.add(statement)
    sources = {"statement": statement}
    for spec in EVENTS:
        event = Event(
            type=spec.type,
            title=spec.title,
            date=spec.on,
            date_precision=spec.precision,
            date_approximate=spec.approximate,
            placed_on=spec.placed_on,
            end_date=spec.end,
            city=spec.city,
            country=spec.country,
            venue=venues[spec.venue] if spec.venue else None,
            participants=spec.participants,
            description=spec.description or None,
            outcome=spec.outcome,
            authority=spec.authority,
            visibility=Visibility.INTERNAL if spec.internal else Visibility.PUBLIC,
            verification=Verification.VERIFIED if spec.verified else Verification.REPORTED,
            cases=[cases[slug] for slug in spec.cases],
            organisations=[orgs[name] for name in spec.orgs],
            sources=[sources[key] for key in spec.sources],
            original_language=ORIGINAL_LANGUAGE,
            translations=[
                EventTranslation(language=language, title=title, description=text, outcome=outcome)
                for language, (title, text, outcome) in EVENT_TRANSLATIONS.get(
                    spec.title, {}
                ).items()
            ],
        )
        db.session.add(event)
    _appeal(cases, statement)
    _messages(cases[KURMANOV])


def _cases() -> dict[str, Case]:
    kurmanov = Case(
        slug=KURMANOV,
        person_name="Ainur Kurmanov",
        person_name_original="Айнур Курманов",
        occupation="Journalist",
        affiliation="Kazakh section of the Committee for a Workers' International (CWI)",
        country="KZ",
        city="Almaty",
        charges="Organising a picket (administrative offence)",
        court="Almaty City Court (appeal)",
        detention_place="Special detention centre for administrative offences, Almaty",
        status=CaseStatus.RELEASED,
        arrest_date=date(2010, 4, 27),
        arrest_date_precision=DatePrecision.DAY,
        arrest_date_approximate=True,
        sentence="15 days' administrative detention (the maximum)",
        expected_release=date(2010, 5, 12),
        released_on=date(2010, 5, 12),
        summary=(
            "Journalist and socialist activist, arrested at a picket against home repossessions "
            "outside Temir Bank, where he was reporting. He served the maximum fifteen days and "
            "refused food for all of them. Pickets from Almaty to Moscow and Vienna and letters "
            "from a dozen countries followed his case until his release on 12 May 2010."
        ),
        published=True,
    )
    ukteshbaev = Case(
        slug=UKTESHBAEV,
        person_name="Yesenbek Ukteshbaev",
        occupation="Leader of the protest movement Defend People's Homes",
        affiliation="Defend People's Homes",
        country="KZ",
        city="Almaty",
        charges="Administrative offence",
        status=CaseStatus.RELEASED,
        arrest_date=date(2010, 4, 30),
        arrest_date_precision=DatePrecision.DAY,
        arrest_date_approximate=True,
        sentence="5 days' administrative detention",
        released_on=date(2010, 5, 5),
        released_on_approximate=True,
        summary=(
            "Jailed for five days while Ainur Kurmanov was held, he went on hunger strike in "
            "solidarity with him."
        ),
        published=True,
    )
    for case in (kurmanov, ukteshbaev):
        case.original_language = ORIGINAL_LANGUAGE
        case.translations = [
            CaseTranslation(language=language, summary=summary, charges=charges, sentence=sentence)
            for language, (summary, charges, sentence) in CASE_TRANSLATIONS[case.slug].items()
        ]
    db.session.add_all([kurmanov, ukteshbaev])
    kurmanov.link(ukteshbaev)
    for case, arrested, released in (
        (kurmanov, date(2010, 4, 27), date(2010, 5, 12)),
        (ukteshbaev, date(2010, 4, 30), date(2010, 5, 5)),
    ):
        case.status_changes.append(
            CaseStatusChange(new_status=CaseStatus.SENTENCED, effective_on=arrested)
        )
        case.status_changes.append(
            CaseStatusChange(
                old_status=CaseStatus.SENTENCED,
                new_status=CaseStatus.RELEASED,
                effective_on=released,
            )
        )
    return {KURMANOV: kurmanov, UKTESHBAEV: ukteshbaev}


APPEAL_ASKED = (
    "Ainur Kurmanov, a journalist, was arrested at a picket against home repossessions outside "
    "Temir Bank in Almaty, where he was reporting, and given the maximum of fifteen days for "
    "'organising a picket'. He refuses food in protest. Yesenbek Ukteshbaev, leader of the "
    "movement Defend People's Homes, was jailed for five days. The arrests were preventive: they "
    "were meant to stop the opposition's demonstration of 1 May.\n\n"
    "We ask the authorities of Kazakhstan to release both men at once and drop the charges, and "
    "the OSCE, whose chair Kazakhstan holds this year, to raise their detention with its chair."
)
APPEAL_LETTERS = {
    "en": (
        "Dear Sir or Madam,\n\n"
        "I am writing about Ainur Kurmanov, a journalist jailed in Almaty for fifteen days for "
        "'organising a picket' that he was reporting on, and about Yesenbek Ukteshbaev, jailed "
        "for five days. Both are on hunger strike.\n\n"
        "Reporting on a peaceful protest and defending people's homes are not crimes. I urge you "
        "to release them immediately, to drop the charges, and to respect the right to peaceful "
        "assembly that Kazakhstan has undertaken to uphold as chair of the OSCE.\n\n"
        "Yours faithfully,"
    ),
    "ru": (
        "Уважаемые господа!\n\n"
        "Я пишу вам в связи с делом журналиста Айнура Курманова, арестованного в Алматы на "
        "пятнадцать суток за «организацию пикета», который он освещал, и Есенбека Уктешбаева, "
        "арестованного на пять суток. Оба держат голодовку.\n\n"
        "Освещать мирный протест и защищать жильё людей — не преступление. Я призываю вас "
        "немедленно освободить их, снять обвинения и соблюдать право на мирные собрания, которое "
        "Казахстан обязался уважать как председатель ОБСЕ.\n\n"
        "С уважением,"
    ),
}


def _appeal(cases: dict[str, Case], statement: Source) -> None:
    """The 2010 letters to the Kazakh authorities and the OSCE, as an appeal.

    The statement says that protests were sent in writing, not on which day nor that anybody
    answered: the opening day is ours (during the first week of detention), the deadline is the
    end of the sentence, and the responses record the silence it reports.
    """
    appeal = Appeal(
        title="Release Ainur Kurmanov and Yesenbek Ukteshbaev",
        asked=APPEAL_ASKED,
        deadline=date(2010, 5, 12),
        state=AppealState.CLOSED,
        opened_on=date(2010, 4, 30),
        closed_on=date(2010, 5, 12),
        outcome=(
            "Yesenbek Ukteshbaev was released after five days, Ainur Kurmanov on 12 May 2010 at "
            "the end of his sentence, after fifteen days on hunger strike. No answer from the "
            "authorities or the OSCE is on record. Thank you to everyone who wrote."
        ),
        cases=[cases[KURMANOV], cases[UKTESHBAEV]],
        original_language=ORIGINAL_LANGUAGE,
    )
    prosecutor = AppealTarget(
        position=0,
        name="Prosecutor General of the Republic of Kazakhstan",
        role=AuthorityRole.PROSECUTOR,
        postal_address="General Prosecutor's Office\nAstana\nKazakhstan",
    )
    osce = AppealTarget(
        position=1,
        name="OSCE Chairmanship-in-Office (Kazakhstan, 2010)",
        role=AuthorityRole.OSCE,
        postal_address="OSCE Secretariat\nWallnerstrasse 6\n1010 Vienna\nAustria",
    )
    appeal.targets = [prosecutor, osce]
    appeal.letters = [
        AppealLetter(position=i, language=code, text=text)
        for i, (code, text) in enumerate(APPEAL_LETTERS.items())
    ]
    appeal.responses = [
        AppealResponse(
            target=target,
            received_on=date(2010, 5, 12),
            kind=ResponseKind.NO_REPLY,
            text="No answer came before the release.",
            original_language=ORIGINAL_LANGUAGE,
            source=statement,
            published=True,
            created_at=datetime(2010, 5, 12, 18, 0, tzinfo=UTC),
        )
        for target in (prosecutor, osce)
    ]
    db.session.add(appeal)


def _organisation(name: str, kind: OrganisationKind, country: str | None) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, slug=slugify(name), kind=kind, country=country)
        db.session.add(org)
    return org


def _venue(name: str, city: str, country: str) -> Venue:
    venue = db.session.scalar(sa.select(Venue).where(Venue.name == name, Venue.city == city))
    if venue is None:
        venue = Venue(name=name, slug=slugify(f"{name} {city}"), city=city, country=country)
        db.session.add(venue)
    return venue


def _messages(case: Case) -> None:
    start = datetime(2010, 4, 27, 9, 0, tzinfo=UTC)
    delivered: list[Message] = []
    for i, (country, name, org, language, text, state, day) in enumerate(MESSAGES):
        created = start + timedelta(days=day - 1, hours=i)
        message = Message(
            case=case,
            display_name=name,
            country=country,
            organisation=org,
            language=language,
            body=text,
            consent_to_publish=state == MessageState.PUBLISHED,
            state=state,
            created_at=created,
            decided_at=created + timedelta(hours=3) if state != MessageState.PENDING else None,
        )
        db.session.add(message)
        if state == MessageState.PUBLISHED and day <= 7:
            delivered.append(message)
    pack = DeliveryPack(
        case=case,
        method=DeliveryMethod.RELEASE,
        delivered_on=date(2010, 5, 12),
        note="Handed over outside the detention centre on the day of release.",
        created_at=datetime(2010, 5, 11, 18, 0, tzinfo=UTC),
    )
    db.session.add(pack)
    for message in delivered:
        message.delivery_pack = pack
        message.delivered_on = pack.delivered_on
