"""Check JSON answers against the app's own OpenAPI document."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:eventweek:openapi"


class OpenAPIChecker:
    def __init__(self, document: dict):
        validate_spec(document)
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(DOCUMENT_URI, resource)

    def response_schema(self, path: str, status: int) -> dict:
        operation = self.document["paths"][path]["get"]
        response = operation["responses"][str(status)]
        if "$ref" in response:
            name = response["$ref"].rsplit("/", 1)[1]
            response = self.document["components"]["responses"][name]
        return response["content"]["application/json"]["schema"]

    def check(self, path: str, status: int, body) -> None:
        """Raise jsonschema.ValidationError unless `body` is what the document promises."""
        schema = self.response_schema(path, status)
        reference = {"$ref": DOCUMENT_URI + "#" + schema["$ref"].removeprefix("#")}
        Draft202012Validator(
            reference, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).validate(body)
