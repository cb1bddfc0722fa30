"""The shortcut labpubs puts on the build's Jinja environment (`plugin._look_up_quickly`): every
`x.name` in Material's templates gets the answer Jinja's own lookup gives, and the site is the
one a build without it makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project
from jinja2 import Environment, Undefined
from lab_changes import assert_same_site
from test_indexing import build_in_process

from generator import plugin


class Attributes:
    colour = "blue"

    def __getitem__(self, name):
        return f"item {name}"


OBJECTS = [
    {"title": "A", "items": "an item named like a method", "": 0, "__dict__": 1},
    {},
    None,
    Attributes(),
    "text",
    [1, 2],
    {"nested": {"deeper": None}},
]
NAMES = ["title", "items", "get", "keys", "missing", "", "__class__", "__dict__", "__doc__", "colour", "upper", 0]


def answer(env: Environment, obj, name):
    """What a lookup gives, in a form two lookups can be compared by."""
    try:
        value = env.getattr(obj, name)
    except Exception as error:  # a non-string name on an object: Jinja raises
        return ("raised", type(error))
    if isinstance(value, Undefined):
        return ("undefined", type(value), value._undefined_obj is obj, value._undefined_name)
    if callable(value) and not isinstance(value, (str, dict, list)):
        return ("method", getattr(value, "__name__", None), getattr(value, "__self__", None) is obj)
    return ("value", value)


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda obj: type(obj).__name__)
def test_every_lookup_is_the_one_jinja_makes(obj):
    quick, jinja = Environment(), Environment()
    plugin._look_up_quickly(quick)
    assert quick.getattr is not jinja.getattr
    for name in NAMES:
        assert answer(quick, obj, name) == answer(jinja, obj, name), name


def test_a_sandbox_keeps_its_own_lookup():
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment()
    plugin._look_up_quickly(env)
    assert env.getattr.__func__ is SandboxedEnvironment.getattr


def test_the_site_is_the_one_jinjas_own_lookup_makes(tmp_path: Path, monkeypatch):
    envs = []
    on_env = plugin.LabpubsPlugin.on_env

    def keep_env(self, env, /, **kwargs):
        envs.append(on_env(self, env, **kwargs))
        return envs[-1]

    monkeypatch.setattr(plugin.LabpubsPlugin, "on_env", keep_env)
    (tmp_path / "quick").mkdir(), (tmp_path / "jinja").mkdir()
    quick = build_in_process(copy_project(tmp_path / "quick"))
    assert envs and envs[-1].getattr.__name__ == "getattr" and not hasattr(envs[-1].getattr, "__self__")

    monkeypatch.setattr(plugin, "_look_up_quickly", lambda env: None)
    jinjas = build_in_process(copy_project(tmp_path / "jinja"))
    assert hasattr(envs[-1].getattr, "__self__")  # Jinja's own method: the shortcut was left out
    assert_same_site(quick, jinjas)
