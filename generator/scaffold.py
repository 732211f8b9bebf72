"""Starting points for contributors: profile skeletons and newly archived sources.

The comments in a skeleton come from the field docstrings in ``model.py``, so the
skeleton explains the same shape the validator checks.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import textwrap
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from . import placeholders
from .errors import FactfileErrors
from .load import parse, slug_problem
from .model import PROFILE_TYPES, SINGULAR, Citation, Kind, Source, document_fields, slugify
from .project import Project
from .schema import SCHEMA_DIRNAME
from .validate import check_shape

PLACEHOLDER_SOURCE = placeholders.SOURCE
PLACEHOLDER_QUOTE = placeholders.QUOTE
PLACEHOLDER_VALUE = placeholders.VALUE

# The one fact each skeleton starts with; the others are listed in comments.
_FIRST_CLAIM: dict[Kind, str] = {
    "people": "names",
    "missions": "mission_kind",
    "events": "event_kind",
}
_ARCHIVE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$")
# Default source ids stay short enough to type; ``--id`` can always set one.
_DEFAULT_ID_LENGTH = 60
# An archived article is some kilobytes of text; a file a thousand times that size is
# not one article.
MAX_ARTICLE_BYTES = 4 << 20
_NOT_REGULAR = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


class ScaffoldError(Exception):
    """A request that cannot be carried out; nothing has been written."""


def _comment(text: str, indent: str = "", hanging: str = "") -> list[str]:
    text = " ".join(text.replace("``", "").split())
    lines = textwrap.wrap(text, 86 - len(indent), subsequent_indent=hanging)
    return [f"{indent}# {line}" for line in lines]


def _item_type(annotation: Any) -> Any:
    args = get_args(annotation)
    return args[0] if get_origin(annotation) is list and args else annotation


def _allowed_values(model: type[BaseModel]) -> tuple[str, ...]:
    field = model.model_fields.get("value")
    if field is None or get_origin(field.annotation) is not Literal:
        return ()
    return get_args(field.annotation)


def describe(model: type[BaseModel], name: str) -> str:
    """What a field holds: its docstring, else its claim type's, plus any allowed values."""
    document_fields()
    field = model.model_fields[name]
    item = _item_type(field.annotation)
    text = field.description or ""
    if not text and isinstance(item, type) and issubclass(item, BaseModel):
        text = (item.__doc__ or "").strip()
    if not text and name == "value":
        # A claim's value is described by the claim type's own docstring, if any.
        text = (model.__dict__.get("__doc__") or "The fact's value.").strip()
    if isinstance(item, type) and issubclass(item, BaseModel):
        allowed = _allowed_values(item)
        if allowed:
            text = f"{text} One of: {', '.join(allowed)}.".strip()
    return text or name.replace("_", " ").capitalize() + "."


def _article(word: str) -> str:
    return "An" if word[0] in "aeiou" else "A"


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when that reads back unchanged, quoted otherwise."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**6, default_style=None)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def skeleton(kind: Kind, name: str) -> str:
    """A commented profile of ``kind`` titled ``name``, with one fact to fill in."""
    model = PROFILE_TYPES[kind]
    singular = SINGULAR[kind]
    a_kind = f"{_article(singular)} {singular}"
    first = _FIRST_CLAIM[kind]
    claim_type = _item_type(model.model_fields[first].annotation)
    value = name if not _allowed_values(claim_type) else PLACEHOLDER_VALUE
    lines = [
        f"# yaml-language-server: $schema=../../{SCHEMA_DIRNAME}/{singular}.schema.json",
        *_comment(
            f"{a_kind} profile. Its file name is its id, which other profiles use to "
            "refer to it. Every fact is a list of claims: a value, and under 'cite' one or "
            "more sources, each with a quote copied word for word from the archived article."
        ),
        "# Find a quote's exact words with:",
        '#   factfile quote SOURCE-ID "words from the article"',
        "# Replace each REPLACE placeholder, then run:",
        "#   factfile check",
        "",
        *_comment(describe(model, "name")),
        f"name: {_scalar(name)}",
        *_comment(describe(model, first)),
        f"{first}:",
        *_comment(describe(claim_type, "value"), "  "),
        f"  - value: {_scalar(value)}",
        *_comment(describe(claim_type, "cite"), "    "),
        "    cite:",
        *_comment(describe(Citation, "source"), "      "),
        f"      - source: {PLACEHOLDER_SOURCE}",
        *_comment(describe(Citation, "quote"), "        "),
        f"        quote: {_scalar(PLACEHOLDER_QUOTE)}",
        "",
        *_comment(f"Other fields {a_kind.lower()} profile can have, each a list of claims:"),
    ]
    for field in model.model_fields:
        if field not in ("name", first):
            lines += _comment(f"{field}: {describe(model, field)}", hanging="  ")
    return "\n".join(lines) + "\n"


def new_profile(project: Project, kind: Kind, name: str) -> Path:
    """Write a skeleton profile for ``name``; refuse to replace an existing file."""
    slug = slugify(name)
    if not slug:
        raise ScaffoldError(
            f"cannot make an id from {name!r}: the name needs some letters or digits"
        )
    path = project.profiles_dir / kind / f"{slug}.yaml"
    rel = project.relative(path)
    if path.exists():
        raise ScaffoldError(f"{rel} already exists; edit it, or choose another name")
    text = skeleton(kind, name)
    raw = parse(kind, slug, rel, text)
    if isinstance(raw, list):  # a name the YAML writer could not express
        raise FactfileErrors(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as out:
        out.write(text)
    return path


def add_source(
    project: Project,
    article: Path,
    *,
    title: str,
    outlet: str | None = None,
    date: str | None = None,
    url: str | None = None,
    language: str = "en",
    source_id: str | None = None,
    archive: str | None = None,
) -> tuple[Path, Path]:
    """Archive ``article`` byte for byte under seeds/ and write its source profile.

    Everything is checked before anything is written: the text, the profile's fields,
    and that neither file would replace a different one.
    """
    data = _article_text(article)
    source_id = source_id or slugify(f"{outlet or ''} {title}", _DEFAULT_ID_LENGTH)
    problem = slug_problem(source_id)
    if problem:
        raise ScaffoldError(f"--id {source_id!r} {problem}")
    archive = archive or (article.name if _ARCHIVE_RE.match(article.name) else f"{source_id}.txt")
    if not _ARCHIVE_RE.match(archive):
        raise ScaffoldError(
            f"--archive {archive!r} must be a file name of letters, digits, '.', '_' or '-' "
            "ending in .txt"
        )
    digest = hashlib.sha256(data).hexdigest()
    fields: dict[str, str] = {"title": title}
    if outlet:
        fields["outlet"] = outlet
    fields["language"] = language
    fields["date"] = date or "unknown"
    if url:
        fields["url"] = url
    fields |= {"archive": archive, "sha256": digest}
    profile_path = project.profiles_dir / "sources" / f"{source_id}.yaml"
    text = _source_profile(project, profile_path, source_id, fields)
    _refuse_archived_twice(project, digest)
    seed = _seed_to_write(project, archive, data)
    seed.parent.mkdir(parents=True, exist_ok=True)
    if not seed.exists():
        with seed.open("xb") as out:
            out.write(data)
    profile_path.parent.mkdir(parents=True, exist_ok=True)
    with profile_path.open("x", encoding="utf-8", newline="\n") as out:
        out.write(text)
    return seed, profile_path


def _article_text(article: Path) -> bytes:
    """The article's bytes, which must be UTF-8 text with something in it."""
    data = _read_article(article)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScaffoldError(
            f"{article} is not UTF-8 text (byte {exc.start}): save the article as UTF-8 text"
        ) from None
    if not data.strip():
        raise ScaffoldError(f"{article} is empty")
    return data


def _source_profile(project: Project, path: Path, source_id: str, fields: dict[str, str]) -> str:
    """The text of a new source profile with ``fields``, checked as the build would."""
    _check_fields(fields)
    rel = project.relative(path)
    text = "\n".join(
        [f"# yaml-language-server: $schema=../../{SCHEMA_DIRNAME}/source.schema.json"]
        + [f"{key}: {_scalar(value)}" for key, value in fields.items()]
    )
    text += "\n"
    raw = parse("sources", source_id, rel, text)
    if isinstance(raw, list):
        raise FactfileErrors(raw)
    shaped = check_shape(raw)
    if isinstance(shaped, list):
        raise FactfileErrors(shaped)
    if path.exists() or path.is_symlink():
        raise ScaffoldError(f"{rel} already exists; choose another id with --id")
    return text


def _refuse_archived_twice(project: Project, digest: str) -> None:
    """A text already archived is cited through its source, not archived again."""
    for other in sorted((project.profiles_dir / "sources").glob("*.yaml")):
        # A link is no profile (the check says so), and may lead to a device that never ends.
        if other.is_symlink() or not other.is_file():
            continue
        if digest in other.read_text(encoding="utf-8", errors="replace"):
            raise ScaffoldError(
                f"this text is already archived: {project.relative(other)} records its "
                "SHA-256; cite that source"
            )


def _seed_to_write(project: Project, archive: str, data: bytes) -> Path:
    """Where the article is archived: a new file, or one already holding the same bytes."""
    seed = project.seeds_dir / archive
    if seed.is_symlink() or (seed.exists() and not seed.is_file()):
        # Neither read (it may lead to a device that never ends) nor written through.
        raise ScaffoldError(
            f"{project.relative(seed)} already exists and is a link or not a plain file: "
            "choose another name with --archive"
        )
    if seed.exists() and (seed.stat().st_size != len(data) or seed.read_bytes() != data):
        raise ScaffoldError(
            f"{project.relative(seed)} already exists with different text; archived articles "
            "are never replaced: choose another name with --archive"
        )
    return seed


def _read_article(article: Path) -> bytes:
    """The bytes of ``article``, which must be a regular file of at most
    ``MAX_ARTICLE_BYTES``; anything else is refused before it is opened.

    Opening a named pipe waits for a writer, and a device such as /dev/zero never ends.
    """
    try:
        _check_regular(article, os.stat(article).st_mode)
        # Should the name have become a pipe since, opening it does not wait.
        handle = os.fdopen(os.open(article, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb")
        with handle:
            info = os.fstat(handle.fileno())
            _check_regular(article, info.st_mode)
            if info.st_size > MAX_ARTICLE_BYTES:
                raise ScaffoldError(
                    f"{article} is {info.st_size:,} bytes: an archived article may be at most "
                    f"{MAX_ARTICLE_BYTES:,} bytes"
                )
            # One byte more than the limit at most, however much the file holds by now.
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise ScaffoldError(f"cannot read {article}: {exc.strerror}") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise ScaffoldError(
            f"{article} is more than {MAX_ARTICLE_BYTES:,} bytes: an archived article may be "
            f"at most {MAX_ARTICLE_BYTES:,} bytes"
        )
    return data


def _check_regular(article: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _NOT_REGULAR if test(mode)), "a special file")
        raise ScaffoldError(
            f"{article} is {what}, not a regular file: archive the article's text saved as a file"
        )


def _check_fields(fields: dict[str, str]) -> None:
    """Report bad option values by option name, before any file is written."""
    try:
        Source.model_validate(fields)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            option = "--" + str(error["loc"][0]) if error["loc"] else "input"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{option}: {message}")
        raise ScaffoldError("; ".join(problems)) from None
