"""Static tables the population generator samples from.

NACE codes (SN2007, as Enhetsregisteret shows them), organisation forms,
Norwegian places (postnummer / poststed / kommunenummer after the 2024
county reform), foreign home countries, and name lists. Norwegian and most
foreign names come from Faker's locale providers (read as plain lists and
sampled with our own seeded `random.Random`, never Faker's own state);
where Faker has no Latin-script or gendered list, a short list is kept here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

# --- Industries --------------------------------------------------------------------

CONSTRUCTION = "construction"
CLEANING = "cleaning"
CARCARE = "carcare"
STAFFING = "staffing"
#: Goods transport by car (VT, from 2026): couriers, removal firms, road freight.
TRANSPORT = "transport"
#: Staffing agencies hiring out drivers (NACE 78, VT cards).
STAFFING_DRIVERS = "staffing_drivers"

#: Industries whose companies must be in Bemanningsforetaksregisteret.
STAFFING_INDUSTRIES = frozenset({STAFFING, STAFFING_DRIVERS})

#: Card type per industry (staffing agencies hire out construction workers or drivers).
CARD_TYPE = {
    CONSTRUCTION: "BA",
    CLEANING: "RH",
    CARCARE: "BP",
    STAFFING: "BA",
    TRANSPORT: "VT",
    STAFFING_DRIVERS: "VT",
}

#: Share of hovedenheter per industry.
INDUSTRY_WEIGHTS = {
    CONSTRUCTION: 0.80,
    CLEANING: 0.055,
    CARCARE: 0.035,
    STAFFING: 0.05,
    TRANSPORT: 0.052,
    STAFFING_DRIVERS: 0.008,
}

#: (NACE code, weight, words a company name in that trade uses).
NACE: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {
    CONSTRUCTION: [
        ("41.200", 22, ("BYGG", "BYGGMESTER", "ENTREPRENØR", "BOLIGBYGG", "TOTALENTREPRENØR")),
        ("42.110", 2, ("VEI", "VEG OG ANLEGG", "ASFALT")),
        ("42.210", 1, ("VA-ANLEGG", "RØRANLEGG")),
        ("42.990", 2, ("ANLEGG", "ANLEGGSSERVICE")),
        ("43.110", 2, ("RIVING", "RIVNING OG SANERING")),
        ("43.120", 8, ("GRAVING", "MASKIN", "GRAVEMASKIN", "TRANSPORT OG GRAVING")),
        ("43.210", 12, ("ELEKTRO", "ELEKTRIKER", "INSTALLASJON")),
        ("43.221", 9, ("RØR", "VVS", "RØRLEGGER")),
        ("43.222", 2, ("VENTILASJON", "KULDE OG VARME")),
        ("43.310", 2, ("PUSS OG MUR", "MURPUSS")),
        ("43.320", 14, ("TØMRER", "SNEKKERI", "BYGGSNEKKER", "TREBYGG")),
        ("43.330", 3, ("GULV", "FLIS", "GULV OG FLIS")),
        ("43.341", 6, ("MALER", "MALERSERVICE", "MALERMESTER")),
        ("43.342", 1, ("GLASS", "GLASSMESTER")),
        ("43.390", 3, ("OVERFLATE", "BYGGSERVICE")),
        ("43.910", 3, ("TAK", "TAKTEKKING", "TAK OG FASADE")),
        ("43.990", 8, ("BETONG", "MUR", "STILLAS", "BYGG OG ANLEGG")),
    ],
    CLEANING: [
        ("81.210", 8, ("RENHOLD", "RENGJØRING", "CLEAN", "VASKESERVICE", "RENHOLDSSERVICE")),
        ("81.220", 2, ("INDUSTRIRENHOLD", "SPESIALRENHOLD", "FASADEVASK")),
        ("81.290", 1, ("RENHOLDSTJENESTER", "RENT OG PENT")),
    ],
    CARCARE: [
        ("45.201", 5, ("BILVERKSTED", "BILSERVICE", "MOTOR", "BILPLEIE")),
        ("45.203", 4, ("DEKKSERVICE", "DEKK OG FELG", "DEKKHOTELL", "HJULSKIFT")),
    ],
    STAFFING: [
        ("78.200", 8, ("BEMANNING", "PERSONELL", "WORKFORCE", "RESOURCES", "UTLEIE")),
        ("78.100", 2, ("REKRUTTERING", "RECRUITMENT", "KOMPETANSE")),
    ],
    TRANSPORT: [
        ("53.200", 6, ("BUD", "BUDSERVICE", "EXPRESS", "KURER", "BUD OG LEVERING")),
        ("49.420", 3, ("FLYTTEBYRÅ", "FLYTTING", "FLYTTESERVICE")),
        ("49.410", 5, ("TRANSPORT", "VAREKJØRING", "DISTRIBUSJON", "LOGISTIKK")),
    ],
    STAFFING_DRIVERS: [
        ("78.200", 1, ("SJÅFØRUTLEIE", "DRIVERS", "SJÅFØRSERVICE", "BEMANNING TRANSPORT")),
    ],
}

#: Organisation forms per industry (NUF: foreign company, Norwegian branch).
FORMS: dict[str, list[tuple[str, int]]] = {
    CONSTRUCTION: [("AS", 64), ("ENK", 19), ("NUF", 13), ("ANS", 2), ("DA", 2)],
    CLEANING: [("AS", 70), ("ENK", 16), ("NUF", 9), ("ANS", 3), ("DA", 2)],
    CARCARE: [("AS", 58), ("ENK", 36), ("ANS", 4), ("DA", 2)],
    STAFFING: [("AS", 84), ("NUF", 16)],
    # many self-employed van drivers (ENK)
    TRANSPORT: [("AS", 48), ("ENK", 44), ("ANS", 3), ("DA", 1), ("NUF", 4)],
    STAFFING_DRIVERS: [("AS", 100)],
}

#: STYRK-08 occupation codes per industry (Aa-registeret's yrke).
OCCUPATIONS: dict[str, list[tuple[str, int]]] = {
    CONSTRUCTION: [
        ("7115", 30),  # tømrer og snekker
        ("9312", 15),  # hjelpearbeider anlegg
        ("7411", 12),  # elektriker
        ("7126", 10),  # rørlegger
        ("8342", 8),  # anleggsmaskinfører
        ("7112", 6),  # murer
        ("7131", 6),  # maler
        ("7114", 5),  # betongarbeider
        ("3112", 4),  # byggtekniker / anleggsleder
        ("1323", 4),  # leder i bygg og anlegg
    ],
    CLEANING: [("9112", 85), ("5151", 10), ("9129", 5)],
    CARCARE: [("7231", 45), ("9122", 35), ("7213", 20)],
    STAFFING: [("9312", 35), ("7115", 30), ("7411", 10), ("7126", 10), ("7112", 15)],
    TRANSPORT: [("8322", 70), ("9333", 20), ("8332", 10)],  # varebilsjåfør, lager, lastebil
    STAFFING_DRIVERS: [("8322", 85), ("9333", 15)],
}

#: Share of male workers per industry.
MALE_SHARE = {
    CONSTRUCTION: 0.93,
    CLEANING: 0.42,
    CARCARE: 0.86,
    STAFFING: 0.88,
    TRANSPORT: 0.85,
    STAFFING_DRIVERS: 0.87,
}

# --- Places ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    postnummer: tuple[str, ...]
    poststed: str
    kommune: str
    kommunenummer: str
    weight: int


PLACES: tuple[Place, ...] = (
    Place(
        (
            "0150",
            "0182",
            "0252",
            "0456",
            "0561",
            "0660",
            "0770",
            "0870",
            "0950",
            "1052",
            "1150",
            "1270",
        ),
        "OSLO",
        "OSLO",
        "0301",
        130,
    ),
    Place(("5003", "5015", "5055", "5089", "5146", "5221"), "BERGEN", "BERGEN", "4601", 55),
    Place(("7010", "7030", "7044", "7072", "7089"), "TRONDHEIM", "TRONDHEIM", "5001", 40),
    Place(("4006", "4014", "4021", "4033"), "STAVANGER", "STAVANGER", "1103", 28),
    Place(("4306", "4318", "4326"), "SANDNES", "SANDNES", "1108", 16),
    Place(("3015", "3022", "3036", "3045"), "DRAMMEN", "DRAMMEN", "3301", 20),
    Place(("1337", "1346", "1352", "1367"), "SANDVIKA", "BÆRUM", "3201", 20),
    Place(("1383", "1384", "1386"), "ASKER", "ASKER", "3203", 15),
    Place(("2000", "2007", "2010", "2013"), "LILLESTRØM", "LILLESTRØM", "3205", 18),
    Place(("1470", "1473", "1475"), "LØRENSKOG", "LØRENSKOG", "3222", 8),
    Place(("2050", "2054", "2056"), "JESSHEIM", "ULLENSAKER", "3209", 9),
    Place(("1400", "1405", "1410"), "SKI", "NORDRE FOLLO", "3207", 10),
    Place(("1601", "1604", "1608"), "FREDRIKSTAD", "FREDRIKSTAD", "3107", 14),
    Place(("1706", "1710", "1714"), "SARPSBORG", "SARPSBORG", "3105", 10),
    Place(("1530", "1534", "1536"), "MOSS", "MOSS", "3103", 7),
    Place(("3111", "3117", "3126"), "TØNSBERG", "TØNSBERG", "3905", 9),
    Place(("3209", "3216", "3222"), "SANDEFJORD", "SANDEFJORD", "3907", 9),
    Place(("3256", "3263", "3271"), "LARVIK", "LARVIK", "3909", 8),
    Place(("3710", "3718", "3730"), "SKIEN", "SKIEN", "4003", 9),
    Place(("3910", "3916", "3921"), "PORSGRUNN", "PORSGRUNN", "4001", 6),
    Place(("4608", "4614", "4631"), "KRISTIANSAND S", "KRISTIANSAND", "4204", 18),
    Place(("4836", "4841", "4848"), "ARENDAL", "ARENDAL", "4203", 7),
    Place(("5527", "5531", "5537"), "HAUGESUND", "HAUGESUND", "1106", 7),
    Place(("6002", "6008", "6015"), "ÅLESUND", "ÅLESUND", "1508", 9),
    Place(("6410", "6413", "6415"), "MOLDE", "MOLDE", "1506", 5),
    Place(("2315", "2317", "2322"), "HAMAR", "HAMAR", "3403", 6),
    Place(("2609", "2614", "2619"), "LILLEHAMMER", "LILLEHAMMER", "3405", 5),
    Place(("2815", "2821", "2827"), "GJØVIK", "GJØVIK", "3407", 5),
    Place(("3611", "3615", "3616"), "KONGSBERG", "KONGSBERG", "3303", 5),
    Place(("8006", "8013", "8021"), "BODØ", "BODØ", "1804", 9),
    Place(("9008", "9011", "9019"), "TROMSØ", "TROMSØ", "5501", 11),
    Place(("9405", "9411", "9415"), "HARSTAD", "HARSTAD", "5503", 4),
    Place(("9510", "9515", "9517"), "ALTA", "ALTA", "5601", 3),
    Place(("7713", "7724", "7725"), "STEINKJER", "STEINKJER", "5006", 3),
    Place(("7500", "7502", "7503"), "STJØRDAL", "STJØRDAL", "5035", 4),
    Place(("5300", "5302", "5304"), "KLEPPESTØ", "ASKØY", "4627", 4),
)

# --- Countries ---------------------------------------------------------------------

#: EU/EEA (and Switzerland): no residence permit needed to work.
EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH".split()
)

#: Home countries of foreign companies (NUF) and their posted workers.
NUF_COUNTRIES: list[tuple[str, int]] = [
    ("PL", 40),
    ("LT", 20),
    ("LV", 7),
    ("EE", 5),
    ("SE", 8),
    ("DE", 5),
    ("RO", 5),
    ("UA", 5),
    ("DK", 5),
]
#: Citizenships of EEA workers resident in Norway (fødselsnummer).
EEA_WORKER_COUNTRIES: list[tuple[str, int]] = [
    ("PL", 50),
    ("LT", 20),
    ("SE", 10),
    ("LV", 6),
    ("RO", 6),
    ("DE", 4),
    ("EE", 4),
]
#: Citizenships of non-EU/EEA workers (need a UDI permit with work access for RH/BP).
NON_EEA_COUNTRIES: list[tuple[str, int]] = [
    ("UA", 35),
    ("SY", 14),
    ("ER", 12),
    ("PH", 12),
    ("AF", 8),
    ("IN", 8),
    ("VN", 6),
    ("TH", 5),
]
COUNTRY_NAME_NB = {
    "PL": "Polen",
    "LT": "Litauen",
    "LV": "Latvia",
    "EE": "Estland",
    "SE": "Sverige",
    "DE": "Tyskland",
    "RO": "Romania",
    "UA": "Ukraina",
    "DK": "Danmark",
}
#: (postcode, city) of a NUF's head office in its home country.
FOREIGN_CITIES: dict[str, list[tuple[str, str]]] = {
    "PL": [
        ("00-001", "WARSZAWA"),
        ("30-001", "KRAKÓW"),
        ("80-001", "GDAŃSK"),
        ("50-001", "WROCŁAW"),
        ("70-001", "SZCZECIN"),
    ],
    "LT": [("01100", "VILNIUS"), ("44001", "KAUNAS"), ("91001", "KLAIPĖDA")],
    "LV": [("LV-1050", "RĪGA"), ("LV-3401", "LIEPĀJA")],
    "EE": [("10111", "TALLINN"), ("50090", "TARTU")],
    "SE": [("111 20", "STOCKHOLM"), ("411 01", "GÖTEBORG"), ("211 20", "MALMÖ")],
    "DE": [("10115", "BERLIN"), ("20095", "HAMBURG"), ("24103", "KIEL")],
    "RO": [("010011", "BUCUREȘTI"), ("400001", "CLUJ-NAPOCA")],
    "UA": [("01001", "KYIV"), ("79000", "LVIV")],
    "DK": [("1050", "KØBENHAVN K"), ("8000", "AARHUS C")],
}
#: Company-name patterns for NUF per home country ({w}: trade word, {n}: a surname).
NUF_NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "PL": (
        "{n} BUD SP. Z O.O.",
        "{n}-BUD SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ",
        "PHU {n}",
        "{n} BUDOWNICTWO SP. Z O.O.",
    ),
    "LT": ("UAB {n} STATYBA", "UAB {n}", "{n} STATYBOS UAB"),
    "LV": ("SIA {n} BŪVE", "SIA {n}"),
    "EE": ("{n} EHITUS OÜ", "{n} OÜ"),
    "SE": ("{n} BYGG AB", "{n}S MÅLERI AB", "{n} ENTREPRENAD AB"),
    "DE": ("{n} BAU GMBH", "{n} BAUUNTERNEHMEN GMBH"),
    "RO": ("{n} CONSTRUCT SRL", "{n} SRL"),
    "UA": ("TOV {n} BUD", "TOV {n}"),
    "DK": ("{n} BYG APS", "{n} ENTREPRISE A/S"),
}

PERMIT_TYPES = {
    "UA": "Kollektiv beskyttelse",
    "SY": "Beskyttelse (asyl)",
    "ER": "Beskyttelse (asyl)",
    "AF": "Beskyttelse (asyl)",
    "PH": "Arbeidstillatelse – faglært",
    "IN": "Arbeidstillatelse – faglært",
    "VN": "Familieinnvandring",
    "TH": "Familieinnvandring",
}

# --- Names -------------------------------------------------------------------------


@dataclass(frozen=True)
class NamePool:
    male: tuple[str, ...]
    female: tuple[str, ...]
    last_male: tuple[str, ...]
    last_female: tuple[str, ...]


def _faker_list(locale: str, attr: str) -> tuple[str, ...]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    values = getattr(provider, attr)
    return tuple(values.keys() if isinstance(values, dict) else values)


def _feminine_polish(name: str) -> str:
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if name.endswith(male):
            return name[: -len(male)] + female
    return name


def _feminine_lithuanian(name: str) -> str:
    for ending in ("as", "is", "ys", "us"):
        if name.endswith(ending):
            return name[: -len(ending)] + "ienė"
    return name


_HANDMADE: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "LT": (
        (
            "Tomas",
            "Lukas",
            "Mantas",
            "Darius",
            "Andrius",
            "Mindaugas",
            "Giedrius",
            "Vytautas",
            "Tadas",
            "Paulius",
            "Marius",
            "Egidijus",
        ),
        ("Rūta", "Jurgita", "Inga", "Laura", "Greta", "Agnė", "Eglė", "Kristina", "Lina", "Asta"),
        (),
    ),
    "UA": (
        (
            "Oleksandr",
            "Andrii",
            "Serhii",
            "Dmytro",
            "Volodymyr",
            "Mykola",
            "Ivan",
            "Yurii",
            "Vasyl",
            "Taras",
            "Bohdan",
            "Maksym",
        ),
        (
            "Olena",
            "Iryna",
            "Nataliia",
            "Oksana",
            "Tetiana",
            "Yuliia",
            "Svitlana",
            "Kateryna",
            "Mariia",
            "Halyna",
        ),
        (
            "Shevchenko",
            "Kovalenko",
            "Bondarenko",
            "Tkachenko",
            "Kravchenko",
            "Melnyk",
            "Boiko",
            "Kovalchuk",
            "Oliinyk",
            "Lysenko",
            "Moroz",
            "Marchenko",
            "Savchenko",
            "Rudenko",
            "Polishchuk",
            "Shevchuk",
        ),
    ),
    "SY": (
        (
            "Ahmad",
            "Mohammad",
            "Khaled",
            "Omar",
            "Hassan",
            "Ali",
            "Yousef",
            "Mahmoud",
            "Fadi",
            "Samer",
        ),
        ("Fatima", "Aisha", "Rania", "Lina", "Hala", "Nour", "Reem", "Yasmin", "Maryam", "Dima"),
        (
            "Al-Hassan",
            "Haddad",
            "Khalil",
            "Darwish",
            "Hamdan",
            "Suleiman",
            "Nasser",
            "Saleh",
            "Ibrahim",
            "Mansour",
            "Aziz",
        ),
    ),
    "ER": (
        ("Yonas", "Dawit", "Samuel", "Tesfay", "Mehari", "Filmon", "Robel", "Ermias"),
        ("Helen", "Selam", "Rahel", "Senait", "Luwam", "Saba", "Winta", "Freweini"),
        (
            "Tesfamariam",
            "Gebremedhin",
            "Haile",
            "Tekle",
            "Kidane",
            "Berhane",
            "Ghebreyesus",
            "Woldu",
            "Asfaha",
        ),
    ),
    "PH": (
        ("Jose", "Mark", "John Paul", "Christian", "Rodel", "Ramon", "Ariel", "Jericho"),
        ("Maria", "Jennifer", "Maricel", "Rowena", "Joy", "Lorna", "Kristine", "Analyn"),
        (
            "Santos",
            "Reyes",
            "Cruz",
            "Bautista",
            "Garcia",
            "Mendoza",
            "Dela Cruz",
            "Villanueva",
            "Ramos",
            "Aquino",
            "Castillo",
        ),
    ),
    "AF": (
        ("Ahmad", "Mohammad", "Abdul", "Hamid", "Mustafa", "Rahim", "Najib", "Farid"),
        ("Fatima", "Zahra", "Maryam", "Nargis", "Sima", "Laila", "Shabnam", "Parwana"),
        (
            "Ahmadi",
            "Rahimi",
            "Karimi",
            "Hashimi",
            "Sultani",
            "Noori",
            "Haidari",
            "Amiri",
            "Sadat",
            "Popal",
        ),
    ),
    "VN": (
        ("Minh", "Hung", "Tuan", "Dung", "Quang", "Long", "Thanh", "Duc"),
        ("Lan", "Huong", "Mai", "Linh", "Thu", "Hoa", "Ngoc", "Trang"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"),
    ),
    "TH": (
        ("Somchai", "Prasert", "Anan", "Somsak", "Wichai", "Chaiya"),
        ("Siriporn", "Malee", "Ratana", "Suda", "Kanya", "Nittaya"),
        ("Saetang", "Srisuk", "Wongsawat", "Chaiyaphum", "Boonmee", "Sukjai", "Thongdee"),
    ),
}


@cache
def name_pool(country: str) -> NamePool:
    """Given names and surnames for a citizenship (Latin script, as Folkeregisteret spells them)."""
    faker_locale = {
        "NO": "no_NO",
        "PL": "pl_PL",
        "SE": "sv_SE",
        "DE": "de_DE",
        "DK": "da_DK",
        "RO": "ro_RO",
        "LV": "lv_LV",
        "EE": "et_EE",
        "IN": "en_IN",
    }.get(country)
    if country == "PL":
        male_last = _faker_list("pl_PL", "male_last_names") + _faker_list(
            "pl_PL", "unisex_last_names"
        )
        female_last = tuple(_feminine_polish(n) for n in male_last)
        return NamePool(
            _faker_list("pl_PL", "first_names_male"),
            _faker_list("pl_PL", "first_names_female"),
            male_last,
            female_last,
        )
    if country == "LV":
        return NamePool(
            _faker_list("lv_LV", "first_names_male"),
            _faker_list("lv_LV", "first_names_female"),
            _faker_list("lv_LV", "last_names_male"),
            _faker_list("lv_LV", "last_names_female"),
        )
    if country == "EE":
        last = _faker_list("et_EE", "last_names_est")
        return NamePool(
            _faker_list("et_EE", "first_names_male_est"),
            _faker_list("et_EE", "first_names_female_est"),
            last,
            last,
        )
    if country == "LT":
        male, female, _ = _HANDMADE["LT"]
        last = _faker_list("lt_LT", "last_names")
        return NamePool(male, female, last, tuple(_feminine_lithuanian(n) for n in last))
    if faker_locale is not None:
        last = _faker_list(faker_locale, "last_names")
        return NamePool(
            _faker_list(faker_locale, "first_names_male"),
            _faker_list(faker_locale, "first_names_female"),
            last,
            last,
        )
    male, female, last = _HANDMADE[country]
    return NamePool(male, female, last, last)


@cache
def street_suffixes() -> tuple[str, ...]:
    provider = importlib.import_module("faker.providers.address.no_NO").Provider
    return tuple(provider.street_suffixes) + ("veien", "gata", "vegen")


#: Words that start Norwegian company names besides surnames and places.
NAME_PREFIXES = (
    "NORD",
    "VEST",
    "SØR",
    "ØST",
    "FJELL",
    "FJORD",
    "KYST",
    "NORSK",
    "VIKING",
    "POLAR",
    "TRØNDER",
    "SUNNMØRE",
    "HARDANGER",
    "ROMERIKE",
    "FOLLO",
    "OSLOFJORD",
    "MJØSA",
    "GRENLAND",
    "AGDER",
    "JÆREN",
    "LOFOTEN",
    "HELGELAND",
    "VESTFOLD",
    "RINGERIKE",
    "SOLID",
    "PROFF",
    "TOTAL",
    "PRO",
    "EXPERT",
    "KVALITET",
    "TRYGG",
    "ALFA",
    "NOVA",
)
