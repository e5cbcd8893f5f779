"""The API's documents tell the truth and need nothing from the internet (issue 13, item 4): the
OpenAPI document's routes are typed, described and declare their errors as problem details; the
docs UI loads its scripts from this server; the bus's AsyncAPI document is served at /asyncapi."""

from __future__ import annotations

import re

from arena.handlers.routing import CONSUMERS, keys_for

METHODS = ("get", "put", "post", "patch", "delete")


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_route_is_described_typed_and_declares_its_errors_as_problem_details(api) -> None:
    document = api.get("/schema/openapi.json").json()

    for path, method, operation in operations(document):
        assert operation.get("description"), (method, path)
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if status.startswith("2"):
                for media, body in content.items():
                    if media == "application/json":
                        schema = body["schema"]
                        typed = "$ref" in schema or schema.get("properties") or "$ref" in schema.get("items", {})
                        assert typed, (method, path, status, schema)
            else:
                assert list(content) == ["application/problem+json"], (method, path, status)
        assert {"429", "400"} <= set(operation["responses"]), (method, path)


def test_public_routes_are_marked_public_and_the_others_need_a_token(api) -> None:
    document = api.get("/schema/openapi.json").json()

    for path, method, operation in operations(document):
        if path in ("/health", "/ready"):
            assert operation["security"] == [] and "401" not in operation["responses"]
        else:
            assert operation.get("security") != [] and "401" in operation["responses"], (method, path)


def test_mutations_document_the_idempotency_key_and_raw_uploads_their_body(api) -> None:
    document = api.get("/schema/openapi.json").json()

    for path, method, operation in operations(document):
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert ("Idempotency-Key" in headers) == (method != "get"), (method, path)
    upload = document["paths"]["/api/v2/problems"]["post"]["requestBody"]["content"]
    assert set(upload) == {"text/markdown", "application/zip"}
    assert "requestBody" not in document["paths"]["/api/v2/battles/{battle_id}/start"]["post"]


def test_the_docs_ui_loads_its_assets_from_this_server(api) -> None:
    page = api.get("/schema/swagger")

    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/schema/assets/") for source in sources), sources
    for source in sources:
        assert api.http.get(source).status_code == 200, source


def test_the_bus_is_described_by_an_asyncapi_document(api) -> None:
    served = api.get("/asyncapi")

    assert served.status_code == 200
    document = served.json()
    assert document["asyncapi"].startswith("3.")
    channels = set(document["channels"])
    for consumer in CONSUMERS:
        for key in keys_for(consumer):
            assert f"{consumer.queue} <- {key}" in channels
    assert {"EventEnvelope", "VerdictReady"} <= set(document["components"]["schemas"])


def test_the_live_socket_is_described_by_an_asyncapi_document(api) -> None:
    served = api.get("/asyncapi/live")

    assert served.status_code == 200 and served.json()["asyncapi"].startswith("3.")
