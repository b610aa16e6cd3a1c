"""Write docs/api.md from the app's OpenAPI document (run after changing a route)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from watchcube.api.app import create_app
from watchcube.config import Settings

INTRO = """# HTTP API

Generated from `/openapi.json` by `scripts/api_docs.py`; the running service serves the
same document (and Swagger UI at `/docs`). Prefix `/v1`; every `/v1` route needs
`Authorization: Bearer <JWT>` (`sub` = user id; scope `admin` may act for any user).

Aggregation responses are envelopes `{user_id, type, filters, filter_hash, data,
computed_at, expires_at, data_version, version, stale}` with `ETag` (send `If-None-Match`
for a 304), `Cache-Control: private, no-cache` and `Server-Timing` naming the layer that
served them (`memory`, `redis`, `store`, `computed`, `live`) and the compute time. Errors
are `{"error": {"code", "message"}}`; a rejected records batch adds `rows: [{row, field,
message}]`. The `data` of each of the ten types is specified in DESIGN.md.
"""


def render(spec: dict[str, Any]) -> str:
    lines = [INTRO]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            lines.append(f"## `{method.upper()} {path}`\n")
            if operation.get("summary"):
                lines.append(f"{operation['summary']}.\n")
            parameters = operation.get("parameters", [])
            if parameters:
                lines.append("| parameter | in | type | description |")
                lines.append("|---|---|---|---|")
                for p in parameters:
                    schema = p.get("schema", {})
                    kind = schema.get("type") or "/".join(
                        s.get("type", "") for s in schema.get("anyOf", []) if s.get("type")
                    )
                    lines.append(
                        f"| `{p['name']}` | {p['in']} | {kind} | {p.get('description', '')} |"
                    )
                lines.append("")
            statuses = ", ".join(
                f"{code} {r.get('description', '')}".strip()
                for code, r in operation.get("responses", {}).items()
            )
            lines.append(f"Responses: {statuses}\n")
    return "\n".join(lines)


def main() -> None:
    app = create_app(Settings(jwt_secret="x" * 32))
    text = render(app.openapi())
    target = Path(__file__).resolve().parents[1] / "docs" / "api.md"
    if "--check" in sys.argv:
        sys.exit(0 if target.read_text() == text else 1)
    target.write_text(text)


if __name__ == "__main__":
    main()
