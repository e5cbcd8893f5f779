"""The API's documents for people and tools, served by the API itself: the OpenAPI document with
a Swagger UI whose scripts and styles come from this server (swagger-ui-bundle's files), never from
a CDN, the bus's AsyncAPI document at /asyncapi (bus/asyncapi.py) and the live socket's at
/asyncapi/live (live/asyncapi.py)."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Router, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/schema/assets"


def openapi_config(version: str) -> OpenAPIConfig:
    """/schema (the UI), /schema/openapi.json (the document) and the UI's assets under /schema/assets."""
    ui = SwaggerRenderPlugin(js_url=f"{ASSETS}/swagger-ui-bundle.js", css_url=f"{ASSETS}/swagger-ui.css",
                             standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js", path="/swagger")
    return OpenAPIConfig(title="arena", version=version, path="/schema", use_handler_docstrings=True,
                         render_plugins=[ui])


def ui_assets() -> Router:
    return create_static_files_router(path=ASSETS, directories=[swagger_ui_path], include_in_schema=False)


@get("/asyncapi", include_in_schema=False, sync_to_thread=False)
def asyncapi() -> dict[str, Any]:
    """The bus (exchanges, queues, bindings, the event envelope) as AsyncAPI 3.0, made by FastStream."""
    return bus_document()


@get("/asyncapi/live", include_in_schema=False, sync_to_thread=False)
def asyncapi_live() -> dict[str, Any]:
    """The live socket's messages (WS /api/v2/battles/{id}/live) as AsyncAPI 3.0 (live/asyncapi.py)."""
    return live_document()


@cache
def live_document() -> dict[str, Any]:
    from arena.live.asyncapi import document

    return document()


@cache
def bus_document() -> dict[str, Any]:
    from arena.bus.asyncapi import document

    return document()
