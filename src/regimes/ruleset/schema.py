"""The JSON Schema of the ruleset YAML, so editors can complete and check it."""

from __future__ import annotations

from typing import Any

from regimes.ruleset.model import RulesetFile


def ruleset_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a ruleset file, with field names as written in YAML."""
    schema = RulesetFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "regimes ruleset"
    schema["description"] = (
        "A regime (or an included module) of Danish employment-law process rules; "
        "see docs/ruleset-language.md."
    )
    return schema
