"""What the OpenAPI document says can go wrong: the error shape, and for every operation the error
statuses it may answer with the codes of its module (core.errors registers every module's codes)."""

from __future__ import annotations

from typing import Any

from zhigai.core.errors import error_codes

# The statuses every operation documents, and what each means on this platform.
ERROR_STATUSES = {
    "400": "The request cannot be read (a malformed body or multipart upload).",
    "401": "Not signed in: send a valid 'Authorization: Bearer <token>'.",
    "403": "Signed in, and the object is visible, but this user may not do this to it.",
    "404": "No such object, or one this user may not see (the two are not told apart).",
    "409": "The object's state does not allow this now (e.g. a result asked of a draft).",
    "422": "Invalid input: `details` names each field, row or column and what is wrong.",
}
_REF = {"$ref": "#/components/schemas/Error"}


def error_schema() -> dict[str, Any]:
    codes = error_codes()
    return {
        "type": "object",
        "title": "Error",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string", "enum": sorted(codes),
                     "description": "; ".join(f"{c} ({m})" for c, m in sorted(codes.items()))},
            "message": {"type": "string", "description": "what is wrong and how to fix it, for people"},
            "details": {"type": "array", "items": {"type": "object"},
                        "description": "per field, row or column: {field|row|column, message}"},
        },
    }


def _module_codes(operation: dict[str, Any]) -> list[str]:
    """The platform's codes and those of the operation's module (its router's tag names the module)."""
    modules = {"core", *operation.get("tags", [])}
    return sorted(code for code, module in error_codes().items() if module in modules)


def document_errors(schema: Any) -> Any:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = error_schema()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            # Status codes as the strings OpenAPI has them (ninja gives integers).
            responses = {str(status): body for status, body in operation.get("responses", {}).items()}
            codes = ", ".join(_module_codes(operation))
            for status, meaning in ERROR_STATUSES.items():
                responses.setdefault(status, {
                    "description": f"{meaning} Codes: {codes}.",
                    "content": {"application/json": {"schema": _REF}},
                })
            # Anything else Django or a proxy answers (405, 413, 429) has the same shape.
            responses.setdefault("4XX", {"description": "Another error, in the same shape.",
                                         "content": {"application/json": {"schema": _REF}}})
            operation["responses"] = responses
    return schema
