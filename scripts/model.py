"""The archive's data model: small frozen records passed from stage to stage.

decode -> ``DecodedPage``; clean/segment -> ``PageResult`` (articles, furniture, dropped text);
the build collects them into a ``BuildReport``. Nothing here does any work (but :func:`evolve`,
a faster ``dataclasses.replace``).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Diagnostic:
    """A message about one input file, optionally one line of it."""

    file: str
    message: str
    line: int | None = None
    level: str = "warning"  # "error" | "warning" | "info"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level}: {self.message}"


class PageError(Exception):
    """A page that cannot be read at all. The message always names the file (and line)."""

    def __init__(self, file: str, message: str, line: int | None = None):
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class DecodedPage:
    """A raw page decoded to text: BOM removed, line endings normalised to ``\\n``."""

    file: str  # path as given to the build, relative to the project (e.g. "seeds/000_x.txt")
    sha256: str  # of the raw bytes
    encoding: str  # "utf-8", "utf-8-sig", "gb18030", "utf-16-le", "utf-16-be"
    text: str
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class PageMeta:
    """What an archivist recorded about a page file in ``seeds/manifest.yml``; all optional."""

    newspaper: str | None = None
    date: str | None = None  # ISO "YYYY-MM-DD" (or "YYYY-MM", "YYYY")
    page: str | None = None  # page number or name, e.g. "4" or "党建"
    column: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Author:
    name: str
    role: str | None = None  # e.g. "本报记者", "通讯员"


@dataclass(frozen=True)
class Paragraph:
    """One body unit. ``kind`` is "text" or "heading" (a section heading inside an article)."""

    text: str
    kind: str = "text"
    lines: tuple[int, int] = (0, 0)  # first and last raw line (1-based)


@dataclass(frozen=True)
class Caption:
    text: str
    credit: str | None = None
    lines: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Furniture:
    """Page furniture: editor credits, column banners, page headers, page-wide photo credits."""

    text: str
    line: int
    kind: str  # e.g. "editor credit", "column banner", "page header", "photo credit"


@dataclass(frozen=True)
class Dropped:
    """Text deliberately left out of every article, with the reason."""

    text: str
    line: int
    reason: str  # e.g. "duplicate heading", "pull quote", "extraction heading marker"


@dataclass(frozen=True)
class Correction:
    """A character-level repair of an OCR slip, recorded so it can be audited."""

    line: int
    before: str
    after: str
    rule: str


@dataclass(frozen=True)
class Person:
    """Someone named in an article with the title the text gives them."""

    name: str
    title: str | None = None  # e.g. "党工委书记、管委会主任"


@dataclass(frozen=True)
class Figure:
    """A numeric fact: ``党员2720名`` -> subject 党员, value 2720, unit 名, with its sentence."""

    subject: str
    value: str  # as printed, e.g. "2720", "3.74万", "超670"
    unit: str
    sentence: str


@dataclass(frozen=True)
class Article:
    id: str
    kind: str  # "article" | "photo"
    title: str
    title_inferred: bool
    kicker: str | None
    subtitle: str | None
    byline: str | None  # the byline as printed, e.g. "刘文研 本报记者 戈清平"
    authors: tuple[Author, ...]
    dateline: str | None  # e.g. "本报讯"
    lead: str | None  # the opening paragraph: a printed standfirst, else the first paragraph
    paragraphs: tuple[Paragraph, ...]  # everything after the lead
    captions: tuple[Caption, ...]
    zones: tuple[str, ...]
    date: str | None
    date_basis: str | None  # "manifest" | "inferred" | None
    source_file: str
    source_sha256: str
    lines: tuple[int, int]
    meta: PageMeta = field(default_factory=PageMeta)
    # Filled by the enrich and link stages (scripts/enrich.py, scripts/link.py).
    date_evidence: str | None = None  # the phrase an inferred date rests on
    people: tuple[Person, ...] = ()
    organizations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    related: tuple[str, ...] = ()  # ids, best first
    related_scores: tuple[float, ...] = ()  # cosine similarity, same order as related
    near_duplicates: tuple[str, ...] = ()  # ids of articles reusing the same passages


@dataclass(frozen=True)
class PageResult:
    """Everything one page turned into."""

    file: str
    sha256: str
    encoding: str
    articles: tuple[Article, ...]
    furniture: tuple[Furniture, ...]
    dropped: tuple[Dropped, ...]
    corrections: tuple[Correction, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class BuildReport:
    pages: tuple[PageResult, ...]
    diagnostics: tuple[Diagnostic, ...]  # includes pages that failed to decode

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)


def evolve(record: T, **changes: object) -> T:
    """``dataclasses.replace(record, **changes)`` for the frozen records here, without running
    ``__init__`` again: the pipeline replaces fields of every article several times per build
    (40,000 replacements for 10,000 articles), and a generated ``__init__`` of thirty fields
    costs ten times a copy of the instance's dict. Only for dataclasses without
    ``__post_init__`` or cached properties (what ``__init__`` would not copy); an unknown
    field name raises ``TypeError`` as ``replace`` does.

    >>> p = Person("张三", "书记")
    >>> evolve(p, title="主任"), p
    (Person(name='张三', title='主任'), Person(name='张三', title='书记'))
    """
    cls = type(record)
    unknown = changes.keys() - _plain_fields(cls)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
    new = object.__new__(cls)
    state = new.__dict__
    state.update(record.__dict__)
    state.update(changes)
    return new


@lru_cache(maxsize=None)
def field_names(cls: type) -> tuple[str, ...]:
    """The field names of the dataclass ``cls``, in order.

    >>> field_names(Person)
    ('name', 'title')
    """
    return tuple(f.name for f in fields(cls))


@lru_cache(maxsize=None)
def _plain_fields(cls: type) -> frozenset[str]:
    """The field names of ``cls``, a dataclass whose ``__init__`` only sets them (and whose
    instances hold nothing else: no cached properties)."""
    from functools import cached_property

    if (hasattr(cls, "__post_init__") or hasattr(cls, "__slots__")
            or any(isinstance(v, cached_property) for k in cls.__mro__ for v in vars(k).values())):
        raise TypeError(f"evolve: {cls.__name__} needs its __init__")
    return frozenset(field_names(cls))
