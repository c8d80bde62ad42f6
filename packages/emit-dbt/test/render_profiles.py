#!/usr/bin/env python3
"""Renders a profiles.yml the way dbt does, with real Jinja2, for floe's tests.

dbt parses profiles.yml as YAML, then renders every string with Jinja. `env_var(var,
default=None)` returns the variable, else the default, else raises "Env var required but not
provided: 'X'". The `as_number`, `as_bool` and `as_native` filters make a value that is the
whole rendered string turn into a number / boolean / Python literal (dbt's native rendering).

Usage: render_profiles.py PROFILES_YML  -> JSON of the rendered profiles on stdout;
a missing env var prints dbt's message on stderr and exits 2.
"""
import ast
import json
import os
import sys

import jinja2
import jinja2.sandbox
import yaml


class EnvVarMissing(Exception):
    pass


def env_var(var, default=None):
    if var in os.environ:
        return os.environ[var]
    if default is not None:
        return default
    raise EnvVarMissing(f"Env var required but not provided: '{var}'")


MARK = "\x00floe-native:"


def marker(kind):
    def mark(value):
        return f"{MARK}{kind}:{value}\x00"

    return mark


def to_native(rendered):
    if not (rendered.startswith(MARK) and rendered.endswith("\x00")):
        return rendered
    kind, _, raw = rendered[len(MARK) : -1].partition(":")
    if kind == "number":
        value = ast.literal_eval(raw.strip())
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"as_number: not a number")
        return value
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise ValueError("as_bool: not a boolean")
    return ast.literal_eval(raw)


env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined)
env.globals["env_var"] = env_var
env.filters["as_number"] = marker("number")
env.filters["as_bool"] = marker("bool")
env.filters["as_native"] = marker("native")


def render(node):
    if isinstance(node, str):
        return to_native(env.from_string(node).render())
    if isinstance(node, list):
        return [render(item) for item in node]
    if isinstance(node, dict):
        return {key: render(value) for key, value in node.items()}
    return node


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        profiles = yaml.safe_load(handle)
    try:
        print(json.dumps(render(profiles)))
    except EnvVarMissing as error:
        print(str(error), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
