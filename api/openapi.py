"""The OpenAPI 3.1 document of the read API, built from the resources'
schemas so the two cannot drift apart."""

from __future__ import annotations

from .resources import RESOURCES

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


def _page(name: str) -> dict:
    return {
        "type": "object",
        "required": [
            "count",
            "page",
            "per_page",
            "total_pages",
            "next",
            "previous",
            "results",
        ],
        "properties": {
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{name}"},
            },
        },
    }


def _responses(ok: dict) -> dict:
    refusal = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "200": {"description": "OK", "content": {"application/json": {"schema": ok}}},
        "400": {"description": "A malformed query", "content": refusal},
        "401": {"description": "No token, or an unknown or revoked one"},
        "404": {"description": "Unknown, or not the token's organisation's"},
    }


PARAMETERS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
    {
        "name": "modified_since",
        "in": "query",
        "description": "Only rows changed at or after this ISO 8601 date-time.",
        "schema": {"type": "string", "format": "date-time"},
    },
    {
        "name": "partnership",
        "in": "query",
        "description": "Only rows of this partnership.",
        "schema": {"type": "integer"},
    },
]


def document(*, server: str) -> dict:
    paths: dict = {}
    schemas: dict = {"Error": ERROR}
    for resource in RESOURCES:
        item = resource.schema_name
        schemas[item] = resource.schema
        schemas[f"{item}Page"] = _page(item)
        ref = {"$ref": f"#/components/schemas/{item}"}
        paths[f"/{resource.name}"] = {
            "get": {
                "operationId": f"list_{resource.name.replace('-', '_')}",
                "summary": resource.title,
                "parameters": PARAMETERS,
                "responses": _responses({"$ref": f"#/components/schemas/{item}Page"}),
            }
        }
        paths[f"/{resource.name}/{{id}}"] = {
            "get": {
                "operationId": f"read_{resource.name.replace('-', '_')}",
                "summary": f"One of: {resource.title.lower()}",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": _responses(ref),
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partnership workspace read API",
            "version": "1",
            "description": "Partnerships and what hangs off them, for partners' "
            "own reporting tools. Each organisation's API token sees what that "
            "organisation's people see.",
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
