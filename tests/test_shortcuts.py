"""The shortcut labpubs puts on the build's Jinja environment (`plugin._look_up_quickly`): every
`x.name` in Material's templates gets the answer Jinja's own lookup gives, and the site is the
one a build without it makes."""

from __future__ import annotations

import copy
from collections import OrderedDict, defaultdict
from pathlib import Path

import pytest
from conftest import copy_project
from jinja2 import ChainableUndefined, Environment, StrictUndefined, Undefined, UndefinedError
from lab_changes import assert_same_site
from test_indexing import build_in_process

from generator import plugin


class Attributes:
    colour = "blue"

    def __getitem__(self, name):
        return f"item {name}"


class TitledDict(dict):
    title = property(lambda self: "the attribute")


OBJECTS = [
    {"title": "A", "items": "an item named like a method", "": 0, "__dict__": 1},
    {},
    None,
    TitledDict(title="the item"),
    OrderedDict(title="A"),
    defaultdict(int, title="A"),  # a missing name becomes an item: Jinja's lookup, not the shortcut
    Attributes(),
    "text",
    [1, 2],
    {"nested": {"deeper": None}},
]
NAMES = ["title", "items", "get", "keys", "missing", "", "__class__", "__dict__", "__doc__", "colour", "upper", 0]
UNDEFINED = [Undefined, StrictUndefined, ChainableUndefined]


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


def quick_environment(**settings) -> Environment:
    env = Environment(**settings)
    plugin._look_up_quickly(env)
    assert type(env).getattr is not Environment.getattr  # the shortcut is on
    return env


@pytest.mark.parametrize("undefined", UNDEFINED, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("obj", OBJECTS, ids=lambda obj: type(obj).__name__)
def test_every_lookup_is_the_one_jinja_makes(obj, undefined):
    quick, jinja = quick_environment(undefined=undefined), Environment(undefined=undefined)
    for name in NAMES:
        assert answer(quick, copy.copy(obj), name) == answer(jinja, copy.copy(obj), name), name


def test_an_overlay_looks_up_with_its_own_settings():
    overlay = quick_environment().overlay(undefined=StrictUndefined)
    jinja = Environment().overlay(undefined=StrictUndefined)
    for obj in OBJECTS:
        for name in NAMES:
            assert answer(overlay, obj, name) == answer(jinja, obj, name), name
    with pytest.raises(UndefinedError):
        overlay.from_string("{{ d.x }}").render(d={})


def test_a_sandbox_or_another_lookup_is_left_as_it_is():
    from jinja2.sandbox import SandboxedEnvironment

    sandbox = SandboxedEnvironment()
    plugin._look_up_quickly(sandbox)
    assert type(sandbox) is SandboxedEnvironment
    env = Environment()
    env.getattr = lambda obj, attribute: "another plugin's"
    plugin._look_up_quickly(env)
    assert type(env) is Environment and env.getattr({}, "title") == "another plugin's"


def test_the_site_is_the_one_jinjas_own_lookup_makes(tmp_path: Path, monkeypatch):
    envs = []
    on_env = plugin.LabpubsPlugin.on_env

    def keep_env(self, env, /, **kwargs):
        envs.append(on_env(self, env, **kwargs))
        return envs[-1]

    monkeypatch.setattr(plugin.LabpubsPlugin, "on_env", keep_env)
    (tmp_path / "quick").mkdir(), (tmp_path / "jinja").mkdir()
    quick = build_in_process(copy_project(tmp_path / "quick"))
    assert envs and type(envs[-1]).getattr is not Environment.getattr  # the shortcut was on

    monkeypatch.setattr(plugin, "_look_up_quickly", lambda env: None)
    jinjas = build_in_process(copy_project(tmp_path / "jinja"))
    assert type(envs[-1]).getattr is Environment.getattr  # Jinja's own lookup: the shortcut was left out
    assert_same_site(quick, jinjas)
