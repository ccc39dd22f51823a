"""The DynamoDB tables in the templates match the PynamoDB models: key schema,
key attribute types, and every index a model declares (found by introspection)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from pynamodb.indexes import GlobalSecondaryIndex, Index, LocalSecondaryIndex
from pynamodb.models import Model

import chalicelib
from devtools.provision import load_template

#: Indexes declared in infra/ before any model uses them: name -> why. An index in
#: a template that no model declares fails the test unless it is listed here.
PENDING_MODEL_INDEXES: dict[str, str] = {}


def _models() -> list[type[Model]]:
    """Every PynamoDB model defined under chalicelib (importing every module)."""
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if ".adapters" in module.name or module.name.endswith("models"):
            importlib.import_module(module.name)
    found, pending = [], list(Model.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("chalicelib.") and cls not in found:
            found.append(cls)
    return found


def _suffix(name: str) -> str:
    """``jvets-<stage>-registry`` / ``jvets-${Stage}-registry`` -> ``registry``."""
    match = re.fullmatch(r"jvets-(?:\$\{Stage\}|[a-z0-9]+)-(.+)", name)
    assert match, name
    return match.group(1)


def _model_tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for model in _models():
        suffix = _suffix(model.Meta.table_name)
        attributes = model.get_attributes()
        keys = [(model._hash_keyname, "HASH")] + ([(model._range_keyname, "RANGE")] if model._range_keyname else [])
        table = tables.setdefault(suffix, {"keys": None, "types": {}, "indexes": {}, "models": []})
        key_schema = [(attributes[name].attr_name, kind) for name, kind in keys]
        assert table["keys"] in (None, key_schema), f"{model.__name__} disagrees on the key schema"
        table["keys"] = key_schema
        table["models"].append(model.__name__)
        for name, _kind in keys:
            table["types"][attributes[name].attr_name] = attributes[name].attr_type
        for index_name, index in model._indexes.items():
            schema = index._get_schema()
            table["indexes"][index_name] = {
                "kind": "GSI" if isinstance(index, GlobalSecondaryIndex) else "LSI",
                "keys": [(k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]],
                "projection": schema["projection"]["ProjectionType"],
                "non_key": sorted(schema["projection"].get("NonKeyAttributes", [])),
            }
            for definition in schema["attribute_definitions"]:
                table["types"][definition["AttributeName"]] = definition["AttributeType"]
    return tables


def _template_tables(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tables = {}
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        properties = resource["Properties"]
        indexes = {}
        for kind, key in (("GSI", "GlobalSecondaryIndexes"), ("LSI", "LocalSecondaryIndexes")):
            for index in properties.get(key) or []:
                indexes[index["IndexName"]] = {
                    "kind": kind,
                    "keys": [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]],
                    "projection": index["Projection"]["ProjectionType"],
                    "non_key": sorted(index["Projection"].get("NonKeyAttributes", [])),
                }
        tables[_suffix(properties["TableName"]["Fn::Sub"])] = {
            "keys": [(k["AttributeName"], k["KeyType"]) for k in properties["KeySchema"]],
            "types": {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]},
            "indexes": indexes,
        }
    return tables


@pytest.fixture(params=["resources.yaml", "dev", "prod"])
def declared(request, template_of) -> dict[str, dict[str, Any]]:
    """The tables of infra/resources.yaml (local) and of each packaged template."""
    template = load_template() if request.param == "resources.yaml" else template_of(request.param)
    return _template_tables(template)


def test_the_table_model_is_keyed_pk_sk():
    from chalicelib.core.table import TableItem

    assert (TableItem._hash_keyname, TableItem._range_keyname) == ("pk", "sk")


def test_every_model_table_is_declared_with_the_same_key_schema(declared):
    models = _model_tables()
    assert models, "no PynamoDB models found under chalicelib"
    assert set(models) == set(declared), "tables in the models vs. in infra/"
    for name, model in models.items():
        assert declared[name]["keys"] == model["keys"], name


def test_key_attributes_have_the_models_types(declared):
    for name, model in _model_tables().items():
        for attribute, attribute_type in model["types"].items():
            assert declared[name]["types"].get(attribute) == attribute_type, (name, attribute)


def test_every_index_a_model_declares_exists_with_the_same_keys_and_projection(declared):
    for name, model in _model_tables().items():
        for index_name, index in model["indexes"].items():
            assert index_name in declared[name]["indexes"], f"{name}: index {index_name} missing in infra/"
            assert declared[name]["indexes"][index_name] == index, (name, index_name)


def test_every_declared_index_is_used_by_a_model_or_explicitly_pending(declared):
    models = _model_tables()
    for name, table in declared.items():
        for index_name in table["indexes"]:
            assert index_name in models[name]["indexes"] or index_name in PENDING_MODEL_INDEXES, (
                f"{name}: index {index_name} is in infra/ but no model declares it"
            )
    assert all(issubclass(kind, Index) for kind in (GlobalSecondaryIndex, LocalSecondaryIndex))
