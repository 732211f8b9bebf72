"""The profile-format reference page, written from the model itself.

Like the JSON Schema, this page is derived from ``model.py`` so that the docs can
never disagree with what the validator accepts.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

from pydantic import BaseModel

from .model import KINDS, PROFILE_TYPES, SINGULAR, Citation, Claim, DateSpec, document_fields
from .render.environment import text

PAGE = "reference/profile-format.md"


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        base = args[0]
        if base is DateSpec:
            return "date"
        return _type_name(base)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin in (Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if annotation is DateSpec:
        return "date"
    return {str: "text", int: "whole number", bool: "true or false"}.get(annotation, "value")


def _nested_models(model: type[BaseModel], seen: list[type[BaseModel]]) -> None:
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            item = stack.pop()
            if isinstance(item, type) and issubclass(item, BaseModel):
                if item not in seen:
                    seen.append(item)
                    _nested_models(item, seen)
            else:
                stack.extend(typing.get_args(item))


def _table(model: type[BaseModel]) -> list[str]:
    rows = ["| Key | Type | Required | Meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        description = text(" ".join((info.description or "").split())) or "—"
        required = "yes" if info.is_required() else "no"
        rows.append(f"| `{name}` | {_type_name(info.annotation)} | {required} | {description} |")
    return rows


def page() -> str:
    """The whole reference page as Markdown."""
    lines = [
        "---",
        'title: "Profile format"',
        "---",
        "",
        "# Profile format",
        "",
        "Each profile is one YAML file, `profiles/<kind>/<id>.yaml`; its file name is its id",
        "(lowercase letters and digits in words joined by hyphens). This page is generated",
        "from the same model the build validates against, so it is always current.",
        "",
        "Every fact is a list of **claims**. A claim has a `value` (or, for relations, the",
        "profile it points to) and `cite`, a list of citations. Each citation names a",
        "`source` and gives the exact `quote`. For a fact with one value, such as a date,",
        "several claims with different values mean the sources differ; the site shows each.",
        "",
        "Dates are written `2023`, `2023-11`, `2023-11-05`, a range `2019/2020-02`, or",
        "`unknown` — only as precisely as the sources state them.",
        "",
    ]
    document_fields()
    nested: list[type[BaseModel]] = []
    for kind in KINDS:
        model = PROFILE_TYPES[kind]
        lines += [f"## {SINGULAR[kind].capitalize()} (`profiles/{kind}/`)", ""]
        lines += [text(" ".join((model.__doc__ or "").split())), ""]
        lines += [*_table(model), ""]
        _nested_models(model, nested)
    lines += ["## Claims and citations", ""]
    for model in sorted(nested, key=lambda m: (m not in (Claim, Citation), m.__name__)):
        lines += [f"### {model.__name__}", ""]
        lines += [text(" ".join((model.__doc__ or "").split())), ""]
        lines += [*_table(model), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
