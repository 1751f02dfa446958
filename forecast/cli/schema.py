"""forecast schema: the JSON Schema of a file kind, for editors that validate YAML."""

from __future__ import annotations

import click

from .main import CONTEXT, fail, main


@main.command("schema", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast schema rate-set > rate-set.schema.json
  forecast schema table > table.schema.json
Then put '# yaml-language-server: $schema=rate-set.schema.json' at the top of a YAML file
(VS Code with the YAML extension, and other editors, then check and complete it).""")
@click.argument("kind", metavar="KIND")
def schema_cmd(kind: str) -> None:
    """Print the JSON Schema of a file kind: rate-set, relative-risks, ethnic-mapping, scenario,
    derived-measures, area-groups, table or indicator."""
    import json

    from ..schemas import KINDS, json_schema

    if kind not in KINDS:
        fail(f"KIND: {kind!r} is not a file kind; use one of {', '.join(KINDS)}")

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))
